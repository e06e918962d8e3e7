import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { FunctionInstance } from '../executor/runtime/instance.js';
import { resolvePython } from '../executor/runtime/pool.js';
import type { FunctionSpec } from '../executor/runtime/types.js';
import type { Isolation } from '../executor/sandbox/isolation.js';
import { KernelSandbox } from '../executor/sandbox/sandbox.js';
import { unsandboxed } from '../executor/sandbox/unsandboxed.js';
import { fmt, percentile } from './lib.js';

/**
 * What the sandbox costs, measured at the executor (no api in the way), each figure against its
 * baseline in the same run, the modes interleaved so that drift on a shared machine hits both:
 * - cold start of a no-op Node.js function: `node -e 0`, the same instance unsandboxed, sandboxed
 *   with a spare sandbox ready (the usual case), and sandboxed with none ready (a burst);
 * - warm invocation latency on one instance, unsandboxed and sandboxed, at 1,769 MB (one full
 *   vCPU) and 128 MB (the CPU share of 128 MB applies).
 */
const COLD = Number(process.env.BENCH_COLD ?? 12);
const WARM = Number(process.env.BENCH_WARM_CALLS ?? 2000);
const log = pino({ level: 'warn' });
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
function spec(codeDir: string, memoryMb: number): FunctionSpec {
  counter += 1;
  return {
    functionId: `bench-${counter}`,
    name: 'noop',
    version: String(counter),
    runtime: 'nodejs',
    handler: 'index.handler',
    memoryMb,
    timeoutS: 10,
    environment: {},
    codeDir,
  };
}

async function coldOnce(isolation: Isolation, codeDir: string): Promise<{ call: number; init: number }> {
  const instance = new FunctionInstance(spec(codeDir, 1769), { log, isolation });
  const started = performance.now();
  const result = await instance.invoke(Buffer.from('{}'), { requestId: `cold-${counter}` });
  const call = performance.now() - started;
  if (result.status !== 'success') throw new Error(`cold start failed: ${result.payload.toString()}`);
  await instance.dispose();
  return { call, init: result.initDurationMs ?? NaN };
}

async function warm(isolation: Isolation, codeDir: string, memoryMb: number): Promise<{ p50: number; p99: number }> {
  const instance = new FunctionInstance(spec(codeDir, memoryMb), { log, isolation });
  await instance.invoke(Buffer.from('{}'), { requestId: 'warm-up' });
  const times: number[] = [];
  for (let i = 0; i < WARM; i++) {
    const started = performance.now();
    await instance.invoke(Buffer.from('{}'), { requestId: `warm-${i}` });
    times.push(performance.now() - started);
  }
  await instance.dispose();
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

export async function sandboxBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-sandbox-'));
  const codeDir = join(dir, 'code');
  spawnSync('mkdir', ['-p', codeDir]);
  writeFileSync(join(codeDir, 'index.js'), 'exports.handler = async () => ({ ok: true });\n');
  const pythonPath = await resolvePython();
  const withSpares = await KernelSandbox.start({
    dir: join(dir, 'a'),
    executorKey: 'benchsb1',
    network: 'outbound',
    spares: 2,
    log,
    pythonPath,
  });
  const noSpares = await KernelSandbox.start({
    dir: join(dir, 'b'),
    executorKey: 'benchsb2',
    network: 'outbound',
    spares: 0,
    log,
    pythonPath,
  });
  const off = unsandboxed({ pythonPath });
  try {
    console.log(`sandbox benchmark: a no-op Node.js function, ${COLD} cold starts per mode (interleaved), ${WARM} warm calls per mode`);
    const nodeE0: number[] = [];
    const cold: Record<'off' | 'spare' | 'none', { call: number[]; init: number[] }> = {
      off: { call: [], init: [] },
      spare: { call: [], init: [] },
      none: { call: [], init: [] },
    };
    for (let i = 0; i < COLD; i++) {
      const started = performance.now();
      spawnSync(process.execPath, ['-e', '0'], { env: { PATH: '/usr/bin:/bin' } });
      nodeE0.push(performance.now() - started);
      for (const [mode, isolation] of [
        ['off', off],
        ['spare', withSpares],
        ['none', noSpares],
      ] as const) {
        // Give the spare pool time to refill, as between two real cold starts.
        if (mode === 'spare') await sleep(400);
        const r = await coldOnce(isolation, codeDir);
        cold[mode].call.push(r.call);
        cold[mode].init.push(r.init);
      }
    }
    const n = median(nodeE0);
    const row = (label: string, m: { call: number[]; init: number[] }) =>
      `  ${label.padEnd(38)} cold invocation ${fmt(median(m.call), 1).padStart(6)} ms   init ${fmt(median(m.init), 1).padStart(6)} ms   above node -e 0: ${fmt(median(m.call) - n, 1).padStart(5)} ms`;
    console.log(`  node -e 0 (clean environment)          ${fmt(n, 1)} ms`);
    console.log(row('unsandboxed (TALLY_SANDBOX=off)', cold.off));
    console.log(row('sandboxed, a spare sandbox ready', cold.spare));
    console.log(row('sandboxed, none ready (burst)', cold.none));
    console.log(
      `  the sandbox adds ${fmt(median(cold.spare.call) - median(cold.off.call), 1)} ms to a cold start (${fmt(median(cold.none.call) - median(cold.off.call), 1)} ms when no spare is ready)`,
    );

    for (const memoryMb of [1769, 128]) {
      const offRuns: { p50: number; p99: number }[] = [];
      const onRuns: { p50: number; p99: number }[] = [];
      for (let round = 0; round < 2; round++) {
        offRuns.push(await warm(off, codeDir, memoryMb));
        onRuns.push(await warm(withSpares, codeDir, memoryMb));
      }
      const o = { p50: median(offRuns.map((r) => r.p50)), p99: median(offRuns.map((r) => r.p99)) };
      const s = { p50: median(onRuns.map((r) => r.p50)), p99: median(onRuns.map((r) => r.p99)) };
      console.log(
        `  warm, ${String(memoryMb).padStart(4)} MB: unsandboxed p50 ${fmt(o.p50, 3)} ms p99 ${fmt(o.p99, 2)} ms; sandboxed p50 ${fmt(s.p50, 3)} ms p99 ${fmt(s.p99, 2)} ms ` +
          `(x${fmt(s.p50 / o.p50, 2)} at p50; rounds ${offRuns.map((r) => fmt(r.p50, 3)).join('/')} vs ${onRuns.map((r) => fmt(r.p50, 3)).join('/')})`,
      );
    }
    console.log(
      '  goals: the sandbox adds at most 15 ms to a cold start; a Node.js cold start stays under 100 ms above node -e 0; warm latency unchanged within noise',
    );
  } finally {
    await withSpares.close();
    await noSpares.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
