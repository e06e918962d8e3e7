import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { api, autocannon, deploy, instancePids, post, WARM_SECONDS, warmUp } from './invoke.js';
import { benchDatabase, fmt, percentile, processCpuSeconds } from './lib.js';

/**
 * Warm invocations spread over many functions, as an account with many lightly used functions sees
 * them: each call goes to the next of FUNCTIONS no-op functions in turn, so between two of its calls
 * an instance sits idle (parked, and frozen if it waits half a second) while the others run.
 * Measured against one function taking every call, in the same deployment and run.
 */
const FUNCTIONS = Number(process.env.BENCH_FUNCTIONS ?? 48);
const CLIENTS = 8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LATENCY_CALLS = Number(process.env.BENCH_CALLS ?? 1000);

/** One client's p50/p99 calling `urls` in turn, and the share of its calls billed more than 1 ms. */
async function oneClient(urls: URL[], headers: Record<string, string>) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const body = Buffer.from('{}');
  const times: number[] = [];
  let over = 0;
  for (let i = 0; i < LATENCY_CALLS; i++) {
    const url = urls[i % urls.length]!;
    const started = performance.now();
    const { status, billedMs } = await post(agent, url, headers, body);
    times.push(performance.now() - started);
    if (status !== 200) throw new Error(`${url} answered ${status}`);
    if (billedMs > 1) over++;
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), over: (100 * over) / LATENCY_CALLS };
}

/** Autocannon's options for 8 clients whose requests go to `paths` in turn, across the clients. */
function spreadLoad(base: string, paths: string[], headers: Record<string, string>) {
  let next = 0;
  return {
    url: base,
    connections: CLIENTS,
    requests: [
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
        setupRequest: (req: object) => ({ ...req, path: paths[next++ % paths.length] }),
      },
    ],
  };
}

/** Busy CPU seconds of the whole machine so far (/proc/stat: all but idle and iowait; the load tool's included). */
function machineCpuSeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (f.reduce((a, b) => a + b, 0) - f[3]! - f[4]!) / 100;
}

/** The rounds' rates, and the CPU (µs per invocation) of the api process, of the instances and of the machine. */
async function loadRounds(options: object, apiPid: number) {
  const rates: number[] = [];
  const cpu = { api: 0, instances: 0, machine: 0, calls: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const pids = instancePids(apiPid);
    const [a0, i0, m0] = [processCpuSeconds(apiPid), pids.reduce((t, p) => t + processCpuSeconds(p), 0), machineCpuSeconds()];
    const load = await autocannon({ ...options, duration: SECONDS });
    if (load.non2xx > 0 || load.errors > 0) throw new Error(`${load.non2xx} non-2xx answers, ${load.errors} errors under load`);
    cpu.api += processCpuSeconds(apiPid) - a0;
    cpu.instances += pids.reduce((t, p) => t + processCpuSeconds(p), 0) - i0;
    cpu.machine += machineCpuSeconds() - m0;
    cpu.calls += load.requests.total;
    rates.push(load.requests.average);
  }
  const us = (s: number) => fmt((1e6 * s) / cpu.calls);
  return { rates, cpu: `CPU per invocation: api ${us(cpu.api)} µs, instances ${us(cpu.instances)} µs, machine ${us(cpu.machine)} µs` };
}

/**
 * The api's cache reads so far (tally_cache_reads_total, all caches): `waited` ones held a call up for a
 * database round trip, `ahead` ones were made while the entry still answered. An api without the metric: zeros.
 */
async function cacheReads(base: string): Promise<{ waited: number; ahead: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = { waited: 0, ahead: 0 };
  for (const line of text.split('\n')) {
    const m = /^tally_cache_reads_total\{.*read="(waited|ahead)".*\} (\S+)$/.exec(line);
    if (m) out[m[1] as 'waited' | 'ahead'] += Number(m[2]);
  }
  return out;
}

const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function functionsBench(): Promise<void> {
  const database = await benchDatabase();
  const d = await deploy(database.url, false);
  try {
    console.log(
      `functions benchmark: warm no-op calls spread over ${FUNCTIONS} functions against one function, npm start, ${database.source}`,
    );
    const headers = { authorization: `Bearer ${d.key}`, 'content-type': 'application/json' };
    const names = Array.from({ length: FUNCTIONS }, (_, i) => `spread-${i}`);
    for (const name of names) await api(d.base, d.key, 'POST', '/v1/functions', { name, runtime: 'nodejs', zipFile: d.zipFile });
    const paths = names.map((name) => `/v1/functions/${name}/invoke`);
    const one = ['/v1/functions/noop/invoke'];
    // Every function gets its instances and the code paths their compiled code before anything is timed.
    const warm = await warmUp(spreadLoad(d.base, paths, headers), WARM_SECONDS);
    await warmUp(spreadLoad(d.base, one, headers), 6);
    console.log(`  warm-up over ${FUNCTIONS} functions, ${CLIENTS} clients, 2 s rounds: ${warm.map((r) => fmt(r)).join(' / ')} /s`);
    for (let pass = 0; pass < 2; pass++) {
      for (const [label, list] of [
        ['one function', one],
        [`${FUNCTIONS} functions in turn`, paths],
      ] as const) {
        const reads0 = await cacheReads(d.base);
        const alone = await oneClient(
          list.map((p) => new URL(p, d.base)),
          headers,
        );
        const reads1 = await cacheReads(d.base);
        const { rates, cpu } = await loadRounds(spreadLoad(d.base, list, headers), d.apiPid);
        console.log(
          `  ${label}: 1 client p50 ${fmt(alone.p50, 2)} ms, p99 ${fmt(alone.p99, 2)} ms, billed over 1 ms ${fmt(alone.over, 0)} %, ` +
            `cache reads ${reads1.waited - reads0.waited} waited for / ${reads1.ahead - reads0.ahead} ahead in ${LATENCY_CALLS} calls; ` +
            `${CLIENTS} clients ${fmt(mid(rates))}/s (rounds ${rates.map((r) => fmt(r)).join(' / ')}); ${cpu}; ${instancePids(d.apiPid).length} instances`,
        );
      }
    }
  } finally {
    await d.stop();
    await database.drop();
  }
}
