import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FunctionPool, TooManyRequestsError } from '../../executor/runtime/pool.js';
import type { FunctionSpec } from '../../executor/runtime/types.js';
import type { Isolation } from '../../executor/sandbox/isolation.js';
import { copyFixtures, event, frontOf, invokeSpec, json, makeSpec, processesOf, silentLog, useSandbox } from './helpers.js';

const fixtures = copyFixtures();
const sandbox = useSandbox();
const pools: FunctionPool[] = [];

function pool(capacity = 4, idleTimeoutMs = 60_000, maxAgeMs?: number): FunctionPool {
  const created = new FunctionPool({ log: silentLog, capacity, idleTimeoutMs, maxAgeMs, instance: { isolation: sandbox.isolation } });
  pools.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(() => fixtures.remove());

const code = (): string => fixtures.dir('node-cjs-js');

/** The pool's one instance is stopped (none counted, no process of its uid left), and the next call is a cold start. */
async function expectStoppedThenCold(p: FunctionPool, spec: FunctionSpec, uid: number): Promise<void> {
  await expect.poll(() => p.stats().instances, { timeout: 3000, interval: 25 }).toBe(0);
  await expect.poll(() => processesOf(uid).length, { timeout: 2000, interval: 25 }).toBe(0);
  const again = await p.invoke(spec, event({}), 'after-stop');
  expect(again.initDurationMs).toBeGreaterThan(0);
}

describe('function pool', () => {
  it('reuses a warm instance and counts instances and busy ones', async () => {
    const p = pool();
    const spec = makeSpec(code());
    const first = await p.invoke(spec, event({}), 'r1');
    const second = await p.invoke(spec, event({}), 'r2');
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(second.initDurationMs).toBeUndefined();
    expect(json(second.payload).pid).toBe(json(first.payload).pid);
    expect(p.stats()).toEqual({ instances: 1, busy: 0 });

    const running = p.invoke({ ...spec, handler: 'index.sleep' }, event({ ms: 200 }), 'r3');
    expect(p.stats()).toEqual({ instances: 1, busy: 1 });
    await running;
  });

  it('scales out when all instances are busy, up to the reserved concurrency', async () => {
    const p = pool(10);
    const spec = makeSpec(code(), { handler: 'index.sleep', reservedConcurrency: 2 });
    const a = p.invoke(spec, event({ ms: 300 }), 'c1');
    const b = p.invoke(spec, event({ ms: 300 }), 'c2');
    await expect(p.invoke(spec, event({ ms: 1 }), 'c3')).rejects.toMatchObject({
      name: 'TooManyRequestsError',
      reason: 'reserved_concurrency',
      statusCode: 429,
    });
    expect(p.stats()).toEqual({ instances: 2, busy: 2 });
    const results = await Promise.all([a, b]);
    expect(results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(results.every((r) => r.initDurationMs !== undefined)).toBe(true);
    const after = await p.invoke(spec, event({ ms: 1 }), 'c4');
    expect(after.initDurationMs).toBeUndefined();
  });

  it('refuses beyond the executor capacity, and evicts an idle instance of another function for room', async () => {
    const p = pool(1);
    const sleeper = makeSpec(code(), { handler: 'index.sleep' });
    const other = makeSpec(code());
    const busy = p.invoke(sleeper, event({ ms: 300 }), 'cap1');
    const refused = p.invoke(other, event({}), 'cap2');
    await expect(refused).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(refused).rejects.toMatchObject({ reason: 'executor_capacity' });
    await busy;
    const ran = await p.invoke(other, event({}), 'cap3');
    expect(ran.status).toBe('success');
    expect(p.stats().instances).toBe(1);
  });

  it('replaces an instance that timed out with a fresh one', async () => {
    const p = pool();
    const spec = makeSpec(code(), { handler: 'index.sleep', timeoutS: 0.3 });
    const warm = await p.invoke(spec, event({ ms: 1 }), 't1');
    expect(warm.status).toBe('success');
    const timedOut = await p.invoke(spec, event({ ms: 5000 }), 't2');
    expect(timedOut.status).toBe('timeout');
    expect(timedOut.billedDurationMs).toBe(300);
    const next = await p.invoke(spec, event({ ms: 1 }), 't3');
    expect(next.status).toBe('success');
    expect(next.initDurationMs).toBeGreaterThan(0);
  });

  it('reports an uncaught exception, then runs the next call on a fresh instance', async () => {
    const p = pool();
    const spec = makeSpec(code(), { handler: 'index.uncaught' });
    const failed = await p.invoke(spec, event({}), 'u1');
    expect(failed.status).toBe('error');
    expect(json(failed.payload)).toMatchObject({ errorType: 'RangeError', errorMessage: 'async boom' });
    // Right away, while the failed instance is still exiting: must not surface as an error.
    const next = await p.invoke({ ...spec, handler: 'index.handler' }, event({ n: 1 }), 'u2');
    expect(next.status).toBe('success');
  });

  it('reaps instances idle longer than the idle timeout', async () => {
    const p = pool(4, 150);
    const spec = makeSpec(code());
    const first = await p.invoke(spec, event({}), 'i1');
    const uid = json(first.payload).uid as number;
    expect(processesOf(uid).length).toBeGreaterThan(0);
    expect(p.stats().instances).toBe(1);
    await expectStoppedThenCold(p, spec, uid);
  });

  it('retires an idle instance at its maximum age, and the next call starts a fresh one', async () => {
    const p = pool(4, 60_000, 600);
    const spec = makeSpec(code());
    const first = await p.invoke(spec, event({}), 'age1');
    const warm = await p.invoke(spec, event({}), 'age2');
    expect(warm.initDurationMs).toBeUndefined();
    const uid = json(first.payload).uid as number;
    // Not idle long (the idle timeout is a minute), only old: the reaper stops it all the same.
    await expectStoppedThenCold(p, spec, uid);
  });

  it('lets an instance that reaches its age mid-invocation finish it, then takes the next call on a fresh one', async () => {
    // A long reaper interval would let the age pass unnoticed: the call itself must not reuse an old instance.
    const p = pool(4, 60_000, 500);
    const sleeper = makeSpec(code(), { handler: 'index.sleep' });
    const cold = await p.invoke(sleeper, event({ ms: 1 }), 'busy1');
    expect(cold.initDurationMs).toBeGreaterThan(0);
    const long = await p.invoke(sleeper, event({ ms: 800 }), 'busy2');
    expect(long.status).toBe('success');
    expect(long.initDurationMs).toBeUndefined();
    expect(json(long.payload)).toBe('woke');
    const next = await p.invoke(sleeper, event({ ms: 1 }), 'busy3');
    expect(next.status).toBe('success');
    expect(next.initDurationMs).toBeGreaterThan(0);
  });

  it('kills every instance on close', async () => {
    const p = pool();
    const spec = makeSpec(code());
    const result = await p.invoke(spec, event({}), 'k1');
    const uid = json(result.payload).uid as number;
    expect(processesOf(uid).length).toBeGreaterThan(0);
    await p.close();
    expect(processesOf(uid)).toEqual([]);
    await expect(p.invoke(spec, event({}), 'k2')).rejects.toThrow(/closed/);
  });

  it('releases the sandbox of an instance whose pool closed while the sandbox was being made', async () => {
    // Found reading the code on 2026-12-07: the instance's clean-up ran with no sandbox yet to close,
    // and the one that arrived after was never closed (its uid, network and scratch disk stayed taken).
    let opened!: () => void;
    const gate = new Promise<void>((resolve) => {
      opened = resolve;
    });
    let entered!: () => void;
    const inOpen = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let closes = 0;
    const isolation: Isolation = {
      mode: sandbox.isolation.mode,
      open: async (spec, runtime) => {
        const box = await sandbox.isolation.open(spec, runtime);
        entered();
        await gate;
        const close = box.close.bind(box);
        return Object.assign(Object.create(box), {
          close: async () => {
            closes += 1;
            await close();
          },
        });
      },
      close: async () => undefined,
    };
    const p = new FunctionPool({ log: silentLog, capacity: 2, idleTimeoutMs: 60_000, instance: { isolation } });
    const running = p.invoke(makeSpec(code()), event({}), 'during-open');
    // Closed once the sandbox is made and not yet handed back: the window the fix is about.
    await inOpen;
    const closing = p.close();
    opened();
    await expect(running).rejects.toThrow(/could not start an instance/);
    await closing;
    await expect.poll(() => closes, { timeout: 3000, interval: 25 }).toBe(1);
  });

  it('starts nothing for a call that was waiting on the interpreter lookup when the pool closed', async () => {
    let opens = 0;
    const isolation: Isolation = {
      mode: sandbox.isolation.mode,
      open: async (spec, runtime) => {
        opens += 1;
        return sandbox.isolation.open(spec, runtime);
      },
      close: async () => undefined,
    };
    // No pythonPath given: the first Python call looks the interpreter up, and the pool closes meanwhile.
    const p = new FunctionPool({ log: silentLog, capacity: 2, idleTimeoutMs: 60_000, instance: { isolation } });
    const running = p.invoke(makeSpec(fixtures.dir('python'), { runtime: 'python', handler: 'app.handler' }), event({}), 'during-lookup');
    await p.close();
    await expect(running).rejects.toThrow(/closed/);
    expect(opens).toBe(0);
  });

  it('bills and reports nothing for the start of an instance whose sandbox could not be made', async () => {
    // Found on 2026-12-07: init was counted from a spawn that never happened (time 0 of the process's
    // clock), so such a failure billed up to the 10 s that init counts, for a function that never ran;
    // and it was answered as the function's own Runtime.ExitError, a request counted. Now nothing ran.
    const isolation: Isolation = {
      mode: sandbox.isolation.mode,
      open: async () => {
        throw new Error('no uid left');
      },
      close: async () => undefined,
    };
    const p = new FunctionPool({ log: silentLog, capacity: 2, idleTimeoutMs: 60_000, instance: { isolation } });
    pools.push(p);
    await expect(p.invoke(makeSpec(code()), event({}), 'no-sandbox')).rejects.toMatchObject({
      name: 'StartFailedError',
      message: expect.stringMatching(/no uid left/),
    });
    expect(p.stats()).toEqual({ instances: 0, busy: 0 });
    // At the executor's front: a 502 of its own, and no usage spooled, so nothing is billed or counted.
    const { front, records } = frontOf(p);
    const spec = Buffer.from(JSON.stringify(invokeSpec()));
    const answer = await front.local({ spec, event: Buffer.from('{}'), requestId: randomUUID(), logTail: false });
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body.toString()).error.code).toBe('INSTANCE_START_FAILED');
    expect(records).toEqual([]);
  });
});
