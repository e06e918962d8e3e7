import { createRequire } from 'node:module';
import pg from 'pg';
import { api, deploy } from './invoke.js';
import { benchDatabase, fmt, percentile } from './lib.js';

/**
 * Asynchronous invocation of a no-op Node.js function (`npm start`: api and executor in one
 * process), against the synchronous path measured in the same run with the same clients:
 * queued-to-started latency on an idle queue (202 answered to the runtime receiving the event, from
 * the database's records) and the sustained rate at which queued events are run.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = 8;
const IDLE_EVENTS = Number(process.env.BENCH_IDLE_EVENTS ?? 200);

interface AutocannonResult {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object) => Promise<AutocannonResult>;

export async function asyncBench(): Promise<void> {
  const database = await benchDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const d = await deploy(database.url, false);
  try {
    console.log(`async benchmark: no-op Node.js function, ${d.label}, ${database.source}`);
    const url = `${d.base}/v1/functions/noop/invoke`;
    const drain = async () => {
      for (;;) {
        const { rows } = await client.query(
          `select count(*) filter (where status in ('queued', 'running')) as left from async_invocations`,
        );
        if (Number(rows[0].left) === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const headers = { authorization: `Bearer ${d.key}`, 'content-type': 'application/json' };
    const load = (extra: Record<string, string>, duration: number) =>
      autocannon({ url, method: 'POST', headers: { ...headers, ...extra }, body: '{}', connections: CLIENTS, duration });

    await load({}, 3); // warm: instances started, code paths compiled
    const sync = await load({}, SECONDS);
    if (sync.non2xx > 0 || sync.errors > 0) throw new Error(`sync: ${sync.non2xx} non-2xx, ${sync.errors} errors`);

    // Idle queue: one event at a time, each after the previous one started.
    const idle: string[] = [];
    for (let i = 0; i < IDLE_EVENTS; i++) {
      idle.push((await api(d.base, d.key, 'POST', '/v1/functions/noop/invoke', {}, { 'x-tally-invocation-type': 'Event' })).json.requestId);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Sustained: the same clients queue events as fast as they are answered; the workers drain them.
    // A first round, not counted, starts as many instances as the workers run events at once.
    await load({ 'x-tally-invocation-type': 'Event' }, 3);
    await drain();
    const before = Number((await client.query(`select count(*) from async_invocations`)).rows[0].count);
    const queued = await load({ 'x-tally-invocation-type': 'Event' }, SECONDS);
    if (queued.non2xx > 0 || queued.errors > 0) throw new Error(`async: ${queued.non2xx} non-2xx, ${queued.errors} errors`);
    await drain();
    const drained = await client.query(`
      select count(*) as n, count(*) filter (where status = 'succeeded') as ok,
             extract(epoch from max(finished_at) - min(created_at)) as seconds
        from (select * from async_invocations order by created_at offset ${before}) q`);
    const n = Number(drained.rows[0].n);
    const rate = n / Number(drained.rows[0].seconds);

    // Queued (row written) to started (the executor handed the event to the runtime), per idle event.
    let lat: number[] = [];
    for (let tries = 0; tries < 50 && lat.length < idle.length; tries++) {
      const { rows } = await client.query(
        `select extract(epoch from (u.started_at - i.created_at)) * 1000 as ms
           from async_invocations i
           join async_attempts t on t.account_id = i.account_id and t.request_id = i.id
           join usage_events u on u.account_id = t.account_id and u.invocation_id = t.invocation_id
          where i.id = any($1::uuid[])`,
        [idle],
      );
      lat = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
      if (lat.length < idle.length) await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`  synchronous, ${CLIENTS} clients: ${fmt(sync.requests.average)} invocations/s`);
    console.log(
      `  asynchronous, idle queue (${fmt(lat.length)} events one at a time): queued to started p50 ${fmt(percentile(lat, 50), 1)} ms, p99 ${fmt(percentile(lat, 99), 1)} ms`,
    );
    console.log(
      `  asynchronous, ${CLIENTS} clients queueing for ${SECONDS} s: ${fmt(queued.requests.average)} events/s queued (202), ` +
        `${fmt(n)} run (${drained.rows[0].ok} succeeded) at ${fmt(rate)} events/s, ${fmt((100 * rate) / sync.requests.average, 0)} % of synchronous`,
    );
  } finally {
    await d.stop();
    await client.end();
    await database.drop();
  }
}
