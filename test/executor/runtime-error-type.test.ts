import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutorClient } from '../../src/modules/executors/executors.client.js';
import { invokeSpec, useSandbox, invokeServerOn, nodeCustomRuntime } from './helpers.js';

/**
 * Found by a review on 2026-12-07: the error type of a function's error is the runtime's own text (the
 * Lambda-Runtime-Function-Error-Type header, or `errorType` in the error JSON it posts), and the
 * executor hands it to the api as an HTTP header (POST /invoke) or in an invoke stream frame's meta
 * (at most 64 KiB). A runtime choosing that text can make the executor's answer unsendable.
 */
const sandbox = useSandbox({ spares: 0 });
const dir = nodeCustomRuntime(
  'runtime-error-type',
  `const api = \`http://\${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation\`;
for (;;) {
  const next = await fetch(\`\${api}/next\`);
  const id = next.headers.get('lambda-runtime-aws-request-id');
  const { errorType } = await next.json();
  await fetch(\`\${api}/\${id}/error\`, { method: 'POST', body: JSON.stringify({ errorType, errorMessage: 'boom' }) });
}
`,
);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const executor = () => invokeServerOn(sandbox.isolation, () => dir, cleanup);

function call(errorType: string) {
  const spec = invokeSpec({ runtime: 'provided', handler: 'none', timeoutS: 3 });
  return {
    requestId: randomUUID(),
    spec: Buffer.from(JSON.stringify(spec)),
    event: Buffer.from(JSON.stringify({ errorType })),
    logTail: false,
    timeoutMs: 8_000,
  };
}

describe("a function's error type the executor cannot put in a header", () => {
  it('over POST /invoke: the executor still answers (the function error, billed), and does not throw out of its request handler', async () => {
    const { route, records } = await executor();
    const rejections: unknown[] = [];
    const onRejection = (err: unknown) => rejections.push(err);
    process.on('unhandledRejection', onRejection);
    cleanup.push(() => process.off('unhandledRejection', onRejection));
    const client = createExecutorClient({ streams: false });
    cleanup.push(() => client.close());
    // Any runtime may name its error so (a Python class named in Cyrillic, a Ruby one, the RIC): '€' is not latin1.
    const outcome = await client.forward(route, call('Fehler€')).then(
      (answer) => ({ status: answer.status, errorType: answer.headers['x-tally-error-type'] }),
      (err: Error) => ({ failed: err.message }),
    );
    // The invocation ran and its usage was spooled...
    expect(records.length).toBeGreaterThan(0);
    // ...but the caller must get its answer; here writeHead throws ERR_INVALID_CHAR inside a voided
    // promise (an unhandled rejection: with Node's default, the executor process exits), and the api waits for nothing.
    expect(rejections.map(String)).toEqual([]);
    expect(outcome).toMatchObject({ status: 200 });
  }, 30_000);

  it('over the invoke stream: an error type over 64 KiB still comes back as the function error, not as an executor failure', async () => {
    const { route, records } = await executor();
    const client = createExecutorClient();
    cleanup.push(() => client.close());
    const answer = await client.forward(route, call('E'.repeat(70_000)));
    expect(records.length).toBeGreaterThan(0);
    // Billed as a function error, yet answered 500 "the answer did not fit in a frame": the api reports
    // "executor failed" (and an async invocation's attempt is lost as an executor failure).
    expect(answer.status, answer.body.toString()).toBe(200);
    expect(answer.headers['x-tally-status']).toBe('error');
  }, 30_000);
});
