import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';

/**
 * Run by `bench steps` as its own process, on one exported revision (argv[2]): warm invocations of a
 * no-op Node.js function on one sandboxed instance, at the executor (no api), and what each costs:
 * wall time, the executor's own CPU (its process: Runtime API, freezer, REPORT, cgroup reads) and
 * the instance's CPU (its cgroup, as the kernel counts it: runtime, bootstrap, handler). CPU per
 * invocation hardly moves with the machine's load, where wall time does. Prints one JSON line.
 */
const tree = process.argv[2]!;
const CALLS = Number(process.env.BENCH_PROBE_CALLS ?? 3000);
const { FunctionInstance } = (await import(join(tree, 'executor/runtime/instance.ts'))) as typeof import('../executor/runtime/instance.js');
const { KernelSandbox } = (await import(join(tree, 'executor/sandbox/sandbox.ts'))) as typeof import('../executor/sandbox/sandbox.js');
const { resolvePython } = (await import(join(tree, 'executor/runtime/pool.ts'))) as typeof import('../executor/runtime/pool.js');

const dir = mkdtempSync(join(tmpdir(), 'tally-bench-probe-'));
const codeDir = join(dir, 'code');
mkdirSync(codeDir);
writeFileSync(join(codeDir, 'index.js'), 'exports.handler = async () => ({ ok: true });\n');
const log = pino({ level: 'warn' });
const sandbox = await KernelSandbox.start({
  dir: join(dir, 'sb'),
  executorKey: `probe${process.pid}`,
  network: 'outbound',
  spares: 0,
  log,
  pythonPath: await resolvePython(),
});
const instance = new FunctionInstance(
  {
    functionId: 'probe',
    name: 'noop',
    version: '1',
    runtime: 'nodejs',
    handler: 'index.handler',
    memoryMb: 1769,
    timeoutS: 10,
    environment: {},
    codeDir,
  },
  { log, isolation: sandbox },
);
const event = Buffer.from('{}');
for (let i = 0; i < 500; i++) {
  await instance.invoke(event, { requestId: `warm-${i}` });
  await new Promise((resolve) => setImmediate(resolve));
}
const times: number[] = [];
const cpu0 = process.cpuUsage();
const box0 = instance.kernelCounters().cpuNanos;
for (let i = 0; i < CALLS; i++) {
  const started = performance.now();
  await instance.invoke(event, { requestId: `probe-${i}` });
  times.push(performance.now() - started);
  // As between two requests through the api: the instance is frozen before the next call thaws it.
  await new Promise((resolve) => setImmediate(resolve));
}
const cpu = process.cpuUsage(cpu0);
const boxUs = (instance.kernelCounters().cpuNanos - box0) / 1000;
await instance.dispose();
await sandbox.close();
rmSync(dir, { recursive: true, force: true });
times.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    p50: times[Math.floor(times.length / 2)],
    executorUs: (cpu.user + cpu.system) / CALLS,
    executorSystemUs: cpu.system / CALLS,
    instanceUs: boxUs / CALLS,
  }),
);
