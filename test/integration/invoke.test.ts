import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, NODE_ECHO, usageTotals, useFunctionsApp, zipFolder } from '../helpers/functions.js';

const t = useFunctionsApp();
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const TOOLS = `
exports.handler = async (event, context) => ({ echo: event, uid: process.getuid(), fn: context.functionName, id: context.awsRequestId });
exports.fail = async () => { throw new TypeError('no good'); };
exports.sleep = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); return { slept: event.ms }; };
exports.chatty = async () => { for (let i = 0; i < 200; i++) console.log('line ' + i + ' ' + 'x'.repeat(40)); return 'done'; };
`;

const invoke = (key: string, name: string, event: unknown = {}, query = '') =>
  call(t.base, key, 'POST', `/v1/functions/${name}/invoke${query}`, event);

describe('POST /v1/functions/:name/invoke', () => {
  it("answers the function's result with the X-Tally headers, and reuses the warm instance", async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'echo', makeZip([{ name: 'index.js', data: TOOLS }]), { memoryMb: 256 });
    const cold = await invoke(a.accountKey, 'echo', { hello: 'world' });
    expect(cold.status).toBe(200);
    expect(cold.headers.get('content-type')).toMatch(/^application\/json/);
    expect(cold.json).toMatchObject({ echo: { hello: 'world' }, fn: 'echo' });
    const requestId = cold.headers.get('x-tally-request-id');
    expect(requestId).toMatch(UUID);
    expect(cold.json.id).toBe(requestId);
    expect(Number(cold.headers.get('x-tally-init-duration-ms'))).toBeGreaterThan(0);
    expect(cold.headers.get('x-tally-billed-duration-ms')).toMatch(/^\d+$/);
    expect(cold.headers.get('x-tally-executed-version')).toBe('1');
    expect(cold.headers.get('x-tally-function-error')).toBeNull();

    const warm = await invoke(a.accountKey, 'echo', { n: 2 });
    expect(warm.headers.get('x-tally-init-duration-ms')).toBeNull();
    // Every instance has a uid of its own: the same uid is the same warm instance.
    expect(warm.json.uid).toBe(cold.json.uid);
    expect(warm.headers.get('x-tally-request-id')).not.toBe(requestId);

    // An empty body is the event {}, as in Lambda.
    const empty = await call(t.base, a.accountKey, 'POST', '/v1/functions/echo/invoke');
    expect(empty.json.echo).toEqual({});
  });

  it('runs the new version right after an update, and an older one on request', async () => {
    const a = await newTenant(t.app);
    await deploy(
      t.base,
      a.accountKey,
      'versions',
      makeZip([{ name: 'index.js', data: 'exports.handler = async () => process.env.V ?? "v1";' }]),
    );
    expect((await invoke(a.accountKey, 'versions')).json).toBe('v1');
    await call(t.base, a.accountKey, 'PATCH', '/v1/functions/versions/configuration', { environment: { V: 'v2' } });
    const v2 = await invoke(a.accountKey, 'versions');
    expect(v2.json).toBe('v2');
    expect(v2.headers.get('x-tally-executed-version')).toBe('2');
    const v1 = await invoke(a.accountKey, 'versions', {}, '?version=1');
    expect([v1.json, v1.headers.get('x-tally-executed-version')]).toEqual(['v1', '1']);
  });

  it('returns a function error as HTTP 200 with X-Tally-Function-Error and the error JSON', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'fails', makeZip([{ name: 'index.js', data: TOOLS }]), { handler: 'index.fail' });
    const r = await invoke(a.accountKey, 'fails');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-tally-function-error')).toBe('Unhandled');
    expect(r.headers.get('x-tally-error-type')).toBe('TypeError');
    expect(r.json).toMatchObject({ errorType: 'TypeError', errorMessage: 'no good' });
  });

  it('stops a function at its timeout, billed up to the timeout', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'slow', makeZip([{ name: 'index.js', data: TOOLS }]), { handler: 'index.sleep', timeoutS: 1 });
    await invoke(a.accountKey, 'slow', { ms: 1 }); // warm, so the timeout call carries no init time
    const r = await invoke(a.accountKey, 'slow', { ms: 5000 });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-tally-function-error')).toBe('Unhandled');
    expect(r.headers.get('x-tally-error-type')).toBe('Sandbox.Timedout');
    expect(r.json.errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    expect(r.headers.get('x-tally-billed-duration-ms')).toBe('1000');
  });

  it('answers 404 for a missing function, 413 over 6 MB, 400 for an event that is not JSON', async () => {
    const a = await newTenant(t.app);
    const missing = await invoke(a.accountKey, 'nope');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('FUNCTION_NOT_FOUND');
    await deploy(t.base, a.accountKey, 'limits', makeZip([{ name: 'index.js', data: NODE_ECHO }]));
    const big = await call(t.base, a.accountKey, 'POST', '/v1/functions/limits/invoke', JSON.stringify({ s: 'x'.repeat(6 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(big.json.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const notJson = await call(t.base, a.accountKey, 'POST', '/v1/functions/limits/invoke', '{oops', { 'content-type': 'text/plain' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.code).toBe('INVALID_JSON');
    // Just under the limit goes through.
    const near = await call(
      t.base,
      a.accountKey,
      'POST',
      '/v1/functions/limits/invoke',
      JSON.stringify({ s: 'x'.repeat(6 * 1024 * 1024 - 16) }),
    );
    expect(near.status).toBe(200);
    expect(near.headers.get('x-tally-function-error')).toBe('Unhandled'); // the 6 MB echo answer is itself over the response limit
  });

  it('returns the last 4 KB of the log, ending with its REPORT line, with ?log=tail', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'chatty', makeZip([{ name: 'index.js', data: TOOLS }]), { handler: 'index.chatty' });
    const r = await invoke(a.accountKey, 'chatty', {}, '?log=tail');
    const log = Buffer.from(r.headers.get('x-tally-log-result')!, 'base64');
    expect(log.length).toBeLessThanOrEqual(4096);
    const text = log.toString('utf8');
    expect(text).toContain('line 199');
    expect(text).not.toContain('line 1 ');
    expect(text).toMatch(
      new RegExp(
        `END RequestId: ${r.headers.get('x-tally-request-id')}\nREPORT RequestId: .*Billed Duration: ${r.headers.get('x-tally-billed-duration-ms')} ms.*\n$`,
      ),
    );
    expect((await invoke(a.accountKey, 'chatty')).headers.get('x-tally-log-result')).toBeNull();
  });

  it('refuses calls beyond the reserved concurrency with 429 (not counted as a request)', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'one', makeZip([{ name: 'index.js', data: TOOLS }]), {
      handler: 'index.sleep',
      reservedConcurrency: 1,
    });
    await invoke(a.accountKey, 'one', { ms: 1 });
    const [first, second] = await Promise.all([
      invoke(a.accountKey, 'one', { ms: 1500 }),
      new Promise((r) => setTimeout(r, 300)).then(() => invoke(a.accountKey, 'one', { ms: 1 })),
    ]);
    expect(first!.status).toBe(200);
    expect(second!.status).toBe(429);
    expect(second!.json.error).toMatchObject({ code: 'TOO_MANY_REQUESTS', details: { reason: 'reserved_concurrency' } });
    await expect.poll(() => usageTotals(t.base, a.accountKey, 'one').then((u) => u.requests), { timeout: 5000 }).toBe(2);
    const zero = await call(t.base, a.accountKey, 'PATCH', '/v1/functions/one/configuration', { reservedConcurrency: 0 });
    expect(zero.status).toBe(200);
    expect((await invoke(a.accountKey, 'one', { ms: 1 })).status).toBe(429);
  });

  it('runs the examples: Node.js, Python and a shell-script custom runtime', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'node-hello', zipFolder(`${EXAMPLES}node-hello`));
    await deploy(t.base, a.accountKey, 'python-hello', zipFolder(`${EXAMPLES}python-hello`), { runtime: 'python' });
    await deploy(t.base, a.accountKey, 'shell-echo', zipFolder(`${EXAMPLES}shell-echo`), {
      runtime: 'provided',
      handler: 'function.handler',
    });
    const node = await invoke(a.accountKey, 'node-hello', { name: 'Ada' }, '?log=tail');
    expect(node.json).toMatchObject({ message: 'Hello, Ada!', function: 'node-hello (version 1, 128 MB)' });
    expect(Buffer.from(node.headers.get('x-tally-log-result')!, 'base64').toString()).toMatch(/INFO\tevent received {"name":"Ada"}/);
    const py = await invoke(a.accountKey, 'python-hello', { name: 'Guido' });
    expect(py.json).toMatchObject({ message: 'Hello, Guido!', requestId: py.headers.get('x-tally-request-id') });
    const sh = await invoke(a.accountKey, 'shell-echo', { text: 'hi' }, '?log=tail');
    expect(sh.json).toEqual({ echo: { text: 'hi' }, shell: 'Linux' });
    expect(Buffer.from(sh.headers.get('x-tally-log-result')!, 'base64').toString()).toContain('event received: {"text":"hi"}');
    expect((await invoke(a.accountKey, 'shell-echo', { text: 'again' })).headers.get('x-tally-init-duration-ms')).toBeNull();
  });

  it('meters every invocation: GET /v1/usage shows the billed milliseconds the headers announced', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'metered', makeZip([{ name: 'index.js', data: TOOLS }]), {
      handler: 'index.sleep',
      memoryMb: 512,
      timeoutS: 1,
    });
    const answers = [];
    for (const ms of [1, 20, 5000, 30]) answers.push(await invoke(a.accountKey, 'metered', { ms }));
    const billed = answers.reduce((n, r) => n + Number(r.headers.get('x-tally-billed-duration-ms')), 0);
    expect(billed).toBeGreaterThan(1050);
    await expect
      .poll(() => usageTotals(t.base, a.accountKey, 'metered'), { timeout: 5000 })
      .toMatchObject({ requests: 4, billedMs: billed, timeouts: 1 });
    const totals = await usageTotals(t.base, a.accountKey, 'metered');
    // GB-s = billed ms x 512 MB / 1024 / 1000, exactly.
    expect(totals.gbSeconds).toBe(String((billed * 512) / 1024 / 1000));
  });
});
