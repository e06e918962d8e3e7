import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FunctionInstance, type InstanceOptions } from '../../executor/runtime/instance.js';
import type { FunctionSpec } from '../../executor/runtime/types.js';
import { copyFixtures, event, isAlive, json, makeSpec, silentLog, useSandbox } from './helpers.js';

const fixtures = copyFixtures();
const sandbox = useSandbox();
const live: FunctionInstance[] = [];

function instance(overrides: Partial<FunctionSpec> = {}, dir = 'node-cjs-js', options: Partial<InstanceOptions> = {}): FunctionInstance {
  const created = new FunctionInstance(makeSpec(fixtures.dir(dir), overrides), {
    log: silentLog,
    isolation: sandbox.isolation,
    ...options,
  });
  live.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.dispose()));
});
afterAll(() => fixtures.remove());

const REPORT = new RegExp(
  '^REPORT RequestId: (\\S+)\\tDuration: (\\d+\\.\\d{2}) ms\\tBilled Duration: (\\d+) ms\\t' +
    'Memory Size: (\\d+) MB\\tMax Memory Used: (\\d+) MB(\\tInit Duration: (\\d+\\.\\d{2}) ms)?$',
);

describe('node runtime', () => {
  it('runs an async handler with Lambda context, cold then warm in the same process', async () => {
    const fn = instance();
    const first = await fn.invoke(event({ hello: 'world' }), { requestId: 'req-1' });
    expect(first.status).toBe('success');
    const body = json(first.payload);
    expect(body).toMatchObject({ echo: { hello: 'world' }, requestId: 'req-1', memoryLimitInMB: '128' });
    expect(body.arn).toMatch(/^arn:aws:lambda:local:\d{12}:function:test-fn-\d+$/);
    expect(body.remainingMs).toBeGreaterThan(2000);
    expect(body.remainingMs).toBeLessThanOrEqual(3000);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(first.durationMs).toBeGreaterThan(0);
    expect(first.billedDurationMs).toBe(Math.ceil(first.durationMs + first.initDurationMs!));
    expect(first.maxMemoryUsedMb).toBeGreaterThan(4);

    const second = await fn.invoke(event({ n: 2 }), { requestId: 'req-2' });
    expect(second.status).toBe('success');
    expect(second.initDurationMs).toBeUndefined();
    expect(json(second.payload).pid).toBe(body.pid);
    expect(second.billedDurationMs).toBe(Math.ceil(second.durationMs));
  });

  it('ends the log with START, the output, END and a REPORT line in Lambda format', async () => {
    const fn = instance();
    const cold = await fn.invoke(event({ a: 1 }), { requestId: 'req-log' });
    const lines = cold.log.trimEnd().split('\n');
    expect(lines[0]).toBe('START RequestId: req-log Version: 1');
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT.*Z\treq-log\tINFO\tgot event \{"a":1\}$/);
    expect(lines.at(-2)).toBe('END RequestId: req-log');
    const report = REPORT.exec(lines.at(-1)!);
    expect(report).not.toBeNull();
    expect(report![1]).toBe('req-log');
    expect(report![2]).toBe(cold.durationMs.toFixed(2));
    expect(Number(report![3])).toBe(cold.billedDurationMs);
    expect(report![4]).toBe('128');
    expect(Number(report![5])).toBe(cold.maxMemoryUsedMb);
    expect(report![7]).toBe(cold.initDurationMs!.toFixed(2));

    const warm = await fn.invoke(event({ a: 2 }), { requestId: 'req-log-2' });
    expect(warm.log).not.toContain('Init Duration');
    expect(warm.log.trimEnd().split('\n').at(-1)).toMatch(REPORT);
  });

  it.each([
    ['node-esm', 'index.handler', 'mjs'],
    ['node-cjs', 'index.handler', 'cjs'],
    ['node-nested', 'lib/app.handler', 'nested'],
  ])('resolves %s (%s)', async (dir, handler, kind) => {
    const result = await instance({ handler }, dir).invoke(event({ x: 1 }), { requestId: `req-${kind}` });
    expect(result.status).toBe('success');
    expect(json(result.payload)).toEqual({ kind, echo: { x: 1 } });
  });

  it('waits for the event loop to drain after a callback, unless told not to', async () => {
    const waits = await instance({ handler: 'index.callback' }).invoke(event({}), { requestId: 'req-cb' });
    expect(waits.status).toBe('success');
    expect(json(waits.payload)).toEqual({ viaCallback: true, ticksAtCallback: 0 });
    expect(waits.durationMs).toBeGreaterThanOrEqual(140);
    expect(waits.log).toContain('timer done');

    const fast = await instance({ handler: 'index.callbackNoWait' }).invoke(event({}), { requestId: 'req-cb2' });
    expect(json(fast.payload)).toBe('fast');
    expect(fast.durationMs).toBeLessThan(1000);
  });

  it('answers a callback error and context.succeed/done/fail at once, as Lambda does, without waiting for the event loop', async () => {
    // Lambda's runtime waits for an empty event loop only after callback(null, result); an error through the
    // callback, and the legacy context methods, are posted at once (aws-lambda-nodejs-runtime-interface-client,
    // CallbackContext.js). A function with an open connection would otherwise run, billed, until its timeout.
    const fn = instance({ handler: 'index.callbackErrorBusy', timeoutS: 5 });
    const cb = await fn.invoke(event({}), { requestId: 'req-cbe-busy' });
    expect(cb.status).toBe('error');
    expect(json(cb.payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    expect(cb.durationMs).toBeLessThan(1000);

    for (const [handler, expected] of [
      ['index.succeedBusy', { via: 'succeed' }],
      ['index.doneBusy', { via: 'done' }],
    ] as const) {
      const result = await instance({ handler, timeoutS: 5 }).invoke(event({}), { requestId: `req-${handler}` });
      expect(result.status, handler).toBe('success');
      expect(json(result.payload)).toEqual(expected);
      expect(result.durationMs, handler).toBeLessThan(1000);
    }

    const failed = await instance({ handler: 'index.failBusy', timeoutS: 5 }).invoke(event({}), { requestId: 'req-fail-busy' });
    expect(failed.status).toBe('error');
    expect(json(failed.payload)).toMatchObject({ errorType: 'string', errorMessage: 'handled' });
    expect(failed.durationMs).toBeLessThan(1000);
  });

  it('fails an async handler whose promise never settles once nothing is left to run, as Runtime.NodeJsExit', async () => {
    const result = await instance({ handler: 'index.neverSettles' }).invoke(event({}), { requestId: 'req-never' });
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Runtime.NodeJsExit');
    expect(json(result.payload).errorType).toBe('Runtime.NodeJsExit');
  });

  it('returns a callback error and a thrown error as error JSON, keeping the instance', async () => {
    const cb = await instance({ handler: 'index.callbackError' }).invoke(event({}), { requestId: 'req-cbe' });
    expect(cb.status).toBe('error');
    expect(cb.errorType).toBe('TypeError');
    expect(json(cb.payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });

    const fn = instance({ handler: 'index.throws' });
    const thrown = await fn.invoke(event({}), { requestId: 'req-throw' });
    expect(thrown.status).toBe('error');
    expect(thrown.errorType).toBe('CustomError');
    const payload = json(thrown.payload);
    expect(payload).toMatchObject({ errorType: 'CustomError', errorMessage: 'boom' });
    // Lambda's Node.js runtime names the stack `trace`, its first line the error itself (Errors.js, toRapidResponse).
    expect(payload.trace[0]).toBe('CustomError: boom');
    expect(payload.trace[1]).toMatch(/^ {4}at .*\/var\/task\/index\.js:\d+:\d+\)?$/);
    expect(payload.stackTrace).toBeUndefined();
    expect(thrown.log).toContain('Invoke Error');
    expect(fn.alive).toBe(true);
    const again = await fn.invoke(event({}), { requestId: 'req-throw-2' });
    expect(again.initDurationMs).toBeUndefined();
  });

  it("fails an invocation whose stray promise rejects as Runtime.UnhandledPromiseRejection, as Lambda's runtime does", async () => {
    // index.mjs of Lambda's runtime: the reason is wrapped in Runtime.UnhandledPromiseRejection (message: the reason as text).
    const result = await instance({ handler: 'index.floatingRejection' }).invoke(event({}), { requestId: 'req-reject' });
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Runtime.UnhandledPromiseRejection');
    expect(json(result.payload)).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: floating' });
  });

  it('reports a missing handler or module as an init error', async () => {
    const missing = instance({ handler: 'index.nope' });
    const result = await missing.invoke(event({}), { requestId: 'req-missing' });
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Runtime.InitError');
    expect(json(result.payload)).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.nope is undefined or not exported',
    });
    expect(result.initDurationMs).toBeGreaterThan(0);
    expect(result.durationMs).toBe(0);
    expect(missing.alive).toBe(false);

    const noModule = await instance({ handler: 'nothere.handler' }).invoke(event({}), { requestId: 'req-nomod' });
    expect(noModule.errorType).toBe('Runtime.InitError');
    expect(json(noModule.payload).errorType).toBe('Runtime.ImportModuleError');
  });

  it('gives the function a clean environment, its code at /var/task and its own /tmp', async () => {
    process.env.TALLY_TEST_SECRET = 'executor-secret';
    process.env.NODE_EXTRA_CA_CERTS ??= '/etc/ssl/certs/ca-certificates.crt';
    const fn = instance({ handler: 'index.env', environment: { GREETING: 'hi', AWS_REGION: 'spoofed' }, memoryMb: 256 });
    const result = await fn.invoke(event({}), { requestId: 'req-env' });
    delete process.env.TALLY_TEST_SECRET;
    const { env, cwd, execArgv } = json(result.payload);
    expect(env.TALLY_TEST_SECRET).toBeUndefined();
    expect(env.NODE_EXTRA_CA_CERTS).toBeUndefined();
    expect(env).toMatchObject({
      GREETING: 'hi',
      TZ: ':UTC',
      AWS_REGION: 'local',
      AWS_DEFAULT_REGION: 'local',
      _HANDLER: 'index.env',
      LAMBDA_TASK_ROOT: '/var/task',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '1',
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
      HOME: '/tmp',
      TMPDIR: '/tmp',
    });
    expect(Object.keys(env).filter((k) => k.startsWith('TALLY_'))).toEqual([]);
    expect(env.AWS_LAMBDA_LOG_GROUP_NAME).toBe(`/aws/lambda/${fn.spec.name}`);
    expect(cwd).toBe('/var/task');
    expect(execArgv).toContain('--max-old-space-size=230');
  });
});

describe('node runtime limits', () => {
  it('kills the instance at the timeout, bills the timeout, and cold-starts the next call', async () => {
    const fn = instance({ handler: 'index.sleep', timeoutS: 0.5 });
    await fn.invoke(event({ ms: 1 }), { requestId: 'req-warmup' });
    const pid = fn.pid!;
    const result = await fn.invoke(event({ ms: 5000 }), { requestId: 'req-timeout' });
    expect(result.status).toBe('timeout');
    expect(result.errorType).toBe('Sandbox.Timedout');
    expect(json(result.payload)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.50 seconds' });
    expect(result.durationMs).toBe(500);
    expect(result.billedDurationMs).toBe(500);
    expect(result.log).toMatch(/req-timeout Task timed out after 0\.50 seconds\n/);
    expect(result.log).toMatch(/Status: timeout/);
    expect(fn.alive).toBe(false);
    await expect.poll(() => isAlive(pid)).toBe(false);
  });

  it('kills an instance that goes over its memory as Runtime.OutOfMemory', async () => {
    const fn = instance({ handler: 'index.hog', memoryMb: 128, timeoutS: 10 });
    const result = await fn.invoke(event({}), { requestId: 'req-oom' });
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Runtime.OutOfMemory');
    expect(json(result.payload).errorType).toBe('Runtime.OutOfMemory');
    // The kernel's count for the cgroup, which cannot pass the limit: the instance was at its ceiling.
    expect(result.maxMemoryUsedMb).toBeGreaterThanOrEqual(120);
    expect(result.maxMemoryUsedMb).toBeLessThanOrEqual(128);
    expect(result.log).toContain('Error Type: Runtime.OutOfMemory');
    expect(fn.alive).toBe(false);
  });

  it('stops an init that outlasts the init timeout', async () => {
    const fn = instance({}, 'node-slow-init', { initTimeoutMs: 300 });
    const result = await fn.invoke(event({}), { requestId: 'req-slow-init' });
    expect(result.status).toBe('timeout');
    expect(result.errorType).toBe('Sandbox.Timedout');
    expect(result.durationMs).toBe(0);
    expect(result.initDurationMs).toBe(300); // stopped at its limit, however late its timer ran
    expect(result.billedDurationMs).toBe(Math.ceil(result.initDurationMs!));
    expect(fn.alive).toBe(false);
  });

  it('turns a crash mid-invocation into Runtime.ExitError with the exit status', async () => {
    const fn = instance({ handler: 'index.crash' });
    const result = await fn.invoke(event({}), { requestId: 'req-crash' });
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Runtime.ExitError');
    expect(json(result.payload).errorMessage).toBe('RequestId: req-crash Error: Runtime exited with error: exit status 3');
    expect(fn.alive).toBe(false);
  });

  it('refuses a response over 6 MB as Function.ResponseSizeTooLarge', async () => {
    const fn = instance({ handler: 'index.big' });
    const result = await fn.invoke(event({ bytes: 7 * 1024 * 1024 }), { requestId: 'req-big' });
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Function.ResponseSizeTooLarge');
    const ok = await fn.invoke(event({ bytes: 1024 }), { requestId: 'req-small' });
    expect(ok.status).toBe('success');
  });
});
