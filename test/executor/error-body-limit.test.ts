import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES } from '../../executor/runtime/runtime-api.js';
import { createExecutorClient } from '../../src/modules/executors/executors.client.js';
import { invokeSpec, useSandbox, invokeServerOn, nodeCustomRuntime } from './helpers.js';

/**
 * Found by review: a runtime's /error body that is not JSON is wrapped into Lambda's error JSON
 * (`{ errorType, errorMessage }`) after its size was checked against the 6 MiB limit. JSON escapes a
 * control character in six bytes and the text decoding turns each invalid UTF-8 byte into three, so
 * a body just under the limit became an answer of up to 36 MiB: over the invoke stream's 8 MiB frame
 * (the api answered 502 EXECUTOR_FAILED for an invocation billed as a function error), and over
 * POST /invoke a response six times Lambda's limit, handed to the client.
 */
const sandbox = useSandbox({ spares: 0 });
const dir = nodeCustomRuntime(
  'error-body-limit',
  `const api = \`http://\${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation\`;
for (;;) {
  const next = await fetch(\`\${api}/next\`);
  const id = next.headers.get('lambda-runtime-aws-request-id');
  const { byte, size } = await next.json();
  await fetch(\`\${api}/\${id}/error\`, { method: 'POST', body: Buffer.alloc(size, byte) });
}
`,
);

/** A runtime whose init fails with such a body: it is the first invocation's answer. */
const initDir = nodeCustomRuntime(
  'init-error-body-limit',
  `await fetch(\`http://\${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/init/error\`, {
  method: 'POST',
  body: Buffer.alloc(${MAX_RESPONSE_BYTES - 1024}, 1),
});
await new Promise((resolve) => setTimeout(resolve, 60_000));
`,
);
const INIT_FAILS = 'b'.repeat(64);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const executor = () => invokeServerOn(sandbox.isolation, (sha) => (sha === INIT_FAILS ? initDir : dir), cleanup);

function call(byte: number, size: number, codeSha256?: string) {
  const spec = invokeSpec({ runtime: 'provided', handler: 'none', timeoutS: 10, ...(codeSha256 ? { codeSha256 } : {}) });
  return {
    requestId: randomUUID(),
    spec: Buffer.from(JSON.stringify(spec)),
    event: Buffer.from(JSON.stringify({ byte, size })),
    logTail: false,
    timeoutMs: 30_000,
  };
}

describe('an error body that is not JSON, just under the response limit', () => {
  it.each([
    ['control characters', 'the invoke stream', 0x01, true],
    ['invalid UTF-8', 'POST /invoke', 0xff, false],
  ])(
    'of %s: over %s the answer is the function error, within 6 MiB',
    async (_what, _path, byte, streams) => {
      const { route, records } = await executor();
      const client = createExecutorClient({ streams });
      cleanup.push(() => client.close());
      const r = call(byte, MAX_RESPONSE_BYTES - 1024);
      const answer = await client.forward(route, r);
      // Billed as the function's error...
      expect(records.filter((x) => x.invocationId === r.requestId).map((x) => x.status)).toEqual(['error']);
      // ...and answered as one: a 200 with the error JSON, never more than Lambda's limit.
      expect(answer.status, answer.body.toString('utf8', 0, 300)).toBe(200);
      expect(answer.headers['x-tally-status']).toBe('error');
      expect(answer.body.length).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
      expect(answer.headers['x-tally-error-type']).toBe('Function.ResponseSizeTooLarge');
      expect(JSON.parse(answer.body.toString('utf8'))).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
    },
    60_000,
  );

  it("posted to /init/error: the cold invocation's answer is its error JSON, within 6 MiB", async () => {
    const { route, records } = await executor();
    const client = createExecutorClient();
    cleanup.push(() => client.close());
    const r = call(0, 0, INIT_FAILS);
    const answer = await client.forward(route, r);
    expect(records.filter((x) => x.invocationId === r.requestId).map((x) => x.status)).toEqual(['error']);
    expect(answer.status, answer.body.toString('utf8', 0, 300)).toBe(200);
    expect(answer.headers['x-tally-status']).toBe('error');
    expect(answer.body.length).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ errorType: 'Runtime.Unknown', errorMessage: '' });
  }, 60_000);

  it('a small one is still wrapped as the error message', async () => {
    const { route } = await executor();
    const client = createExecutorClient();
    cleanup.push(() => client.close());
    const answer = await client.forward(route, call(0x41, 5));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ errorType: 'Unhandled', errorMessage: 'AAAAA' });
  }, 60_000);
});
