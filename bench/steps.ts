import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { billedShares, deploy, WARM_SECONDS, warmUp } from './invoke.js';
import { benchDatabase, childrenOf, exportRevision, fmt, percentile, processCpuSeconds } from './lib.js';

/**
 * What each change bought, on a shared machine whose load moves figures by 2-3x between runs:
 * the same warm-invoke measure taken on several revisions of Tally in the same run, one revision
 * deployed at a time (nothing of one runs while another is measured), the revisions interleaved
 * round after round, medians compared. `BENCH_STEPS=rev1,rev2,...` (git revisions; default: the
 * commits of issue 15 on this branch, oldest first). Each revision is exported with `git archive`
 * to a temporary folder that borrows this checkout's node_modules. Measured on `npm start` (api and
 * executor in one process): its process tree holds all an invocation costs, so its CPU can be read.
 * A revision may carry environment for the api process (and a separate executor's) after `+`: `HEAD,HEAD+UV_USE_IO_URING=1`
 * measures one setting against the other on the same code. `BENCH_STEPS_APART=1` measures the api
 * and the executor as separate processes instead (CPU: both process trees).
 */
const APART = process.env.BENCH_STEPS_APART === '1';
const CALLS = Number(process.env.BENCH_CALLS ?? 800);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number };
  non2xx: number;
  errors: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object) => Promise<AutocannonResult>;

function post(agent: Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': '2' } }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('error', fail);
    req.end('{}');
  });
}

/** CPU time (ms) of a process and all its descendants (the api, its executor, sandboxes, instances). */
function treeCpuMs(pid: number): number {
  let ms = 0;
  const visit = (p: number) => {
    ms += processCpuSeconds(p) * 1000;
    for (const child of childrenOf(p)) visit(child);
  };
  visit(pid);
  return ms;
}

interface Probe {
  p50: number;
  executorUs: number;
  instanceUs: number;
}

/** bench/warm-probe.ts on one revision, in its own process: warm invocations at the executor, and their CPU. */
function probe(dir: string, env: Record<string, string>): Probe {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/warm-probe.ts', dir], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`warm probe failed on ${dir}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as Probe;
}

/** `rev+NAME=value+NAME=value`: a revision and the environment its api process runs with. */
function parseStep(step: string): { rev: string; env: Record<string, string> } {
  const [rev = '', ...settings] = step.split('+');
  const env: Record<string, string> = {};
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    if (eq <= 0) throw new Error(`BENCH_STEPS: "${setting}" in "${step}" is not NAME=value`);
    env[setting.slice(0, eq)] = setting.slice(eq + 1);
  }
  return { rev, env };
}

async function measureOnce(databaseUrl: string, dir: string, env: Record<string, string>) {
  const d = await deploy(databaseUrl, APART, dir, env);
  const cpu = () => treeCpuMs(d.executorPid) + (d.apiPid === d.executorPid ? 0 : treeCpuMs(d.apiPid));
  try {
    const url = new URL(`${d.base}/v1/functions/noop/invoke`);
    const headers = { authorization: `Bearer ${d.key}`, 'content-type': 'application/json' };
    const options = { url: url.href, method: 'POST', headers, body: '{}', connections: 8 };
    // At steady state, as the other benchmarks measure: JIT compilation of a fresh deployment is not its cost.
    await warmUp(options, WARM_SECONDS);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 1000; i++) await post(agent, url, headers);
    const times: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const started = performance.now();
      if ((await post(agent, url, headers)) !== 200) throw new Error('invoke failed');
      times.push(performance.now() - started);
    }
    agent.destroy();
    times.sort((a, b) => a - b);
    await autocannon({ ...options, duration: 2 });
    const cpuBefore = cpu();
    const load = await autocannon({ ...options, duration: SECONDS });
    const cpuMs = cpu() - cpuBefore;
    if (load.non2xx > 0 || load.errors > 0) throw new Error(`${load.non2xx} non-2xx, ${load.errors} errors under load`);
    // How the no-op was billed under the same load: anything above 1 ms is waiting (billedShares says which).
    const billed = await billedShares(url.href, headers, 8, 2);
    // CPU per invocation barely moves with the machine's load, where latency and throughput do.
    return {
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      rps: load.requests.average,
      cpuUs: (cpuMs * 1000) / load.requests.total,
      billedOne: billed.shares[0]!,
      billedExtra: billed.extraMs,
    };
  } finally {
    await d.stop();
  }
}

export async function stepsBench(): Promise<void> {
  const revs = (process.env.BENCH_STEPS ?? '').split(',').filter(Boolean);
  if (revs.length === 0) throw new Error('BENCH_STEPS=rev1,rev2,... names the revisions to compare');
  // A database per revision, which its api migrates at start: one migrated here to this checkout's
  // schema would stop an older revision (migration 0096 renamed a column it reads).
  const databases: Awaited<ReturnType<typeof benchDatabase>>[] = [];
  for (const _ of revs) databases.push(await benchDatabase({ migrate: false }));
  const steps = revs.map(parseStep);
  const dirs = steps.map((s) => exportRevision(s.rev));
  const results = revs.map(() => ({
    p50: [] as number[],
    p99: [] as number[],
    rps: [] as number[],
    cpu: [] as number[],
    billedOne: [] as number[],
    billedExtra: [] as number[],
    probes: [] as Probe[],
  }));
  const withApi = process.env.BENCH_STEPS_API !== '0';
  try {
    const mode = APART ? 'api and executor as separate processes' : 'npm start, api and executor in one process';
    console.log(`steps benchmark (${mode}): ${revs.join(', ')}; ${ROUNDS} rounds, interleaved`);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? revs.map((_, i) => i) : revs.map((_, i) => revs.length - 1 - i);
      for (const i of order) {
        const p = probe(dirs[i]!, steps[i]!.env);
        results[i]!.probes.push(p);
        console.log(
          `  round ${round + 1} ${revs[i]} at the executor: p50 ${fmt(p.p50, 3)} ms, executor CPU ${fmt(p.executorUs)} us, instance CPU ${fmt(p.instanceUs)} us per invocation`,
        );
        if (!withApi) continue;
        const r = await measureOnce(databases[i]!.url, dirs[i]!, steps[i]!.env);
        results[i]!.p50.push(r.p50);
        results[i]!.p99.push(r.p99);
        results[i]!.rps.push(r.rps);
        results[i]!.cpu.push(r.cpuUs);
        results[i]!.billedOne.push(r.billedOne);
        results[i]!.billedExtra.push(r.billedExtra);
        console.log(
          `  round ${round + 1} ${revs[i]}: 1 client p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, 8 clients ${fmt(r.rps)} /s, CPU ${fmt(r.cpuUs)} us per invocation; 8 clients billed 1 ms ${fmt(r.billedOne, 1)} %, ${fmt(r.billedExtra, 3)} ms a call above 1 ms`,
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const probed = results.map((r) => ({
      p50: median(r.probes.map((p) => p.p50)),
      executor: median(r.probes.map((p) => p.executorUs)),
      instance: median(r.probes.map((p) => p.instanceUs)),
    }));
    console.log('  at the executor (one sandboxed instance, 1,769 MB), medians:');
    console.log('  | revision | warm p50 | executor CPU per invocation | instance CPU per invocation | total CPU | × first |');
    revs.forEach((rev, i) => {
      const p = probed[i]!;
      const total = p.executor + p.instance;
      console.log(
        `  | ${rev} | ${fmt(p.p50, 3)} ms | ${fmt(p.executor)} us | ${fmt(p.instance)} us | ${fmt(total)} us | ${fmt(total / (probed[0]!.executor + probed[0]!.instance), 2)} |`,
      );
    });
    if (!withApi) return;
    console.log(`  through the api (${mode}), medians:`);
    const base = { p50: median(results[0]!.p50), p99: median(results[0]!.p99), rps: median(results[0]!.rps), cpu: median(results[0]!.cpu) };
    console.log(
      '  | revision | 1 client p50 | × first | 1 client p99 | × first | 8 clients | × first | CPU per invocation | × first | 8 clients: billed 1 ms | billed above 1 ms, per call |',
    );
    revs.forEach((rev, i) => {
      const p50 = median(results[i]!.p50);
      const p99 = median(results[i]!.p99);
      const rps = median(results[i]!.rps);
      const cpu = median(results[i]!.cpu);
      const one = median(results[i]!.billedOne);
      const extra = median(results[i]!.billedExtra);
      console.log(
        `  | ${rev} | ${fmt(p50, 2)} ms | ${fmt(p50 / base.p50, 2)} | ${fmt(p99, 2)} ms | ${fmt(p99 / base.p99, 2)} | ${fmt(rps)} /s | ${fmt(rps / base.rps, 2)} | ${fmt(cpu)} us | ${fmt(cpu / base.cpu, 2)} | ${fmt(one, 1)} % | ${fmt(extra, 3)} ms |`,
      );
    });
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const database of databases) await database.drop();
  }
}
