import pg from 'pg';
import { buildServices } from '../src/app.js';
import { createDb } from '../src/db/database.js';
import { fixedClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/logger.js';
import { Money } from '../src/lib/money.js';
import { periodEnd, periodStart } from '../src/lib/period.js';
import type { PeriodUsage } from '../src/modules/invoices/invoices.repository.js';
import { benchDatabase, fmt } from './lib.js';

/**
 * Time to finalize a month's invoices for 10,000 accounts (`invoices.run`, in-process), against the
 * floor measured in the same run: one SQL query summing the same hourly rollups per account. The
 * rollups are seeded set-based (generate_series), not through ingest. The run's own queries are
 * timed as they go (pg.Client.prototype.query wrapped for the duration of the run), so the output
 * also says where the run's time goes: each kind of statement, and what is left for JS.
 */
const PERIOD = '2026-10';
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
const GOAL_RATIO = 3;

const seedAccounts = `
  insert into accounts (name, free_tier, created_at)
  select 'bench-' || g, g % 4 <> 0, timestamptz '2026-01-01 00:00Z' + (g % 250) * interval '1 day'
  from generate_series(1, $1::int) g`;

/**
 * 1-3 functions per account, each with one architecture, a memory size, an ephemeral size (most at
 * the included 512 MB), a mean duration and an activity pattern (every 4th to 16th hour of the
 * month). Per hour: requests around the account's rate (1% heavy, 9% medium, the rest light),
 * billed ms = run time + cold starts x 250 ms init, mb_ms = billed ms x memory, init_mb_ms the init
 * share of it. Deterministic (arithmetic, no random()). Written in hour order, as ingest writes them,
 * so an account's rows are spread over the whole table as in production.
 */
const seedRollups = `
  insert into usage_hourly (account_id, hour, function_id, architecture, requests, billed_ms, mb_ms, ephemeral_mb_ms, init_mb_ms, init_ephemeral_mb_ms, errors, timeouts)
  with a as (
    select id, substr(name, 7)::int as n from accounts
  ), f as (
    select a.id, a.n, fn,
      case when (a.n + fn) % 3 = 0 then 'arm64' else 'x86_64' end as arch,
      (array[128, 256, 512, 1024, 1769, 2048, 3008, 4096, 10240])[1 + (a.n * 7 + fn * 3) % 9] as memory,
      case when (a.n + fn) % 5 = 0 then 512 * (1 + (a.n + fn) % 8) else 0 end as extra_storage,
      1 + (a.n * 31 + fn * 17) % 1500 as avg_ms,
      4 + (a.n * 13 + fn * 5) % 13 as step,
      (a.n + fn) % 4 as phase,
      case when a.n % 100 = 0 then 6000 when a.n % 10 = 0 then 60 else 4 end as rate
    from a cross join lateral generate_series(1, 1 + (a.n % 3)::int) fn
  ), r as (
    select f.*, h,
      greatest(1, rate * (500 + (n * 7919 + h * 104729 + fn * 131) % 1000) / 1000)::bigint as requests,
      ((n * 104723 + h * 7907 + fn * 31) % 400)::bigint as jitter
    from f cross join lateral generate_series(phase, 743, step) h
  ), b as (
    select r.*, requests * avg_ms * (800 + jitter) / 1000 as run_ms, (requests * (jitter % 40) + 999) / 1000 as cold
    from r
  )
  select id, timestamptz '${PERIOD}-01 00:00Z' + h * interval '1 hour', 'fn-' || fn, arch,
         requests, run_ms + cold * 250, (run_ms + cold * 250) * memory, extra_storage * (run_ms + cold * 250),
         cold * 250 * memory, extra_storage * cold * 250, requests * (jitter % 7) / 200, case when jitter = 0 then 1 else 0 end
  from b
  order by h`;

const seedMonthly = `
  insert into usage_monthly (account_id, period, architecture, requests, mb_ms, ephemeral_mb_ms, init_mb_ms, init_ephemeral_mb_ms)
  select account_id, date_trunc('month', hour, 'UTC')::date, architecture, sum(requests), sum(mb_ms), sum(ephemeral_mb_ms), sum(init_mb_ms),
         sum(init_ephemeral_mb_ms)
  from usage_hourly group by 1, 2, 3`;

/** The floor: the month's rollups summed per account, as the invoices need them. */
const floorQuery = `
  select account_id,
         sum(requests)::text as requests,
         coalesce(sum(mb_ms) filter (where architecture = 'x86_64'), 0)::text as x86,
         coalesce(sum(mb_ms) filter (where architecture = 'arm64'), 0)::text as arm,
         coalesce(sum(init_mb_ms) filter (where architecture = 'x86_64'), 0)::text as x86_init,
         coalesce(sum(init_mb_ms) filter (where architecture = 'arm64'), 0)::text as arm_init,
         sum(ephemeral_mb_ms)::text as ephemeral,
         sum(init_ephemeral_mb_ms)::text as ephemeral_init
  from usage_hourly
  where hour >= $1 and hour < $2
  group by account_id`;

interface FloorRow {
  account_id: string;
  requests: string;
  x86: string;
  arm: string;
  x86_init: string;
  arm_init: string;
  ephemeral: string;
  ephemeral_init: string;
}

/** What kind of statement a query is, for the breakdown of the run. */
const KINDS: [string, RegExp][] = [
  ['begin / commit', /^\s*(begin|commit|rollback)\b/i],
  ['advisory lock / unlock', /pg_advisory_/i],
  ['accounts page', /from "accounts"/i],
  ['finalized accounts check', /select "account_id" from "invoices"/i],
  ['price versions (resolver)', /price_versions|price_tiers/i],
  ['billedStates (ledger heads, late usage)', /with heads as/i],
  ['usageByAccount', /from usage_(hourly|monthly)/i],
  ['insert/upsert invoices (drafts)', /insert into invoices/i],
  ['delete invoice_lines', /delete from "invoice_lines"/i],
  ['insert invoice_lines', /insert into invoice_lines/i],
  ['update invoices -> finalized', /update "invoices"/i],
  ['insert billing_ledger', /insert into billing_ledger/i],
  ['insert audit_log', /insert into "audit_log"/i],
];

interface QueryStat {
  calls: number;
  ms: number;
  max: number;
}

/** Times every promise-returning pg.Client#query (what Kysely issues) while `on`. */
function queryTimer() {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const stats = new Map<string, QueryStat>();
  let on = false;
  proto.query = function timed(this: unknown, ...args: unknown[]) {
    const result = original.apply(this, args);
    if (!on || !(result instanceof Promise)) return result;
    const first = args[0];
    const text =
      typeof first === 'string' ? first : typeof (first as { text?: unknown })?.text === 'string' ? (first as { text: string }).text : '';
    const kind = KINDS.find(([, re]) => re.test(text))?.[0] ?? `other: ${text.replace(/\s+/g, ' ').trim().slice(0, 60)}`;
    const started = performance.now();
    const record = () => {
      const ms = performance.now() - started;
      const s = stats.get(kind) ?? { calls: 0, ms: 0, max: 0 };
      stats.set(kind, { calls: s.calls + 1, ms: s.ms + ms, max: Math.max(s.max, ms) });
    };
    result.then(record, record);
    return result;
  };
  return {
    stats,
    start: () => {
      stats.clear();
      on = true;
    },
    stop: () => {
      on = false;
    },
    restore: () => {
      proto.query = original;
    },
  };
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

export async function invoicesBench(): Promise<void> {
  const database = await benchDatabase();
  const client = new pg.Client({ connectionString: database.url, options: '-c TimeZone=UTC' });
  const appDb = createDb(database.url);
  const services = buildServices({ db: appDb, clock: fixedClock('2026-11-02T00:10:00Z'), logger: silentLogger(), adminKey: null });
  const timer = queryTimer();
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  try {
    await client.connect();
    console.log(`invoice benchmark: ${fmt(ACCOUNTS)} accounts, month ${PERIOD}, ${database.source}`);

    // Seed, set-based.
    const seeded = await timed(async () => {
      await client.query(seedAccounts, [ACCOUNTS]);
      await client.query(seedRollups);
      // Ingest keeps the monthly rollups in the same statement as the hourly ones; the seed does it in one pass.
      await client.query(seedMonthly);
    });
    const vacuum = await timed(() => client.query('vacuum analyze'));
    const {
      rows: [seed],
    } = await client.query<{
      rows: string;
      requests: string;
      accounts: string;
      free: string;
      arm: string;
      eph: string;
      init: string;
      gbs: string;
      size: string;
    }>(`
      select count(*)::text as rows, sum(requests)::text as requests,
             count(*) filter (where architecture = 'arm64')::text as arm, count(*) filter (where ephemeral_mb_ms > 0)::text as eph,
             count(*) filter (where init_mb_ms > 0)::text as init, round(sum(mb_ms) / 1024000.0)::text as gbs,
             (select count(*) from accounts)::text as accounts, (select count(*) filter (where free_tier) from accounts)::text as free,
             pg_size_pretty(pg_total_relation_size('usage_hourly')) as size
      from usage_hourly`);
    const requests = BigInt(seed!.requests);
    check(
      requests >= (10_000_000n * BigInt(ACCOUNTS)) / 10_000n,
      `seeded only ${seed!.requests} requests (want >= 10,000,000 for 10,000 accounts)`,
    );
    console.log(
      `  seeded ${fmt(Number(seed!.rows))} hourly rollup rows (${fmt(Number(seed!.arm))} arm64, ${fmt(Number(seed!.eph))} with ephemeral, ` +
        `${fmt(Number(seed!.init))} with init; ${seed!.size}) = ${fmt(Number(requests))} requests, ${fmt(Number(seed!.gbs))} GB-s; ` +
        `${fmt(Number(seed!.accounts))} accounts (${fmt(Number(seed!.free))} free tier) in ${fmt(seeded.ms / 1000, 1)} s; VACUUM ANALYZE ${fmt(vacuum.ms / 1000, 1)} s`,
    );

    // The floor: warm once, then best of 3.
    const range = [periodStart(PERIOD), periodEnd(PERIOD)];
    let floorRows = (await client.query<FloorRow>(floorQuery, range)).rows;
    let floorMs = Infinity;
    for (let i = 0; i < 3; i++) {
      const r = await timed(() => client.query<FloorRow>(floorQuery, range));
      floorMs = Math.min(floorMs, r.ms);
      floorRows = r.value.rows;
    }
    check(floorRows.length === ACCOUNTS, `floor returned ${floorRows.length} accounts, expected ${ACCOUNTS}`);

    // The run.
    timer.start();
    const cpu0 = process.cpuUsage();
    const run = await timed(() => services.invoices.run(PERIOD, 'bench'));
    const cpu = process.cpuUsage(cpu0);
    timer.stop();
    const runStats = new Map(timer.stats);
    const {
      rows: [sums],
    } = await client.query<{ finalized: string; total: string; mismatched: string }>(
      `
      select (select count(*) from invoices where period = $1 and status = 'finalized')::text as finalized,
             (select coalesce(sum(total), 0) from invoices where period = $1 and status = 'finalized')::text as total,
             (select count(*) from (select * from billing_ledger where kind = 'month') s
                full join (select account_id, sum(requests) r, coalesce(sum(mb_ms) filter (where architecture = 'x86_64'), 0) x,
                                  coalesce(sum(mb_ms) filter (where architecture = 'arm64'), 0) a, sum(ephemeral_mb_ms) e
                           from usage_hourly where hour >= $2 and hour < $3 group by account_id) f using (account_id)
               where s.usage_period is distinct from $1::date
                  or (s.requests, s.x86_mb_ms, s.arm_mb_ms, s.ephemeral_mb_ms) is distinct from (f.r, f.x, f.a, f.e))::text as mismatched`,
      [`${PERIOD}-01`, ...range],
    );
    check(run.value.finalized === ACCOUNTS, `the run reported ${run.value.finalized} finalized, expected ${ACCOUNTS}`);
    check(Number(sums!.finalized) === ACCOUNTS, `${sums!.finalized} finalized invoices in the database, expected ${ACCOUNTS}`);
    check(new Money(sums!.total).eq(run.value.total), `sum(total) in SQL is ${sums!.total}, the run reported ${run.value.total}`);
    check(sums!.mismatched === '0', `${sums!.mismatched} billing ledger entries differ from the floor's sums`);

    // The idempotent re-run.
    const rerun = await timed(() => services.invoices.run(PERIOD, 'bench'));
    check(
      rerun.value.finalized === 0 && rerun.value.alreadyFinalized === ACCOUNTS,
      `re-run: finalized ${rerun.value.finalized}, already ${rerun.value.alreadyFinalized} (expected 0 and ${ACCOUNTS})`,
    );

    // The JS share: compute() for all accounts from the floor's sums (pricing, lines, snapshots; two small reads).
    const accounts = (await client.query<{ id: string; free_tier: boolean }>('select id, free_tier from accounts order by id')).rows.map(
      (a) => ({ id: a.id, freeTier: a.free_tier }),
    );
    const usage = new Map<string, PeriodUsage>(
      floorRows.map((r) => [
        r.account_id,
        {
          requests: BigInt(r.requests),
          x86MbMs: BigInt(r.x86),
          armMbMs: BigInt(r.arm),
          x86InitMbMs: BigInt(r.x86_init),
          armInitMbMs: BigInt(r.arm_init),
          ephemeralMbMs: BigInt(r.ephemeral),
          ephemeralInitMbMs: BigInt(r.ephemeral_init),
        },
      ]),
    );
    const computed = await timed(() => services.invoices.compute(accounts, PERIOD, usage));
    const lines = computed.value.reduce((n, c) => n + c.lines.length, 0);
    const recomputed = computed.value.reduce((sum, c) => sum.plus(c.total), new Money(0));
    check(
      recomputed.eq(run.value.total),
      `compute() from the floor's sums totals ${recomputed.toFixed(2)}, the run reported ${run.value.total}`,
    );

    const ratio = run.ms / floorMs;
    console.log(`  floor, one query summing the month's rollups per account (best of 3): ${fmt(floorMs, 1)} ms`);
    console.log(
      `  Tally invoices.run('${PERIOD}'): ${fmt(run.value.finalized)} invoices finalized in ${fmt(run.ms, 1)} ms, total ${run.value.total} USD (SQL sum ${sums!.total})`,
    );
    console.log(`  ratio run/floor: ${fmt(ratio, 1)}`);
    console.log(
      `  re-run (idempotent, ${fmt(rerun.value.alreadyFinalized)} already finalized): ${fmt(rerun.ms, 1)} ms (${fmt(rerun.ms / floorMs, 2)}x floor)`,
    );
    console.log(`  where the run's ${fmt(run.ms, 0)} ms went (statements as the client waited for them):`);
    let inQueries = 0;
    for (const [kind, s] of [...runStats].sort((x, y) => y[1].ms - x[1].ms)) {
      inQueries += s.ms;
      console.log(
        `    ${kind.padEnd(34)} ${fmt(s.ms, 0).padStart(7)} ms  ${fmt((100 * s.ms) / run.ms, 1).padStart(5)}%  ${fmt(s.calls).padStart(4)} calls, max ${fmt(s.max, 0)} ms`,
      );
    }
    const js = run.ms - inQueries;
    console.log(
      `    ${'between statements: JS'.padEnd(34)} ${fmt(js, 0).padStart(7)} ms  ${fmt((100 * js) / run.ms, 1).padStart(5)}%  ` +
        `(node used ${fmt((cpu.user + cpu.system) / 1000, 0)} ms CPU during the run)`,
    );
    console.log(
      `    of which compute() (pricing, lines, ledger entries) for ${fmt(accounts.length)} accounts from in-memory usage, ` +
        `${fmt(lines)} lines, timed again after the run: ${fmt(computed.ms, 0)} ms`,
    );
    console.log(`  goal: run <= ${GOAL_RATIO}x floor: ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'}`);
    if (problems.length > 0) {
      for (const p of problems) console.error(`  CHECK FAILED: ${p}`);
      process.exitCode = 1;
    } else {
      console.log(
        `  checks: ${fmt(ACCOUNTS)} finalized, sum(total) in SQL = the run's total, every ledger entry = the floor's sums, ` +
          `pricing the floor's sums gives the same total, re-run finalized none`,
      );
    }
  } finally {
    timer.restore();
    await appDb.destroy();
    // The pool's sessions close asynchronously: wait for them to be gone, or `drop database ... (force)`
    // terminates one mid-close and its client reports the FATAL as an unhandled 'error' event.
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
      const others = await client
        .query<{ n: string }>(
          `select count(*)::text as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
        )
        .catch(() => ({ rows: [{ n: '0' }] }));
      if (others.rows[0]!.n === '0') break;
    }
    await client.end().catch(() => {});
    await database.drop();
  }
}
