import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import pg from 'pg';
import { signDispatch } from '../src/modules/executors/dispatch-token.js';
import { benchDatabase, fmt, percentile, startApi } from './lib.js';

/**
 * Sustained events/s through POST /v1/usage (batches of 1,000, concurrent clients, durable
 * commits), against the ceiling measured in the same run: the same rows written straight into an
 * equivalent bare table with multi-row INSERTs over pg.
 */
const BATCH = 1000;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 240);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);

interface Row {
  invocationId: string; accountId: string; functionId: string; architecture: 'x86_64' | 'arm64'; memoryMb: number;
  durationMs: number; startedAt: string; status: 'success' | 'error' | 'timeout'; dispatchToken?: string;
}

function makeRows(accountIds: string[], n: number): Row[] {
  const base = Date.UTC(2026, 10, 1);
  return Array.from({ length: n }, (_, i) => ({
    invocationId: randomUUID(),
    accountId: accountIds[i % accountIds.length]!,
    functionId: `fn-${i % 50}`,
    architecture: i % 3 === 0 ? 'arm64' : 'x86_64',
    memoryMb: 128 * (1 + (i % 16)),
    durationMs: (i % 5000) + 0.5,
    startedAt: new Date(base + ((i * 7919) % (27 * 86400)) * 1000).toISOString(),
    status: i % 50 === 0 ? 'error' : 'success',
  }));
}

function post(base: string, key: string, body: string, agent: Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/usage`, {
      method: 'POST',
      agent,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function throughApi(url: string, rows: Row[]) {
  const adminKey = `bench_admin_${randomUUID()}`;
  const api = await startApi(url, adminKey);
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
  const secret = (await db.query<{ secret: Buffer }>(`select secret from platform_secrets where name = 'dispatch-token'`)).rows[0]!.secret;
  await db.end();
  for (const r of rows) {
    r.dispatchToken = signDispatch(secret, {
      executorId, invocationId: r.invocationId, accountId: r.accountId, functionName: r.functionId, memoryMb: r.memoryMb,
      architecture: r.architecture, ephemeralStorageMb: 512, timeoutS: 900,
    });
  }
  const bodies: string[] = [];
  for (let i = 0; i < rows.length; i += BATCH) bodies.push(JSON.stringify({ events: rows.slice(i, i + BATCH) }));
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  await post(api.base, fleet.key, bodies.shift()!, agent); // warm-up: JIT, partitions, pool
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const s = performance.now();
        const r = await post(api.base, fleet.key, body, agent);
        latencies.push(performance.now() - s);
        if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${r.text.slice(0, 300)}`);
        accepted += (JSON.parse(r.text) as { accepted: number }).accepted;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const peakMb = api.peakRssMb();
  agent.destroy();
  await api.stop();
  latencies.sort((a, b) => a - b);
  return { eventsPerSecond: accepted / seconds, accepted, p50: percentile(latencies, 50), p99: percentile(latencies, 99), peakMb };
}

/** The ceiling: the same rows, multi-row INSERTs of 1,000 into a bare table with a uuid primary key. */
async function ceiling(url: string, rows: Row[], connections: number) {
  const table = `bench_ceiling_${connections}`;
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`create table ${table} (
    invocation_id uuid primary key, account_id uuid not null, function_id text not null, architecture text not null,
    memory_mb int not null, duration_ms numeric not null, started_at timestamptz not null, status text not null)`);
  const clients = await Promise.all(Array.from({ length: connections }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  }));
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
  const t0 = performance.now();
  await Promise.all(clients.map(async (c) => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      await insert(c, chunk);
      written += chunk.length;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  await setup.query(`drop table ${table}`);
  await setup.end();
  return written / seconds;
}

export async function ingestBench(): Promise<void> {
  const database = await benchDatabase();
  try {
    const setup = new pg.Client({ connectionString: database.url });
    await setup.connect();
    const accounts = await setup.query<{ id: string }>(
      `insert into accounts (name) select 'bench-' || g from generate_series(1, 20) g returning id`,
    );
    await setup.end();
    const accountIds = accounts.rows.map((r) => r.id);
    const n = BATCHES * BATCH + BATCH;
    console.log(`ingest benchmark: ${fmt(n - BATCH)} events in batches of ${fmt(BATCH)}, ${CLIENTS} clients, ${database.source}, durable commits`);

    const ceiling1 = await ceiling(database.url, makeRows(accountIds, n), 1);
    const ceilingN = await ceiling(database.url, makeRows(accountIds, n), CLIENTS);
    const api = await throughApi(database.url, makeRows(accountIds, n));

    console.log(`  ceiling, bare table, multi-row INSERT, 1 connection:      ${fmt(ceiling1)} rows/s`);
    console.log(`  ceiling, bare table, multi-row INSERT, ${CLIENTS} connections:     ${fmt(ceilingN)} rows/s`);
    console.log(`  Tally POST /v1/usage (dedup + partitioned events + hourly rollups): ${fmt(api.eventsPerSecond)} events/s`);
    console.log(`  ratio to the 1-connection ceiling: ${fmt(api.eventsPerSecond / ceiling1, 2)}   to the ${CLIENTS}-connection ceiling: ${fmt(api.eventsPerSecond / ceilingN, 2)}`);
    console.log(`  batch latency p50 ${fmt(api.p50, 1)} ms, p99 ${fmt(api.p99, 1)} ms; api peak RSS ${fmt(api.peakMb, 0)} MB`);
    console.log(`  goal: >= 30,000 events/s and >= 0.5 of the ceiling`);
  } finally {
    await database.drop();
  }
}
