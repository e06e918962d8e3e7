import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FunctionInstance } from '../../executor/runtime/instance.js';
import type { FunctionSpec } from '../../executor/runtime/types.js';
import { goBootstrap, javaFunction, javaRuntime } from '../helpers/builds.js';
import { copyFixtures, event, json, makeSpec, silentLog, useSandbox } from './helpers.js';

/**
 * Ruby, Java and a Go `provided` bootstrap inside the same kernel sandbox as every other runtime:
 * each runs as an unprivileged uid of its own and sees nothing of the host.
 */
const fixtures = copyFixtures();
const sandbox = useSandbox();
const live: FunctionInstance[] = [];
const dirs = { java: '', javaRuntime: '', go: '' };

beforeAll(async () => {
  [dirs.javaRuntime, dirs.java, dirs.go] = await Promise.all([javaRuntime(), javaFunction(), goBootstrap()]);
}, 120_000);
afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.dispose()));
});
afterAll(() => fixtures.remove());

function instance(codeDir: string, overrides: Partial<FunctionSpec>): FunctionInstance {
  const created = new FunctionInstance(makeSpec(codeDir, overrides), {
    log: silentLog,
    isolation: sandbox.isolation,
    javaRuntimeDir: dirs.javaRuntime,
  });
  live.push(created);
  return created;
}

/** Paths a contained function must not read (the executor's files, the host's secrets, this repository). */
const SECRETS = ['/etc/shadow', '/root/.bashrc', '/work', process.cwd(), '/run/tally-sandbox', '/proc/1/root/etc/shadow'];

function expectContained(identity: { uid: number; capEff: string; pids: number; root: string[]; reads: Record<string, { ok: boolean }> }) {
  expect(identity.uid).toBeGreaterThanOrEqual(1_000_000_000);
  expect(identity.capEff).toBe('0000000000000000');
  // Its own pid namespace: bwrap's init and the runtime (and the JVM's own view of them).
  expect(identity.pids).toBeLessThanOrEqual(3);
  expect(identity.root).not.toContain('home');
  expect(identity.root).not.toContain('work');
  for (const p of SECRETS) expect(identity.reads[p], p).toMatchObject({ ok: false });
}

describe('ruby runtime', () => {
  it('calls handler(event:, context:) with a Lambda context, warm on the second call, logs carrying the request id', async () => {
    const fn = instance(fixtures.dir('ruby'), { runtime: 'ruby', handler: 'lambda_function.handler', memoryMb: 256 });
    const first = await fn.invoke(event({ q: 'x' }), { requestId: 'rb-1' });
    expect(first.status).toBe('success');
    const body = json(first.payload);
    expect(body).toMatchObject({ echo: { q: 'x' }, requestId: 'rb-1', memory: '256', functionName: fn.spec.name, home: '/tmp' });
    expect(body.remainingMs).toBeGreaterThan(2000);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(first.log).toMatch(/\trb-1\tINFO\truby got \{"q":"x"\}\n/);
    const second = await fn.invoke(event({ q: 'y' }), { requestId: 'rb-2' });
    expect(second.initDurationMs).toBeUndefined();
    expect(json(second.payload).pid).toBe(body.pid);
  });

  it('calls a class method (file.Module::Class.method)', async () => {
    const fn = instance(fixtures.dir('ruby'), { runtime: 'ruby', handler: 'lambda_function.Shop::Cart.total' });
    const r = await fn.invoke(
      event({
        items: [
          { price: 3, qty: 2 },
          { price: 1, qty: 4 },
        ],
      }),
      { requestId: 'rb-cart' },
    );
    expect(json(r.payload)).toBe(10);
  });

  it("returns a raised error in Lambda's Ruby shape, and reports a syntax error as an init error", async () => {
    const r = await instance(fixtures.dir('ruby'), { runtime: 'ruby', handler: 'lambda_function.fail' }).invoke(event({}), {
      requestId: 'rb-err',
    });
    expect(r.status).toBe('error');
    expect(r.errorType).toBe('Function<ArgumentError>');
    expect(json(r.payload)).toMatchObject({ errorType: 'Function<ArgumentError>', errorMessage: 'ruby says no' });
    expect(json(r.payload).stackTrace[0]).toMatch(/lambda_function\.rb:\d+:in `fail'/);
    expect(r.log).toContain('Error raised from handler method');

    const broken = await instance(fixtures.dir('ruby'), { runtime: 'ruby', handler: 'broken.handler' }).invoke(event({}), {
      requestId: 'rb-syntax',
    });
    expect(broken.errorType).toBe('Runtime.InitError');
    expect(json(broken.payload).errorType).toBe('Init<Runtime.UserCodeSyntaxError>');
  });

  it('finds gems shipped in vendor/bundle, as Lambda does, and loads rubygems only then', async () => {
    const r = await instance(fixtures.dir('ruby-gems'), { runtime: 'ruby', handler: 'app.handler' }).invoke(event({ text: 'hi' }), {
      requestId: 'rb-gems',
    });
    expect(json(r.payload)).toEqual({ shouted: 'HI!', gems: 'loaded' });
  });

  it('runs as its own unprivileged uid with no view of the host', async () => {
    const fn = instance(fixtures.dir('ruby'), { runtime: 'ruby', handler: 'lambda_function.identity' });
    const r = json((await fn.invoke(event({ paths: SECRETS }), { requestId: 'rb-id' })).payload);
    expectContained(r);
    expect(r.noNewPrivs).toBe('1');
    expect(r.hostname).toBe('sandbox');
  });
});

describe('java runtime', () => {
  it('runs a RequestHandler with a Map in and out, classes from the root and jars from lib/', async () => {
    const fn = instance(dirs.java, { runtime: 'java', handler: 'example.Hello', memoryMb: 512, timeoutS: 10 });
    const first = await fn.invoke(event({ name: 'ada' }), { requestId: 'jv-1' });
    expect(first.status, first.log).toBe('success');
    const body = json(first.payload);
    expect(body).toMatchObject({
      echo: { name: 'ada' },
      greeting: 'hello, ada',
      requestId: 'jv-1',
      memory: 512,
      functionName: fn.spec.name,
    });
    expect(body.remainingMs).toBeGreaterThan(5000);
    expect(first.log).toContain('java got {name=ada}');
    const second = await fn.invoke(event({ name: 'bob' }), { requestId: 'jv-2' });
    expect(second.initDurationMs).toBeUndefined();
    // The handler object is made once per instance, at init.
    expect(json(second.payload).instance).toBe(body.instance);
  });

  it('maps a POJO in and out (package.Class::method), and streams bytes through a RequestStreamHandler', async () => {
    const pojo = instance(dirs.java, { runtime: 'java', handler: 'example.Orders::total', memoryMb: 512, timeoutS: 10 });
    const receipt = await pojo.invoke(event({ item: 'tea', quantity: 3, unitPrice: 1.5, ignored: true }), { requestId: 'jv-pojo' });
    expect(json(receipt.payload)).toEqual({ line: '3 x tea', total: 4.5 });
    const stream = instance(dirs.java, { runtime: 'java', handler: 'example.Shout', memoryMb: 512, timeoutS: 10 });
    const loud = await stream.invoke(Buffer.from('"quiet please"'), { requestId: 'jv-stream' });
    expect(loud.payload.toString()).toBe('"QUIET PLEASE"');
  });

  it('returns a thrown exception as error JSON, and a missing class as an init error', async () => {
    const r = await instance(dirs.java, { runtime: 'java', handler: 'example.Hello::fail', memoryMb: 512, timeoutS: 10 }).invoke(
      event({}),
      { requestId: 'jv-err' },
    );
    expect(r.errorType).toBe('java.lang.IllegalStateException');
    expect(json(r.payload)).toMatchObject({ errorType: 'java.lang.IllegalStateException', errorMessage: 'java says no' });
    expect(json(r.payload).stackTrace[0]).toMatch(/^example\.Hello\.fail\(Hello\.java:\d+\)$/);

    const missing = await instance(dirs.java, { runtime: 'java', handler: 'example.Nope::run', memoryMb: 512, timeoutS: 10 }).invoke(
      event({}),
      { requestId: 'jv-init' },
    );
    expect(missing.errorType).toBe('Runtime.InitError');
    expect(json(missing.payload)).toMatchObject({
      errorType: 'java.lang.ClassNotFoundException',
      errorMessage: 'Class not found: example.Nope',
    });
  });

  it('runs as its own unprivileged uid with no view of the host', async () => {
    const fn = instance(dirs.java, { runtime: 'java', handler: 'example.Hello::identity', memoryMb: 512, timeoutS: 10 });
    const r = json((await fn.invoke(event({ paths: SECRETS }), { requestId: 'jv-id' })).payload);
    const uid = Number(String(r.Uid).split(/\s+/)[0]);
    expectContained({ ...r, uid, capEff: r.CapEff });
    expect(r.NoNewPrivs).toBe('1');
  });
});

describe('go bootstrap on provided', () => {
  it('runs a static Go binary speaking the Runtime API, with its errors', async () => {
    const fn = instance(dirs.go, { runtime: 'provided', handler: 'hello.handler' });
    const r = await fn.invoke(event({ name: 'gopher' }), { requestId: 'go-1' });
    expect(json(r.payload)).toMatchObject({
      hello: 'gopher',
      requestId: 'go-1',
      handler: 'hello.handler',
      taskRoot: '/var/task',
      cwd: '/var/task',
    });
    expect(r.log).toContain('go got gopher in go-1');
    const failed = await fn.invoke(event({ action: 'fail', name: 'x' }), { requestId: 'go-2' });
    expect(failed.errorType).toBe('GoError');
    expect(json(failed.payload)).toEqual({ errorType: 'GoError', errorMessage: 'go says no to x' });
  });

  it('runs as its own unprivileged uid with no view of the host', async () => {
    const fn = instance(dirs.go, { runtime: 'provided', handler: 'x' });
    const r = json((await fn.invoke(event({ action: 'identity', paths: SECRETS }), { requestId: 'go-id' })).payload);
    expectContained(r);
    expect(r.hostname).toBe('sandbox');
  });
});
