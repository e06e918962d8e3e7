import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Agent } from 'node:http';
import pg from 'pg';
import { uuid7 } from '../src/lib/uuid7.js';
import { dispatchClaimsOf, signDispatch } from '../src/modules/executors/dispatch-token.js';
import { DISPATCH_SECRET_CONTEXT } from '../src/modules/executors/executors.service.js';
import {
  benchDatabase,
  benchSecretBox,
  childrenOf,
  cpuMeter,
  exportRevision,
  fmt,
  peakRssMb,
  percentile,
  postJson,
  startApi,
} from './lib.js';

/**
 * Sustained events/s through POST /v1/usage (batches of 1,000, concurrent clients, durable
 * commits), against the ceiling measured in the same run: the same rows written straight into an
 * equivalent bare table with multi-row INSERTs over pg.
 */
const BATCH = 1000;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 240);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
/**
 * BENCH_APIS=N (N > 1): also measure the api run as N processes (TALLY_API_PROCESSES=N: one port,
 * node:cluster hands each connection to a worker in turn); one api process is one JavaScript thread.
 */
const APIS = Number(process.env.BENCH_APIS ?? 1);
/** The ceiling the goal is stated against: multi-row INSERTs over this many connections. */
const CEILING_CONNECTIONS = 8;
/**
 * BENCH_DEDUP_ROWS=N: after the usual run on an empty table, preload N stored events into
 * usage_events (as years of traffic would leave it) and measure ingest again, in the same run.
 */
const DEDUP_ROWS = Number(process.env.BENCH_DEDUP_ROWS ?? 0);
/** Invocation ids as the api issues them (v7, time-ordered: the default), or random (v4) as any other reporter may send. */
const IDS = process.env.BENCH_IDS === 'v4' ? 'v4' : 'v7';
const PRELOAD_CHUNK = 5_000_000;
/**
 * When the events started. `spread` (the default, and what the issue measured): over 27 days, so a
 * batch of 1,000 touches about 1,000 distinct hourly rollup rows, the worst case for the rollups.
 * `recent`: over the last minute, as executors report (each batch holds what finished in the last
 * seconds), so every batch adds to the same few hundred rollup rows, the worst case for contention.
 * `both` runs the two shapes one after the other in the same run.
 */
const SHAPE = (process.env.BENCH_SHAPE ?? 'both') as 'spread' | 'recent' | 'both';
const SHAPE_SECONDS = { spread: 27 * 86400, recent: 60 } as const;
let spreadSeconds: number = SHAPE_SECONDS.spread;

interface Row {
  invocationId: string;
  accountId: string;
  functionId: string;
  architecture: 'x86_64' | 'arm64';
  memoryMb: number;
  durationMs: number;
  startedAt: string;
  status: 'success' | 'error' | 'timeout';
  dispatchToken?: string;
}

function makeRows(accountIds: string[], n: number): Row[] {
  const base = Date.UTC(2026, 10, 1);
  return Array.from({ length: n }, (_, i) => ({
    invocationId: IDS === 'v7' ? uuid7(base + ((i * 7919) % spreadSeconds) * 1000) : randomUUID(),
    accountId: accountIds[i % accountIds.length]!,
    functionId: `fn-${i % 50}`,
    architecture: i % 3 === 0 ? 'arm64' : 'x86_64',
    memoryMb: 128 * (1 + (i % 16)),
    durationMs: (i % 5000) + 0.5,
    startedAt: new Date(base + ((i * 7919) % spreadSeconds) * 1000).toISOString(),
    status: i % 50 === 0 ? 'error' : 'success',
  }));
}

async function throughApi(url: string, rows: Row[], apiCount = 1, cwd = process.cwd()) {
  const adminKey = `bench_admin_${randomUUID()}`;
  const api = await startApi(url, adminKey, apiCount > 1 ? { TALLY_API_PROCESSES: String(apiCount) } : {}, cwd);
  // Stopped however the measure ends: an api left running outlives the bench and the database dropped under it.
  try {
    if (apiCount > 1) await everyWorkerListening(api.base, adminKey, apiCount);
    const pids = [api.pid, ...childrenOf(api.pid)];
    const fleet = await fetch(`${api.base}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'executor' }),
    }).then((r) => r.json() as Promise<{ key: string }>);
    // As an executor of the fleet: its key bound to it, each event carrying the token the api signed at dispatch.
    const executorId = randomUUID();
    const registered = await fetch(`${api.base}/v1/executors/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fleet.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: executorId, url: 'http://127.0.0.1:1', capacity: 1, token: randomBytes(24).toString('hex') }),
    });
    if (!registered.ok) throw new Error(`register: ${registered.status} ${await registered.text()}`);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    // Stored sealed since migration 0096, with the key every api of this bench run shares.
    const sealed = (await db.query<{ sealed: string }>(`select sealed from platform_secrets where name = 'dispatch-token'`)).rows[0]!
      .sealed;
    await db.end();
    const secret = Buffer.from(benchSecretBox().open(sealed, DISPATCH_SECRET_CONTEXT), 'base64');
    for (const r of rows) {
      r.dispatchToken = signDispatch(secret, dispatchClaimsOf(executorId, r, 900));
    }
    const bodies: string[] = [];
    for (let i = 0; i < rows.length; i += BATCH) bodies.push(JSON.stringify({ events: rows.slice(i, i + BATCH) }));
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    // Warm-up (JIT, partitions, pool): one batch per api process, on as many connections at once.
    await Promise.all(Array.from({ length: apiCount }, () => postJson(`${api.base}/v1/usage`, fleet.key, bodies.shift()!, agent)));
    const latencies: number[] = [];
    let next = 0;
    let accepted = 0;
    const cpu = (await cpuMeter(url)).mark(pids);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const s = performance.now();
          const r = await postJson(`${api.base}/v1/usage`, fleet.key, body, agent);
          latencies.push(performance.now() - s);
          if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${r.text.slice(0, 300)}`);
          accepted += (JSON.parse(r.text) as { accepted: number }).accepted;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const used = cpu.since();
    const peakMb = Math.max(...pids.map(peakRssMb));
    agent.destroy();
    latencies.sort((a, b) => a - b);
    return {
      eventsPerSecond: accepted / seconds,
      accepted,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      peakMb,
      cpu: { postgresUs: (used.postgres * 1e6) / accepted, apiUs: (used.pids.reduce((a, b) => a + b, 0) * 1e6) / accepted },
    };
  } finally {
    await api.stop();
  }
}

/** Until the api's /metrics counts this many processes listening (node:cluster starts its workers one by one). */
async function everyWorkerListening(base: string, adminKey: string, processes: number): Promise<void> {
  for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    const text = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } }).then((r) => r.text());
    if (Number(/^tally_api_listening (\d+)/m.exec(text)?.[1]) === processes) return;
  }
  throw new Error(`the api's ${processes} processes did not all listen within a minute`);
}

/** The ceiling: the same rows, multi-row INSERTs of 1,000 into a bare table with a uuid primary key. */
async function ceiling(url: string, rows: Row[], connections: number) {
  const table = `bench_ceiling_${connections}`;
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`create table ${table} (
    invocation_id uuid primary key, account_id uuid not null, function_id text not null, architecture text not null,
    memory_mb int not null, duration_ms numeric not null, started_at timestamptz not null, status text not null)`);
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  const chunks: Row[][] = [];
  for (let i = 0; i < rows.length; i += BATCH) chunks.push(rows.slice(i, i + BATCH));
  const insert = (c: pg.Client, chunk: Row[]) => {
    const values: unknown[] = [];
    const tuples = chunk.map((r, i) => {
      values.push(r.invocationId, r.accountId, r.functionId, r.architecture, r.memoryMb, String(r.durationMs), r.startedAt, r.status);
      const o = i * 8;
      return `($${o + 1},$${o + 2},$${o + 3},$${o + 4},$${o + 5},$${o + 6},$${o + 7},$${o + 8})`;
    });
    return c.query(`insert into ${table} values ${tuples.join(',')}`, values);
  };
  await insert(clients[0]!, chunks.shift()!);
  let next = 0;
  let written = 0;
  const cpu = (await cpuMeter(url)).mark();
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        await insert(c, chunk);
        written += chunk.length;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const used = cpu.since();
  await Promise.all(clients.map((c) => c.end()));
  await setup.query(`drop table ${table}`);
  await setup.end();
  return { rowsPerSecond: written / seconds, postgresUs: (used.postgres * 1e6) / written, clientUs: (used.self * 1e6) / written };
}

/**
 * Fills usage_events with `rows` stored invocations of the given accounts (what the exactly-once
 * key is checked against), the fast way: the primary key is dropped, the rows generated in the
 * server, and the key rebuilt (one sort), then vacuumed as a long-lived table would be.
 */
async function preloadDedup(url: string, accountIds: string[], rows: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  try {
    await c.query(`set maintenance_work_mem = '1GB'`);
    await c.query(`set max_parallel_maintenance_workers = 2`);
    const constraints = await c.query<{ name: string; def: string }>(
      `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'usage_events'::regclass and contype in ('p', 'u')`,
    );
    for (const k of constraints.rows) await c.query(`alter table usage_events drop constraint ${k.name}`);
    // Ids of the same kind as the measured events' (v7: made when the invocation started), over the past year.
    const id =
      IDS === 'v7'
        ? `(lpad(to_hex((extract(epoch from t) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3)
          || to_hex(8 + floor(random() * 4)::int) || substr(md5(random()::text), 1, 15))::uuid`
        : 'gen_random_uuid()';
    await c.query(`select usage_ensure_id_partition(m) from generate_series(2025 * 12 + 10, 2026 * 12 + 11) m`);
    for (let done = 0; done < rows; done += PRELOAD_CHUNK) {
      const n = Math.min(PRELOAD_CHUNK, rows - done);
      await c.query(
        `insert into usage_events (account_id, invocation_id, id_month, function_id, architecture, memory_mb, duration_ms, billed_ms, started_at, status)
         select a, i, usage_id_month(i), 'fn-preload', 'x86_64', 128, 1, 1, t, 'success'
           from (select ($1::uuid[])[1 + g % cardinality($1::uuid[])] as a, ${id} as i, t
                   from generate_series($2::bigint, $3::bigint) g,
                        lateral (select timestamptz '2025-11-01' + make_interval(secs => g * 31536000.0 / $4::bigint)) as s(t)) as r`,
        [accountIds, done + 1, done + n, rows],
      );
      console.log(`    preloaded ${fmt(done + n)} of ${fmt(rows)} stored events (${fmt((performance.now() - t0) / 1000, 0)} s)`);
    }
    for (const k of constraints.rows) await c.query(`alter table usage_events add constraint ${k.name} ${k.def}`);
    await c.query('vacuum analyze usage_events');
    await c.query('checkpoint');
    const size = await c.query<{ size: string }>(
      `select pg_size_pretty(sum(pg_total_relation_size(inhrelid))) as size from pg_inherits where inhparent = 'usage_events'::regclass`,
    );
    console.log(`    usage_events: ${size.rows[0]!.size} with indexes, built in ${fmt((performance.now() - t0) / 1000, 0)} s`);
  } finally {
    await c.end();
  }
  return (performance.now() - t0) / 1000;
}

/**
 * Ingest with DEDUP_ROWS ids already claimed against ingest into an empty dedup table, measured
 * alternately in two databases on the same server (empty, loaded, loaded, empty, ...), so that the
 * shared machine's drift weighs on both alike; medians of the rounds are compared.
 */
async function dedupAtScale(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const empty = await benchDatabase();
  const loaded = await benchDatabase();
  try {
    const accounts = { empty: await benchAccounts(empty.url), loaded: await benchAccounts(loaded.url) };
    const n = BATCHES * BATCH + BATCH;
    console.log(
      `ingest benchmark, dedup at scale: ${fmt(n - BATCH)} events per round in batches of ${fmt(BATCH)}, ${CLIENTS} clients, ${loaded.source}, ${IDS} invocation ids`,
    );
    await preloadDedup(loaded.url, accounts.loaded, DEDUP_ROWS);
    const results: Record<'empty' | 'loaded', number[]> = { empty: [], loaded: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['empty', 'loaded'] as const) : (['loaded', 'empty'] as const);
      for (const which of order) {
        const r = await throughApi((which === 'empty' ? empty : loaded).url, makeRows(accounts[which], n));
        results[which].push(r.eventsPerSecond);
        console.log(
          `    round ${round + 1}, ${which === 'empty' ? 'empty dedup table' : `${fmt(DEDUP_ROWS)} dedup rows`}: ${fmt(r.eventsPerSecond)} events/s, batch p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms`,
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const [e, l] = [median(results.empty), median(results.loaded)];
    const change = (100 * (l - e)) / e;
    console.log(
      `  median: empty ${fmt(e)} events/s, ${fmt(DEDUP_ROWS)} rows ${fmt(l)} events/s; change ${change >= 0 ? '+' : ''}${fmt(change, 1)} %   (goal: no worse than -20 %)`,
    );
  } finally {
    await empty.drop();
    await loaded.drop();
  }
}

/**
 * `BENCH_STEPS=rev1,rev2,...`: the same ingest measured on several git revisions of Tally, interleaved
 * round after round (`BENCH_ROUNDS`, 3), each measure in a database of its own with the 8-connection
 * ceiling measured just before it, so that a revision's ratio is against its own moment of the machine.
 * The events' dispatch tokens are signed by this checkout's code: the revisions must accept them.
 */
async function ingestSteps(revs: string[]): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const dirs = revs.map(exportRevision);
  try {
    for (const shape of SHAPE === 'both' ? (['spread', 'recent'] as const) : [SHAPE]) {
      spreadSeconds = SHAPE_SECONDS[shape];
      const n = BATCHES * BATCH + BATCH;
      console.log(
        `ingest steps (${shape}): ${revs.join(', ')}; ${rounds} rounds, interleaved, ${fmt(n - BATCH)} events each, ${CLIENTS} clients`,
      );
      const results = revs.map(() => ({ rate: [] as number[], ratio: [] as number[], postgresUs: [] as number[], apiUs: [] as number[] }));
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? revs.map((_, i) => i) : revs.map((_, i) => revs.length - 1 - i);
        for (const i of order) {
          const database = await benchDatabase();
          try {
            const accountIds = await benchAccounts(database.url);
            const top = await ceiling(database.url, makeRows(accountIds, n), CEILING_CONNECTIONS);
            const api = await throughApi(database.url, makeRows(accountIds, n), 1, dirs[i]);
            const r = results[i]!;
            r.rate.push(api.eventsPerSecond);
            r.ratio.push(api.eventsPerSecond / top.rowsPerSecond);
            r.postgresUs.push(api.cpu.postgresUs);
            r.apiUs.push(api.cpu.apiUs);
            console.log(
              `  round ${round + 1} ${revs[i]}: ${fmt(api.eventsPerSecond)} events/s, ${fmt(api.eventsPerSecond / top.rowsPerSecond, 2)} of the ceiling (${fmt(top.rowsPerSecond)} rows/s); CPU per event Postgres ${fmt(api.cpu.postgresUs, 1)} µs, api ${fmt(api.cpu.apiUs, 1)} µs`,
            );
          } finally {
            await database.drop();
          }
        }
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
      console.log('  medians:');
      console.log('  | revision | events/s | × first | ratio to the 8-connection ceiling | Postgres CPU per event | api CPU per event |');
      revs.forEach((rev, i) => {
        const r = results[i]!;
        console.log(
          `  | ${rev} | ${fmt(median(r.rate))} | ${fmt(median(r.rate) / median(results[0]!.rate), 2)} | ${fmt(median(r.ratio), 2)} | ${fmt(median(r.postgresUs), 1)} µs | ${fmt(median(r.apiUs), 1)} µs |`,
        );
      });
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

export async function ingestBench(): Promise<void> {
  if (DEDUP_ROWS > 0) return dedupAtScale();
  const revs = (process.env.BENCH_STEPS ?? '').split(',').filter(Boolean);
  if (revs.length > 0) return ingestSteps(revs);
  await ingestShapes();
}

/** What one shape's run measured (for `goals`): one api process, and `BENCH_APIS` of them when set. */
export interface IngestRun {
  shape: 'spread' | 'recent';
  ceilingRowsPerSecond: number;
  eventsPerSecond: number;
  processes?: { count: number; eventsPerSecond: number };
}

/** The shapes `BENCH_SHAPE` names (both by default), one after the other. */
export async function ingestShapes(): Promise<IngestRun[]> {
  const results: IngestRun[] = [];
  for (const shape of SHAPE === 'both' ? (['spread', 'recent'] as const) : [SHAPE]) {
    spreadSeconds = SHAPE_SECONDS[shape];
    results.push(await ingestShape(shape));
  }
  return results;
}

/** The 20 accounts the benchmark's events belong to, made in the given database. */
async function benchAccounts(url: string): Promise<string[]> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  try {
    const accounts = await setup.query<{ id: string }>(
      `insert into accounts (name) select 'bench-' || g from generate_series(1, 20) g returning id`,
    );
    return accounts.rows.map((r) => r.id);
  } finally {
    await setup.end();
  }
}

async function ingestShape(shape: 'spread' | 'recent'): Promise<IngestRun> {
  const database = await benchDatabase();
  try {
    const accountIds = await benchAccounts(database.url);
    const n = BATCHES * BATCH + BATCH;
    const when = shape === 'spread' ? 'started over 27 days' : 'started over one minute';
    console.log(
      `ingest benchmark (${shape}): ${fmt(n - BATCH)} events ${when} in batches of ${fmt(BATCH)}, ${CLIENTS} clients, ${database.source}, durable commits, ${IDS} invocation ids`,
    );
    const ceiling1 = await ceiling(database.url, makeRows(accountIds, n), 1);
    const ceilingN = await ceiling(database.url, makeRows(accountIds, n), CEILING_CONNECTIONS);
    const api = await throughApi(database.url, makeRows(accountIds, n));
    const us = (x: number) => `${fmt(x, 1)} µs`;
    const ceilingCpu = ceilingN.postgresUs + ceilingN.clientUs;
    const tallyCpu = api.cpu.postgresUs + api.cpu.apiUs;

    console.log(`  ceiling, bare table, multi-row INSERT, 1 connection:      ${fmt(ceiling1.rowsPerSecond)} rows/s`);
    console.log(`  ceiling, bare table, multi-row INSERT, ${CEILING_CONNECTIONS} connections:     ${fmt(ceilingN.rowsPerSecond)} rows/s`);
    console.log(
      `  Tally POST /v1/usage, ${CLIENTS} clients (dedup + partitioned events + hourly and monthly rollups): ${fmt(api.eventsPerSecond)} events/s`,
    );
    console.log(
      `  ratio to the 1-connection ceiling: ${fmt(api.eventsPerSecond / ceiling1.rowsPerSecond, 2)}   to the ${CEILING_CONNECTIONS}-connection ceiling: ${fmt(api.eventsPerSecond / ceilingN.rowsPerSecond, 2)}`,
    );
    console.log(`  batch latency p50 ${fmt(api.p50, 1)} ms, p99 ${fmt(api.p99, 1)} ms; api peak RSS ${fmt(api.peakMb, 0)} MB`);
    // CPU per row does not move when other programs take the cores, where rows/s does.
    console.log(
      `  CPU per row: ceiling ${us(ceilingCpu)} (Postgres ${us(ceilingN.postgresUs)}, client ${us(ceilingN.clientUs)}); ` +
        `Tally ${us(tallyCpu)} (Postgres ${us(api.cpu.postgresUs)}, api ${us(api.cpu.apiUs)}); ratio ${fmt(ceilingCpu / tallyCpu, 2)}`,
    );
    const result: IngestRun = { shape, ceilingRowsPerSecond: ceilingN.rowsPerSecond, eventsPerSecond: api.eventsPerSecond };
    if (APIS > 1) {
      // Each on a database of its own, as empty as the first (rows already stored would make its rollups
      // updates, not inserts). A run after another pays for the checkpoint of the rows before it, so the
      // one process is measured again after the N and the two are compared with its mean.
      const fresh = async (apiCount: number) => {
        const other = await benchDatabase();
        return throughApi(other.url, makeRows(await benchAccounts(other.url), n), apiCount).finally(() => other.drop());
      };
      const replicas = await fresh(APIS);
      const again = await fresh(1);
      const oneMean = (api.eventsPerSecond + again.eventsPerSecond) / 2;
      const replicaCpu = replicas.cpu.postgresUs + replicas.cpu.apiUs;
      console.log(
        `  Tally with ${APIS} api processes (TALLY_API_PROCESSES=${APIS}): ${fmt(replicas.eventsPerSecond)} events/s, ratio to the ${CEILING_CONNECTIONS}-connection ceiling ${fmt(replicas.eventsPerSecond / ceilingN.rowsPerSecond, 2)}; ` +
          `CPU per row ${us(replicaCpu)} (Postgres ${us(replicas.cpu.postgresUs)}, api processes ${us(replicas.cpu.apiUs)}); batch p50 ${fmt(replicas.p50, 1)} ms`,
      );
      console.log(
        `  one api process again, after: ${fmt(again.eventsPerSecond)} events/s (CPU per row ${us(again.cpu.postgresUs + again.cpu.apiUs)}); ` +
          `${APIS} processes x${fmt(replicas.eventsPerSecond / oneMean, 2)} the mean of one process before and after`,
      );
      result.processes = { count: APIS, eventsPerSecond: replicas.eventsPerSecond };
    }
    console.log(`  goal: >= 50,000 events/s and >= 0.5 of the ${CEILING_CONNECTIONS}-connection ceiling`);
    return result;
  } finally {
    await database.drop();
  }
}
