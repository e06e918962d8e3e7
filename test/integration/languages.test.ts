import { describe, expect, it, beforeAll } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { FIXTURES, goBootstrap, javaFunction } from '../helpers/builds.js';
import { b64, call, usageTotals, useFunctionsApp, zipTree } from '../helpers/functions.js';

/**
 * A real function per language through the api, deployed with AWS's runtime identifiers: its
 * result, an error, a timeout and the REPORT line of each, and the usage billed for them.
 */
const t = useFunctionsApp();
const zips: Record<'ruby' | 'java' | 'go', Buffer> = { ruby: Buffer.alloc(0), java: Buffer.alloc(0), go: Buffer.alloc(0) };

beforeAll(async () => {
  const [java, go] = await Promise.all([javaFunction(), goBootstrap()]);
  zips.ruby = zipTree(`${FIXTURES}ruby`);
  zips.java = zipTree(java);
  zips.go = zipTree(go);
}, 120_000);

const invoke = (key: string, name: string, event: unknown, handlerVersion = '') =>
  call(t.base, key, 'POST', `/v1/functions/${name}/invoke?log=tail${handlerVersion}`, event);
const logOf = (r: { headers: Headers }) => Buffer.from(r.headers.get('x-tally-log-result') ?? '', 'base64').toString('utf8');
const REPORT =
  /REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: \d+ MB\tMax Memory Used: \d+ MB/;

async function deploy(key: string, body: Record<string, unknown>) {
  const r = await call(t.base, key, 'POST', '/v1/functions', { timeoutS: 1, ...body });
  expect(r.status, r.text).toBe(201);
  return r.json;
}

/** Switches the function's handler (a new version) and invokes it. */
async function withHandler(key: string, name: string, handler: string, event: unknown) {
  const patched = await call(t.base, key, 'PATCH', `/v1/functions/${name}/configuration`, { handler });
  expect(patched.status, patched.text).toBe(200);
  return invoke(key, name, event);
}

describe('ruby (ruby3.2)', () => {
  it('answers, fails in Lambda shape, times out, and reports each', async () => {
    const a = await newTenant(t.app);
    const fn = await deploy(a.accountKey, { name: 'rb', runtime: 'ruby3.2', handler: 'lambda_function.handler', zipFile: b64(zips.ruby) });
    expect(fn.runtime).toBe('ruby');
    const ok = await invoke(a.accountKey, 'rb', { q: 1 });
    expect(ok.json).toMatchObject({ echo: { q: 1 }, requestId: ok.headers.get('x-tally-request-id') });
    expect(logOf(ok)).toMatch(REPORT);
    expect(logOf(ok)).toMatch(/Init Duration: [\d.]+ ms/);
    expect(logOf(ok)).toContain(`\t${ok.headers.get('x-tally-request-id')}\tINFO\truby got {"q":1}`);

    const failed = await withHandler(a.accountKey, 'rb', 'lambda_function.fail', {});
    expect(failed.headers.get('x-tally-function-error')).toBe('Unhandled');
    expect(failed.json).toMatchObject({ errorType: 'Function<ArgumentError>', errorMessage: 'ruby says no' });
    expect(logOf(failed)).toMatch(REPORT);

    const slow = await withHandler(a.accountKey, 'rb', 'lambda_function.sleepy', { s: 5 });
    expect(slow.headers.get('x-tally-error-type')).toBe('Sandbox.Timedout');
    expect(logOf(slow)).toMatch(/Billed Duration: 1\d\d\d ms.*Status: timeout/);
    await expect
      .poll(() => usageTotals(t.base, a.accountKey, 'rb'), { timeout: 5000 })
      .toMatchObject({ requests: 3, errors: 1, timeouts: 1 });
  });

  it('refuses a handler whose file the zip lacks', async () => {
    const a = await newTenant(t.app);
    const r = await call(t.base, a.accountKey, 'POST', '/v1/functions', {
      name: 'no',
      runtime: 'ruby',
      handler: 'missing.handler',
      zipFile: b64(zips.ruby),
    });
    expect([r.status, r.json.error.code]).toEqual([400, 'HANDLER_NOT_FOUND']);
    expect(r.json.error.message).toContain('missing.rb');
  });
});

describe('java (java17)', () => {
  it('answers through a POJO handler and a stream handler, fails, times out, and reports each', async () => {
    const a = await newTenant(t.app);
    const fn = await deploy(a.accountKey, {
      name: 'jv',
      runtime: 'java17',
      handler: 'example.Orders::total',
      memoryMb: 512,
      zipFile: b64(zips.java),
    });
    expect(fn.runtime).toBe('java');
    const pojo = await invoke(a.accountKey, 'jv', { item: 'tea', quantity: 2, unitPrice: 2.25 });
    expect(pojo.json).toEqual({ line: '2 x tea', total: 4.5 });
    expect(logOf(pojo)).toMatch(REPORT);
    expect(Number(pojo.headers.get('x-tally-init-duration-ms'))).toBeGreaterThan(0);

    const stream = await withHandler(a.accountKey, 'jv', 'example.Shout', Buffer.from('"whisper"'));
    expect(stream.json).toBe('WHISPER');

    const failed = await withHandler(a.accountKey, 'jv', 'example.Hello::fail', {});
    expect(failed.headers.get('x-tally-function-error')).toBe('Unhandled');
    expect(failed.json).toMatchObject({ errorType: 'java.lang.IllegalStateException', errorMessage: 'java says no' });

    // Warm first, so the timeout falls on the handler (a JVM's cold start may take most of a second).
    await withHandler(a.accountKey, 'jv', 'example.Hello::sleep', { ms: 1 });
    const slow = await invoke(a.accountKey, 'jv', { ms: 5000 });
    expect(slow.headers.get('x-tally-error-type')).toBe('Sandbox.Timedout');
    expect(logOf(slow)).toMatch(/Billed Duration: 1000 ms.*Status: timeout/);
    await expect
      .poll(() => usageTotals(t.base, a.accountKey, 'jv'), { timeout: 5000 })
      .toMatchObject({ requests: 5, errors: 1, timeouts: 1 });
  });
});

describe('go (provided.al2023)', () => {
  it('runs a Go bootstrap built in the test: answers, fails, times out, and reports each', async () => {
    const a = await newTenant(t.app);
    const fn = await deploy(a.accountKey, { name: 'go', runtime: 'provided.al2023', handler: 'hello.handler', zipFile: b64(zips.go) });
    expect(fn.runtime).toBe('provided');
    const ok = await invoke(a.accountKey, 'go', { name: 'gopher' });
    expect(ok.json).toMatchObject({ hello: 'gopher', handler: 'hello.handler', taskRoot: '/var/task' });
    expect(logOf(ok)).toMatch(REPORT);
    const failed = await invoke(a.accountKey, 'go', { action: 'fail', name: 'x' });
    expect(failed.json).toEqual({ errorType: 'GoError', errorMessage: 'go says no to x' });
    const slow = await invoke(a.accountKey, 'go', { action: 'sleep', ms: 5000 });
    expect(logOf(slow)).toMatch(/Billed Duration: 1000 ms.*Status: timeout/);
    await expect
      .poll(() => usageTotals(t.base, a.accountKey, 'go'), { timeout: 5000 })
      .toMatchObject({ requests: 3, errors: 1, timeouts: 1 });
  });
});
