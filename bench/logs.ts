import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import pg from 'pg';
import type { InvocationLogs } from '../src/contracts/logs.js';
import { benchDatabase, fmt, percentile, postJson, startApi } from './lib.js';

/**
 * Function log lines/s through POST /v1/logs (batches of 100 invocations x 10 lines, concurrent
 * clients: partition check, dedup on (account, request id, seq, ts), three indexes), against the
 * same rows written in the same run with bare multi-row INSERTs of 1,000 into an unindexed table.
 */
const LINES_PER_INVOCATION = 10;
const INVOCATIONS_PER_BATCH = 100;
const BATCH_LINES = LINES_PER_INVOCATION * INVOCATIONS_PER_BATCH;
const LINES = Number(process.env.BENCH_LOG_LINES ?? 200_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);

interface Row {
  accountId: string;
  functionName: string;
  requestId: string;
  seq: number;
  timestamp: number;
  message: string;
}

function makeInvocations(accountId: string, lines: number): InvocationLogs[] {
  const now = Date.now();
  const out: InvocationLogs[] = [];
  for (let i = 0; i * LINES_PER_INVOCATION < lines; i++) {
    const requestId = randomUUID();
    out.push({
      requestId,
      accountId,
      functionName: `fn-${i % 20}`,
      architecture: 'x86_64',
      memoryMb: 128,
      lines: Array.from({ length: LINES_PER_INVOCATION }, (_, seq) => ({
        seq,
        // Each line in a millisecond of its own, so each is a row of its own as in the bare INSERTs (lines
        // of one invocation in one millisecond are stored a run per row: migration 0094).
        timestamp: now - 300_000 + i * LINES_PER_INVOCATION + seq,
        message: `${new Date(now).toISOString()}\t${requestId}\tINFO\tprocessed order ${i}-${seq} in ${seq * 3} ms for customer ${i % 977}`,
      })),
    });
  }
  return out;
}

const rowsOf = (invocations: InvocationLogs[]): Row[] =>
  invocations.flatMap((inv) =>
    inv.lines.map((l) => ({ ...l, accountId: inv.accountId, functionName: inv.functionName, requestId: inv.requestId })),
  );

async function throughApi(url: string) {
  const adminKey = `bench_admin_${randomUUID()}`;
  const api = await startApi(url, adminKey);
  const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const account = (await fetch(`${api.base}/v1/accounts`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench' }) }).then(
    (r) => r.json(),
  )) as { id: string };
  const { key } = (await fetch(`${api.base}/v1/accounts/${account.id}/keys`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ role: 'executor' }),
  }).then((r) => r.json())) as { key: string };
  const invocations = makeInvocations(account.id, LINES + BATCH_LINES);
  const bodies: string[] = [];
  for (let i = 0; i < invocations.length; i += INVOCATIONS_PER_BATCH)
    bodies.push(JSON.stringify({ invocations: invocations.slice(i, i + INVOCATIONS_PER_BATCH) }));
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  await postJson(`${api.base}/v1/logs`, key, bodies.shift()!, agent); // warm-up: JIT, partitions, pool
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const s = performance.now();
        const r = await postJson(`${api.base}/v1/logs`, key, body, agent);
        latencies.push(performance.now() - s);
        if (r.status !== 200) throw new Error(`POST /v1/logs answered ${r.status}: ${r.text.slice(0, 300)}`);
        accepted += (JSON.parse(r.text) as { accepted: number }).accepted;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  // A resend of everything: all duplicates, nothing stored twice.
  const again = await postJson(`${api.base}/v1/logs`, key, bodies[0]!, agent);
  const dup = JSON.parse(again.text) as { accepted: number; duplicates: number };
  agent.destroy();
  const peakMb = api.peakRssMb();
  await api.stop();
  latencies.sort((a, b) => a - b);
  return {
    linesPerSecond: accepted / seconds,
    accepted,
    resend: dup,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    peakMb,
    rows: rowsOf(invocations.slice(INVOCATIONS_PER_BATCH)),
  };
}

/** The baseline: the same rows, multi-row INSERTs of 1,000 into a bare table (no partitions, no index). */
async function bareInsert(url: string, rows: Row[], connections: number) {
  const table = `bench_logs_bare_${connections}`;
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`create table ${table} (
    account_id uuid not null, function_name text not null, request_id uuid not null, seq int not null,
    ts timestamptz not null, message text not null)`);
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  const chunks: Row[][] = [];
  for (let i = 0; i < rows.length; i += BATCH_LINES) chunks.push(rows.slice(i, i + BATCH_LINES));
  const insert = (c: pg.Client, chunk: Row[]) => {
    const values: unknown[] = [];
    const tuples = chunk.map((r, i) => {
      values.push(r.accountId, r.functionName, r.requestId, r.seq, new Date(r.timestamp).toISOString(), r.message);
      const o = i * 6;
      return `($${o + 1},$${o + 2},$${o + 3},$${o + 4},$${o + 5},$${o + 6})`;
    });
    return c.query(`insert into ${table} values ${tuples.join(',')}`, values);
  };
  await insert(clients[0]!, chunks[0]!); // warm-up
  await setup.query(`truncate ${table}`);
  let next = 0;
  let written = 0;
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
  await Promise.all(clients.map((c) => c.end()));
  await setup.query(`drop table ${table}`);
  await setup.end();
  return written / seconds;
}

export async function logsBench(): Promise<void> {
  const database = await benchDatabase();
  try {
    console.log(
      `logs benchmark: ${fmt(LINES)} lines (${LINES_PER_INVOCATION} per invocation, ${fmt(BATCH_LINES)} per batch), ${CLIENTS} clients, ${database.source}, durable commits`,
    );
    const api = await throughApi(database.url);
    const bare1 = await bareInsert(database.url, api.rows, 1);
    const bareN = await bareInsert(database.url, api.rows, CLIENTS);
    console.log(`  bare multi-row INSERT of the same rows, 1 connection:   ${fmt(bare1)} lines/s`);
    console.log(`  bare multi-row INSERT of the same rows, ${CLIENTS} connections:  ${fmt(bareN)} lines/s`);
    console.log(
      `  Tally POST /v1/logs (day partitions, dedup, indexes):   ${fmt(api.linesPerSecond)} lines/s (${fmt(api.accepted)} stored)`,
    );
    console.log(
      `  ratio to the 1-connection bare INSERT: ${fmt(api.linesPerSecond / bare1, 2)}   to ${CLIENTS} connections: ${fmt(api.linesPerSecond / bareN, 2)}`,
    );
    console.log(`  batch latency p50 ${fmt(api.p50, 1)} ms, p99 ${fmt(api.p99, 1)} ms; api peak RSS ${fmt(api.peakMb, 0)} MB`);
    console.log(`  a batch sent again: ${api.resend.accepted} stored, ${fmt(api.resend.duplicates)} duplicates`);
  } finally {
    await database.drop();
  }
}
