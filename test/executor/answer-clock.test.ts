import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { answerClock, answerClockOff } from '../../executor/runtime/answer-clock.js';
import { FunctionInstance } from '../../executor/runtime/instance.js';
import { RuntimeApi } from '../../executor/runtime/runtime-api.js';
import type { Isolation } from '../../executor/sandbox/isolation.js';
import { copyFixtures, countedParks, event, makeSpec, silentLog, useSandbox, wrapIsolation } from './helpers.js';

/**
 * The answer clock (docs/billing-clock.md): an answer that waits for a busy executor's event loop is
 * billed to when it arrived, the instance is parked from then, and a runtime cannot end its billed
 * time early with bytes that are not its answer. Each test holds the executor's loop right after the
 * event goes out, as a saturated executor would.
 */
const fixtures = copyFixtures();
const sandbox = useSandbox({ spares: 0 });
const live: FunctionInstance[] = [];

afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.dispose()));
});
afterAll(() => fixtures.remove());

function hold(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** Holds the loop for `ms` once the event just handed off is on its way (after http's uncork tick). */
function holdAfterHandoff(ms: number): void {
  process.nextTick(() => process.nextTick(() => hold(ms)));
}

it('is built and running on this machine (the tests below would pass vacuously without it)', () => {
  expect(answerClockOff).toBeNull();
  expect(answerClock).not.toBeNull();
  // Its thread, by the name operators see in ps, top and perf.
  const threads = readdirSync('/proc/self/task').map((t) => readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim());
  expect(threads.filter((name) => name === 'answer-clock')).toHaveLength(1);
});

/**
 * The real sandbox, its executor's loop held for `ms` after each warm handoff (or from `afterMs`
 * after it): a warm call wakes the instance (unpark) and hands the event to its waiting `/next` in
 * the same turn.
 */
function busy(ms: number, afterMs = 0): Isolation {
  return wrapIsolation(sandbox.isolation, (box) => ({
    unpark: () => {
      box.unpark();
      // Held in the check phase, as I/O work would hold it: the next turn then runs its due timers
      // (the timeout) before it reads sockets (the answer).
      if (afterMs > 0) setTimeout(() => setImmediate(() => hold(ms)), afterMs);
      else holdAfterHandoff(ms);
    },
  }));
}

describe('a sandboxed function answering while the executor is busy', () => {
  function hostile(isolation: Isolation, parkMs?: number): FunctionInstance {
    const fn = new FunctionInstance(makeSpec(fixtures.dir('hostile'), { memoryMb: 1769 }), { log: silentLog, isolation, parkMs });
    live.push(fn);
    return fn;
  }

  const run = (fn: FunctionInstance, payload: Record<string, unknown>) =>
    fn.invoke(event(payload), { requestId: `req-${randomBytes(4).toString('hex')}` });

  it('is billed to when its answer arrived, not to when the executor read it', async () => {
    const fn = hostile(busy(200));
    expect((await run(fn, { action: 'echo', n: 1 })).status).toBe('success');
    const started = performance.now();
    const warm = await run(fn, { action: 'echo', n: 2 });
    // The executor did hold its loop: the answer was read 200 ms after the event went out.
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    expect(warm.status).toBe('success');
    expect(warm.durationMs).toBeLessThan(50);
    expect(warm.billedDurationMs).toBeLessThan(50);
    expect(warm.log).toMatch(/Billed Duration: \d\d? ms/);
  });

  it('is parked as soon as its answer is whole, not when the busy executor gets to it', async () => {
    const fn = hostile(busy(400), 5000);
    // Leaves two busy loops behind (a child and a timer in the runtime); parked after each answer.
    expect((await run(fn, { action: 'background' })).status).toBe('success');
    const before = fn.kernelCounters().cpuNanos;
    const started = performance.now();
    const echo = await run(fn, { action: 'echo', n: 1 });
    expect(echo.status).toBe('success');
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    const usedMs = (fn.kernelCounters().cpuNanos - before) / 1e6;
    // Billed to its answer, which the two loops slow down (they share its CPUs), not to the read.
    expect(echo.durationMs).toBeLessThan(200);
    // Unparked for the 400 ms the executor held its loop, the two loops would burn several hundred ms
    // past the billed end; parked when the answer came, they get what the billed time holds (all the
    // machine's CPUs at most) and 1 ms per period after it, plus a scheduler tick's overrun.
    expect(usedMs).toBeLessThan(echo.durationMs * os.availableParallelism() + 30);
  });
});

describe('the park the clock wrote', () => {
  const run = (fn: FunctionInstance, payload: Record<string, unknown>) =>
    fn.invoke(event(payload), { requestId: `req-${randomBytes(4).toString('hex')}` });

  it('is not written again by the executor: one write per answer, and the instance stays parked', async () => {
    const writes = { executor: 0, clock: 0 };
    const counted = wrapIsolation(busy(100), (box) =>
      countedParks(box, (by) => {
        writes[by]++;
      }),
    );
    const fn = new FunctionInstance(makeSpec(fixtures.dir('hostile'), { memoryMb: 1769 }), {
      log: silentLog,
      isolation: counted,
      parkMs: 5000,
    });
    live.push(fn);
    // Leaves two busy loops behind; the warm call below answers while the executor's loop is held.
    expect((await run(fn, { action: 'background' })).status).toBe('success');
    writes.executor = writes.clock = 0;
    expect((await run(fn, { action: 'echo', n: 1 })).status).toBe('success');
    expect(writes).toEqual({ executor: 0, clock: 1 });
    // Parked by that one write: the two loops get 1 ms per 1 s period, plus a scheduler tick's overrun.
    const before = fn.kernelCounters().cpuNanos;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((fn.kernelCounters().cpuNanos - before) / 1e6).toBeLessThan(20);
  });
});

describe('a sandboxed function answering just before its timeout while the executor is busy', () => {
  it('succeeds: the answer was in the socket in time, though the loop read it after the deadline', async () => {
    const code = fixtures.dir('answer-due');
    mkdirSync(code);
    writeFileSync(
      path.join(code, 'index.js'),
      'exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return { slept: e.ms }; };\n',
    );
    // Held from 600 ms after the handoff to 1,300 ms: the answer comes at about 800, the deadline at 1,000.
    const fn = new FunctionInstance(makeSpec(code, { timeoutS: 1 }), { log: silentLog, isolation: busy(700, 600) });
    live.push(fn);
    const cold = await fn.invoke(event({ ms: 1 }), { requestId: 'due-1' });
    expect(cold.status, cold.log).toBe('success');
    const started = performance.now();
    const result = await fn.invoke(event({ ms: 800 }), { requestId: 'due-2' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1300);
    expect(result.status, result.log).toBe('success');
    expect(JSON.parse(result.payload.toString())).toEqual({ slept: 800 });
    expect(result.durationMs).toBeGreaterThanOrEqual(800);
    expect(result.durationMs).toBeLessThan(1000);
  });
});

describe('a runtime trying to end its billed time early', () => {
  /**
   * A runtime speaking raw HTTP to the Runtime API, from a child process, so that it runs while the
   * executor's loop is held. `forge`: its `/next` call declares a body, and the first whole answer it
   * sends after the event is read by the executor as that body; the real answer follows 150 ms later.
   * `trickle`: it sends its answer a byte at a time, 2 ms apart.
   */
  async function exchange(
    mode: 'honest' | 'forge' | 'trickle',
    holdMs = 300,
  ): Promise<{ billedMs: number; readMs: number; forged: string[] }> {
    const api = await RuntimeApi.start();
    const forged: string[] = [];
    api.bind({ onNext: () => undefined, onInitError: () => undefined, onForgedAnswer: (id) => forged.push(id) });
    const requestId = randomUUID();
    const answer = `POST /2018-06-01/runtime/invocation/${requestId}/response HTTP/1.1\r\nHost: r\r\nContent-Length: 2\r\n\r\nok`;
    const script = `
      const net = require('node:net');
      const [host, port] = process.env.API.split(':');
      const answer = process.env.ANSWER;
      const socket = net.connect(Number(port), host, () => {
        const body = process.env.MODE === 'forge' ? 'Content-Length: ' + Buffer.byteLength(answer) + '\\r\\n' : '';
        socket.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: r\\r\\n' + body + '\\r\\n');
      });
      let seen = '';
      socket.on('data', (chunk) => {
        seen += chunk;
        if (!seen.includes('\\r\\n\\r\\n') || seen === 'done') return;
        seen = 'done';
        if (process.env.MODE === 'trickle') {
          let i = 0;
          const timer = setInterval(() => {
            socket.write(answer.slice(i, i + 1));
            if (++i === answer.length) clearInterval(timer);
          }, 2);
          return;
        }
        socket.write(answer);
        if (process.env.MODE === 'forge') setTimeout(() => socket.write(answer), 150);
      });
      setTimeout(() => process.exit(0), 3000);
    `;
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, API: api.address, ANSWER: answer, MODE: mode },
      stdio: 'ignore',
    });
    try {
      let handedOffAt = 0;
      const outcome = new Promise<number>((resolve) => {
        api.deliver(
          { requestId, event: Buffer.from('{}'), timeoutMs: 3000, functionArn: 'arn:aws:lambda:x:0:function:f', traceId: 't' },
          {
            onHandoff: (at) => {
              handedOffAt = at;
              holdAfterHandoff(holdMs);
            },
            onOutcome: (_outcome, at) => resolve(at),
          },
        );
      });
      const at = await outcome;
      return { billedMs: at - handedOffAt, readMs: performance.now() - handedOffAt, forged };
    } finally {
      child.kill();
      await once(child, 'exit');
      await api.close();
    }
  }

  it('an honest one is billed to its answer, though the executor read it 300 ms later', async () => {
    const { billedMs, readMs, forged } = await exchange('honest');
    expect(readMs).toBeGreaterThanOrEqual(300);
    expect(billedMs).toBeLessThan(100);
    expect(forged).toEqual([]);
  });

  it('one that sends an answer-shaped body first is billed to its real answer', async () => {
    const { billedMs, readMs, forged } = await exchange('forge');
    expect(readMs).toBeGreaterThanOrEqual(300);
    // Said, for the operator: the executor logs it with the function's id.
    expect(forged).toHaveLength(1);
    // The bytes the executor read before the answer were more than the clock had seen whole, so
    // the clock's time is not taken: billed to the read, past the real answer (150 ms in).
    expect(billedMs).toBeGreaterThanOrEqual(150);
  });

  it('one that trickles its answer is left to the read: the clock looks a bounded number of times', async () => {
    const { billedMs, readMs, forged } = await exchange('trickle', 800);
    expect(forged).toEqual([]);
    expect(readMs).toBeGreaterThanOrEqual(800);
    // Whole after about 100 bytes 2-3 ms apart (some 300 ms); the clock stopped looking after 16 arrivals.
    expect(billedMs).toBeGreaterThanOrEqual(800);
  });
});
