import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, crc32 } from 'node:zlib';
import {
  benchDatabase,
  benchLogLevel,
  childrenOf,
  fmt,
  freePort,
  idleText,
  percentile,
  profileFlags,
  startApi,
  wakeupText,
} from './lib.js';

/**
 * Warm synchronous invocations of a no-op Node.js function through the api (api and executor as
 * separate processes, as deployed), against a bare Fastify route answering the same JSON with the
 * same clients, in the same run; then cold starts against `node -e 0`, and memory per warm instance.
 */
const LATENCY_CALLS = Number(process.env.BENCH_CALLS ?? 1500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 3;
const CLIENTS = 8;
const NOOP = 'export const handler = async () => ({ ok: true });\n';

export interface AutocannonResult {
  requests: { average: number; total: number };
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
export const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object) => Promise<AutocannonResult>;

/** One-entry zip (deflate), enough for the no-op function. */
function zipOf(name: string, text: string): Buffer {
  const data = Buffer.from(text);
  const body = deflateRawSync(data);
  const file = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc32(data) >>> 0, 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(file.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(data) >>> 0, 16);
  central.writeUInt32LE(body.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(file.length, 28);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + file.length, 12);
  end.writeUInt32LE(local.length + file.length + body.length, 16);
  return Buffer.concat([local, file, body, central, file, end]);
}

export async function api(base: string, key: string, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return { json: JSON.parse(text || 'null') as any, headers: res.headers };
}

/** One POST on `agent`: the answer's status, and the billed milliseconds it reports (NaN where it reports none). */
export function post(agent: Agent, url: URL, headers: Record<string, string>, body: Buffer): Promise<{ status: number; billedMs: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, billedMs: Number(res.headers['x-tally-billed-duration-ms']) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Load before anything is timed, in rounds of 2 s with 8 connections, so that a program measured
 * is at its steady state. Tally's rate rises for its first 20,000-40,000 invocations while V8
 * optimizes its code in nine processes (the api and eight instances); measured 4 s after its
 * start, its rate was about a fifth below what it reached after 20 s (docs/performance.md).
 */
export const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 20);

/** How much a measure sends: its warm-up calls, calls per one-client round, and its load's warm-up and rounds (s). */
export interface MeasureShape {
  warmCalls: number;
  latencyCalls: number;
  loadWarmSeconds: number;
  loadSeconds: number;
}
const FULL: MeasureShape = { warmCalls: 2000, latencyCalls: LATENCY_CALLS, loadWarmSeconds: 4, loadSeconds: SECONDS };
/**
 * About 8,000 requests in all, for a program that slows down as it serves (serverless-offline: 2,000/s
 * around its 7,000th request, 1,100/s at its 15,000th, 600/s at its 30,000th): its figures while fresh.
 */
export const BRIEF: MeasureShape = { warmCalls: 300, latencyCalls: 300, loadWarmSeconds: 1, loadSeconds: 1 };

/** `seconds` of load with `options` (autocannon's), in 2 s rounds; their rates (/s). */
export async function warmUp(options: object, seconds: number): Promise<number[]> {
  const rates: number[] = [];
  for (let s = 0; s < seconds; s += 2) rates.push((await autocannon({ ...options, duration: 2 })).requests.average);
  return rates;
}

/**
 * p50/p99 of one client calling in a loop, then invocations/s with 8 connections (autocannon).
 * The machine is shared: each measure is taken in 3 rounds and the median round is reported.
 * `warmSeconds` of 8-client load come first (their rates are returned, to show the curve).
 */
export async function measure(url: string, headers: Record<string, string>, warmSeconds = 0, shape: MeasureShape = FULL) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  const body = Buffer.from('{}');
  const options = { url, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}', connections: CLIENTS };
  const warm = await warmUp(options, warmSeconds);
  // Warm: the instance's and the api's code paths are JIT-compiled before anything is timed.
  for (let i = 0; i < shape.warmCalls; i++) await post(agent, target, headers, body);
  const latency: { p50: number; p99: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const times: number[] = [];
    for (let i = 0; i < shape.latencyCalls; i++) {
      const started = performance.now();
      const { status } = await post(agent, target, headers, body);
      times.push(performance.now() - started);
      if (status !== 200) throw new Error(`${url} answered ${status}`);
    }
    times.sort((a, b) => a - b);
    latency.push({ p50: percentile(times, 50), p99: percentile(times, 99) });
  }
  agent.destroy();
  // 8 clients need 8 instances: started and warmed by a first round that is not counted.
  await autocannon({ ...options, duration: shape.loadWarmSeconds });
  const loads: AutocannonResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const load = await autocannon({ ...options, duration: shape.loadSeconds });
    if (load.non2xx > 0 || load.errors > 0)
      throw new Error(`${url}: ${load.non2xx} non-2xx answers (${JSON.stringify(load.statusCodeStats)}), ${load.errors} errors under load`);
    loads.push(load);
  }
  const mid = <T>(xs: T[], key: (x: T) => number) => [...xs].sort((a, b) => key(a) - key(b))[xs.length >> 1]!;
  const lat = mid(latency, (l) => l.p50);
  const load = mid(loads, (l) => l.requests.average);
  return {
    p50: lat.p50,
    p99: lat.p99,
    p50s: latency.map((l) => fmt(l.p50, 2)).join(' / '),
    rps: load.requests.average,
    rpsAll: loads.map((l) => fmt(l.requests.average)).join(' / '),
    loadP50: load.latency.p50,
    loadP99: load.latency.p99,
    /** The warm-up rounds' rates (/s), empty without a warm-up. */
    warm: warm.map((r) => fmt(r)).join(' / '),
  };
}

/**
 * How the no-op's calls were billed under `connections` clients for `seconds`: the shares (%) billed 1 ms, 2 ms, and
 * 3 ms or more, read from each answer's X-Tally-Billed-Duration-Ms, and the mean billed time above 1 ms per call. The
 * handler takes microseconds, so anything above 1 ms is the instance waiting for a CPU, or an answer that waited in a
 * busy executor unseen by the answer clock (docs/billing-clock.md): a billing figure, printed beside the speed ones.
 */
export async function billedShares(url: string, headers: Record<string, string>, connections: number, seconds: number) {
  const counts = [0, 0, 0];
  let extraMs = 0;
  const load = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
        onResponse: (_status: number, _body: string, _context: unknown, h: Record<string, string>) => {
          const ms = Number(h['x-tally-billed-duration-ms']);
          counts[ms <= 1 ? 0 : ms === 2 ? 1 : 2]! += 1;
          extraMs += Math.max(0, ms - 1);
        },
      },
    ],
  });
  const total = counts[0]! + counts[1]! + counts[2]!;
  return { rate: load.requests.average, shares: counts.map((c) => (100 * c) / Math.max(total, 1)), extraMs: extraMs / Math.max(total, 1) };
}

async function startFloor(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const script = `import Fastify from 'fastify'; const app = Fastify(); app.post('/floor', async () => ({ ok: true })); await app.listen({ port: ${port}, host: '127.0.0.1' }); console.log('ready');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { url: `http://127.0.0.1:${port}/floor`, child };
}

async function startExecutorProcess(apiBase: string, key: string, dir: string, cwd: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [...profileFlags(), '--import', 'tsx', 'executor/main.ts'], {
    cwd,
    env: {
      ...process.env,
      ...env,
      TALLY_API_URL: apiBase,
      TALLY_EXECUTOR_KEY: key,
      PORT: String(port),
      TALLY_EXECUTOR_DIR: dir,
      LOG_LEVEL: benchLogLevel(),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const memoryOf = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (text: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  return { rssMb: kb(status, 'VmRSS') / 1024, pssMb: kb(rollup, 'Pss') / 1024 };
};
/** The runtimes below the executor: in the sandbox they sit under bwrap's monitor and its pid 1. */
export function instancePids(executorPid: number, depth = 4): number[] {
  const isRuntime = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bootstrap.mjs');
    } catch {
      return false;
    }
  };
  const found: number[] = [];
  let level = childrenOf(executorPid);
  for (let d = 0; d < depth && level.length > 0; d++) {
    found.push(...level.filter(isRuntime));
    level = level.filter((pid) => !isRuntime(pid)).flatMap(childrenOf);
  }
  return found;
}

export interface Deployment {
  label: string;
  base: string;
  accountId: string;
  key: string;
  /** The process whose children are the function instances. */
  executorPid: number;
  /** The api process (the same as executorPid for npm start). */
  apiPid: number;
  zipFile: string;
  stop(): Promise<void>;
}

/** Tally with a no-op function deployed: `npm start` style (one process) or api and executor apart. */
export async function deploy(
  databaseUrl: string,
  separate: boolean,
  cwd = process.cwd(),
  env: Record<string, string> = {},
): Promise<Deployment> {
  const adminKey = `bench_admin_${randomUUID()}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-bench-data-'));
  const server = await startApi(databaseUrl, adminKey, { TALLY_DATA_DIR: dataDir, TALLY_EXECUTOR: separate ? 'off' : 'on', ...env }, cwd);
  let executor: ChildProcess | null = null;
  if (separate) {
    const fleet = (await api(server.base, adminKey, 'POST', '/v1/keys', { role: 'executor' })).json.key as string;
    executor = await startExecutorProcess(server.base, fleet, join(dataDir, 'executor'), cwd, env);
  }
  for (let tries = 0; (await api(server.base, adminKey, 'GET', '/v1/executors')).json.executors.length === 0; tries++) {
    if (tries > 200) throw new Error('no executor registered within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const account = (await api(server.base, adminKey, 'POST', '/v1/accounts', { name: 'bench' })).json.id as string;
  const key = (await api(server.base, adminKey, 'POST', `/v1/accounts/${account}/keys`, { role: 'account' })).json.key as string;
  const zipFile = zipOf('index.mjs', NOOP).toString('base64');
  await api(server.base, key, 'POST', '/v1/functions', { name: 'noop', runtime: 'nodejs', zipFile });
  await api(server.base, key, 'POST', '/v1/functions/noop/invoke', {});
  return {
    label: separate ? 'api + executor processes (an invoke stream between them)' : 'npm start (api and executor in one process)',
    base: server.base,
    accountId: account,
    key,
    executorPid: executor?.pid ?? server.pid,
    apiPid: server.pid,
    zipFile,
    async stop() {
      if (executor) {
        executor.kill('SIGTERM');
        await new Promise((resolve) => executor!.once('exit', resolve));
      }
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function coldStarts(d: Deployment) {
  const nodeE0 = Array.from({ length: 8 }, () => {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    return performance.now() - started;
  });
  const inits: number[] = [];
  const calls: number[] = [];
  // Each configuration change is a new version: its first call starts a new instance.
  for (let i = 0; i < 8; i++) {
    await api(d.base, d.key, 'PATCH', '/v1/functions/noop/configuration', { environment: { COLD: String(i) } });
    const started = performance.now();
    const r = await api(d.base, d.key, 'POST', '/v1/functions/noop/invoke', {});
    calls.push(performance.now() - started);
    inits.push(Number(r.headers.get('x-tally-init-duration-ms')));
  }
  return { init: median(inits), call: median(calls), nodeE0: median(nodeE0) };
}

async function warmMemory(d: Deployment) {
  for (let i = 0; i < 10; i++) {
    await api(d.base, d.key, 'POST', '/v1/functions', { name: `mem-${i}`, runtime: 'nodejs', zipFile: d.zipFile });
    await api(d.base, d.key, 'POST', `/v1/functions/mem-${i}/invoke`, {});
  }
  const mems = instancePids(d.executorPid).map(memoryOf);
  return {
    count: mems.length,
    rss: mems.reduce((n, m) => n + m.rssMb, 0) / mems.length,
    pss: mems.reduce((n, m) => n + m.pssMb, 0) / mems.length,
  };
}

export async function invokeBench(): Promise<void> {
  const database = await benchDatabase();
  const floor = await startFloor();
  try {
    console.log(`invoke benchmark: warm no-op Node.js function (index.mjs, 128 MB) through the api on loopback, ${database.source}`);
    console.log(`  idle CPUs: ${idleText()}`);
    console.log(`  wake-ups: ${wakeupText()}`);
    const bare = await measure(floor.url, { 'content-type': 'application/json' }, WARM_SECONDS);
    console.log(
      `  floor, bare Fastify route returning the same JSON: 1 client p50 ${fmt(bare.p50, 2)} ms, p99 ${fmt(bare.p99, 2)} ms; ${CLIENTS} clients ${fmt(bare.rps)} req/s (rounds ${bare.rpsAll})`,
    );
    for (const separate of [false, true]) {
      const d = await deploy(database.url, separate);
      try {
        const invokeUrl = `${d.base}/v1/functions/noop/invoke`;
        const auth = { authorization: `Bearer ${d.key}` };
        const tally = await measure(invokeUrl, { ...auth, 'content-type': 'application/json' }, WARM_SECONDS);
        console.log(`  ${d.label}:`);
        console.log(`    warm-up, ${CLIENTS} clients, 2 s rounds: ${tally.warm} /s`);
        console.log(
          `    1 client in a loop (${ROUNDS} x ${fmt(LATENCY_CALLS)} calls): p50 ${fmt(tally.p50, 2)} ms, p99 ${fmt(tally.p99, 2)} ms   (p50 per round ${tally.p50s} ms; floor x${fmt(tally.p50 / bare.p50, 1)} at p50)`,
        );
        console.log(
          `    ${CLIENTS} clients (autocannon, ${ROUNDS} x ${SECONDS} s): ${fmt(tally.rps)} invocations/s, p50 ${fmt(tally.loadP50)} ms, p99 ${fmt(tally.loadP99)} ms   (rounds ${tally.rpsAll}; ${fmt((100 * tally.rps) / bare.rps, 0)} % of the floor)`,
        );
        const shares = (b: { rate: number; shares: number[]; extraMs: number }) =>
          `(${fmt(b.rate)}/s) 1 ms ${fmt(b.shares[0]!, 0)} %, 2 ms ${fmt(b.shares[1]!, 0)} %, 3 ms or more ${fmt(b.shares[2]!, 0)} %, ${fmt(b.extraMs, 3)} ms a call above 1 ms`;
        const [alone, loaded] = [await billedShares(invokeUrl, auth, 1, 2), await billedShares(invokeUrl, auth, CLIENTS, 2)];
        console.log(`    billed duration of the no-op's calls (2 s each): 1 client ${shares(alone)}; ${CLIENTS} clients ${shares(loaded)}`);
        if (separate) {
          const cold = await coldStarts(d);
          console.log(
            `    cold start (median of 8): init ${fmt(cold.init, 1)} ms (spawn to first /next), whole cold invocation ${fmt(cold.call, 1)} ms; node -e 0 ${fmt(cold.nodeE0, 1)} ms; init above node -e 0: ${fmt(cold.init - cold.nodeE0, 1)} ms`,
          );
          const mem = await warmMemory(d);
          console.log(`    memory per warm instance (${mem.count} idle instances): RSS ${fmt(mem.rss, 1)} MB, PSS ${fmt(mem.pss, 1)} MB`);
        }
      } finally {
        await d.stop();
      }
    }
    console.log('  goals: warm p50 < 2 ms, >= 2,000 invocations/s with 8 clients, cold start < 100 ms above node -e 0');
  } finally {
    floor.child.kill('SIGTERM');
    await database.drop();
  }
}
