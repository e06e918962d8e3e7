import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Architecture, InvocationStatus, UsageEvent } from '../../src/contracts/usage.js';
import { DURATION_SLACK_MS, INIT_SLACK_MS } from '../../src/modules/executors/dispatch-token.js';
import { uuid7Millis } from '../../src/lib/uuid7.js';
import { bearer, fleetExecutor, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();
let fleet: Awaited<ReturnType<typeof fleetExecutor>>;
beforeAll(async () => {
  fleet = await fleetExecutor(t.app, t.db.db, t.services.secretBox);
  // The months the main property uses get their partitions first, one batch at a time: creating a month's
  // partition from concurrent first batches is covered (and currently fails) in its own test below.
  const warm = await newTenant(t.app);
  for (const at of ['2026-09-15T00:00:00Z', '2026-10-15T00:00:00Z', '2026-11-15T00:00:00Z']) {
    const r = await postUsage(t.app, warm.executorKey, [usageEvent(warm.id, { startedAt: at })]);
    if (r.statusCode !== 200) throw new Error(`warm-up: ${r.statusCode} ${r.body}`);
  }
});

/** The test's own exact arithmetic: far more digits than any sum of two doubles can need (~1,100). */
const Exact = Decimal.clone({ precision: 2_000, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -9e15, toExpPos: 9e15 });

/** docs/architecture.md: billed = ceil(min(duration, 900000) + min(init ?? 0, 10000)), on the numbers' decimal form. */
function modelBilledMs(durationMs: number, initDurationMs: number | undefined): bigint {
  const handler = Exact.min(new Exact(String(durationMs)), 900_000);
  const init = initDurationMs === undefined ? new Exact(0) : Exact.min(new Exact(String(initDurationMs)), 10_000);
  return BigInt(handler.plus(init).ceil().toFixed(0));
}

/** GB-s as the api writes it: exact, no exponent, no trailing zeros. */
function gbSeconds(mbMs: bigint): string {
  const s = new Exact(mbMs.toString()).div(1_024_000).toFixed();
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

const FUNCTIONS = ['fn-a', 'fn-b', 'fn-c', 'fn-ünï'];
const STATUSES: InvocationStatus[] = ['success', 'error', 'timeout'];

// A few hours many events fall into (so rollups really add up), across a month boundary, over ~2.5 months;
// the clock stands at 2026-11-15T12:00Z, so every start is in the past.
const BUSY_HOURS = [
  '2026-09-01T00:00:00Z',
  '2026-09-14T13:00:00Z',
  '2026-09-30T23:00:00Z',
  '2026-10-01T00:00:00Z',
  '2026-10-15T09:00:00Z',
  '2026-11-01T00:00:00Z',
  '2026-11-15T11:00:00Z',
].map((s) => Date.parse(s));
const instant = fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom(...BUSY_HOURS), fc.integer({ min: 0, max: 3_599_999 })).map(([h, ms]) => h + ms), weight: 3 },
  { arbitrary: fc.integer({ min: Date.UTC(2026, 8, 1), max: Date.UTC(2026, 10, 15, 11, 59, 59, 999) }), weight: 1 },
);
/** The same instant written in UTC or with a UTC offset (the rollup hour is the UTC hour either way). */
const startedAt = fc.record({ ms: instant, offsetMin: fc.constantFrom(0, 0, 0, 330, -300, 60, -720, 840) });
type StartedAt = { ms: number; offsetMin: number };
function isoAt({ ms, offsetMin }: StartedAt): string {
  if (offsetMin === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
  const abs = Math.abs(offsetMin);
  return `${local}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

// Doubles stay >= 1e-6 so that no sum needs more than ~30 significant digits (see the separate
// "extreme magnitudes" property below for what happens past 60).
const withMillis = (max: number) => fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 1, max: 999 })).map(([n, k]) => n + k / 1000);
const durationMs = fc.oneof(
  fc.integer({ min: 0, max: 900_000 }),
  withMillis(900_000),
  fc.double({ min: 1e-6, max: 900_000, noNaN: true }),
  fc.double({ min: 900_000, max: 5e9, noNaN: true }),
  fc.integer({ min: 900_001, max: 10_000_000 }),
  fc.constantFrom(0, 0.5, 0.999, 899_999.5, 899_999.999, 900_000, 900_000.000001, 900_000.5, 900_001, 3_600_000),
);
const initDurationMs = fc.option(
  fc.oneof(
    fc.integer({ min: 0, max: 10_000 }),
    withMillis(20_000),
    fc.double({ min: 1e-6, max: 10_000, noNaN: true }),
    fc.double({ min: 10_000, max: 1e6, noNaN: true }),
    fc.constantFrom(0, 0.001, 9_999.5, 10_000, 10_000.0001, 10_001, 60_000),
  ),
  { nil: undefined, freq: 2 },
);

const eventContent = fc.record({
  functionId: fc.constantFrom(...FUNCTIONS),
  architecture: fc.constantFrom<Architecture>('x86_64', 'arm64'),
  memoryMb: fc.oneof(fc.constantFrom(128, 512, 1024, 1769, 10_240), fc.integer({ min: 128, max: 10_240 })),
  durationMs,
  initDurationMs,
  ephemeralStorageMb: fc.option(fc.oneof(fc.constant(512), fc.integer({ min: 512, max: 10_240 })), { nil: undefined }),
  maxMemoryUsedMb: fc.option(fc.integer({ min: 0, max: 10_240 }), { nil: undefined }),
  status: fc.constantFrom<InvocationStatus>('success', 'success', 'error', 'timeout'),
  startedAt,
});
type Content = typeof eventContent extends fc.Arbitrary<infer C> ? C : never;

/** The first time each invocation is sent: which id, where (group, batch) and what. */
/**
 * Any uuid a reporter may send, but a version 7 one from the future: its time places the row
 * (migration 0092), and ingest refuses such an id (usage-ingest.test.ts shows it) as it refuses a
 * startedAt from the future.
 */
const anyUuid = fc.uuid().filter((id) => {
  const ms = uuid7Millis(id);
  return ms === null || ms < Date.now() || ms >= Date.UTC(2100, 0, 1);
});
const original = fc.record({ id: anyUuid, content: eventContent, group: fc.nat(), batch: fc.nat(), key: fc.boolean() });

/**
 * Something sent again: `same` (identical, maybe with the id upper-cased), `moved` (same content, another
 * startedAt: still a duplicate), `duration` / `status` (same id, other content: a conflict).
 */
const extra = fc.record({
  // Half the extras pile onto the first few invocations, so replays and conflicts of one id meet in a batch.
  target: fc.oneof(fc.nat({ max: 2 }), fc.nat()),
  kind: fc.constantFrom('same', 'same', 'moved', 'duration', 'status'),
  upper: fc.boolean(),
  moveTo: startedAt,
  alsoMove: fc.boolean(),
  group: fc.nat(),
  batch: fc.nat(),
  pos: fc.nat(),
});

const scenario = fc.record({
  originals: fc.uniqueArray(original, { minLength: 1, maxLength: 40, selector: (o) => o.id.toLowerCase() }),
  extras: fc.array(extra, { maxLength: 40 }),
  groups: fc.integer({ min: 1, max: 4 }),
  batchesPerGroup: fc.integer({ min: 1, max: 3 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

interface Planned {
  groups: { event: UsageEvent; key: 'scoped' | 'fleet' }[][][];
  firsts: Map<string, Content>;
  sent: number;
  duplicates: number;
  conflicts: number;
  conflictIds: Set<string>;
}

function toEvent(accountId: string, invocationId: string, c: Content, at: StartedAt = c.startedAt): UsageEvent {
  const e: UsageEvent = {
    invocationId,
    accountId,
    functionId: c.functionId,
    architecture: c.architecture,
    memoryMb: c.memoryMb,
    durationMs: c.durationMs,
    startedAt: isoAt(at),
    status: c.status,
  };
  if (c.initDurationMs !== undefined) e.initDurationMs = c.initDurationMs;
  if (c.ephemeralStorageMb !== undefined) e.ephemeralStorageMb = c.ephemeralStorageMb;
  if (c.maxMemoryUsedMb !== undefined) e.maxMemoryUsedMb = c.maxMemoryUsedMb;
  return e;
}

/**
 * Lays the scenario out as groups of batches: the batches of one group are posted concurrently, the
 * groups one after the other. Anything that differs from an invocation's original (a moved startedAt,
 * another content) comes after the original: later in the same batch, or in a later group, so which
 * content is "first" never depends on timing.
 */
function plan(accountId: string, s: Scenario): Planned {
  const n = s.originals.length;
  const G = s.groups;
  const B = s.batchesPerGroup;
  const groups = Array.from({ length: G }, () => Array.from({ length: B }, () => [] as { event: UsageEvent; key: 'scoped' | 'fleet' }[]));
  const where: { g: number; b: number; item: { event: UsageEvent; key: 'scoped' | 'fleet' } }[] = [];
  const firsts = new Map<string, Content>();
  for (let i = 0; i < n; i++) {
    const o = s.originals[i]!;
    const id = o.id.toLowerCase();
    const g = o.group % G;
    const b = o.batch % B;
    const item = { event: toEvent(accountId, id, o.content), key: o.key ? ('scoped' as const) : ('fleet' as const) };
    groups[g]![b]!.push(item);
    where.push({ g, b, item });
    firsts.set(id, o.content);
  }
  let duplicates = 0;
  let conflicts = 0;
  const conflictIds = new Set<string>();
  for (const x of s.extras) {
    const j = x.target % n;
    const home = where[j]!;
    const o = s.originals[j]!.content;
    const id = s.originals[j]!.id.toLowerCase();
    const g = home.g + (x.group % (G - home.g));
    const differs = x.kind !== 'same';
    const b = g === home.g && differs ? home.b : x.batch % B;
    let content: Content = o;
    let at = o.startedAt;
    if (x.kind === 'moved' || (differs && x.alsoMove)) at = x.moveTo;
    if (x.kind === 'duration') content = { ...o, durationMs: o.durationMs + 1 };
    if (x.kind === 'status') content = { ...o, status: STATUSES[(STATUSES.indexOf(o.status) + 1) % STATUSES.length]! };
    if (x.kind === 'duration' || x.kind === 'status') {
      conflicts++;
      conflictIds.add(id);
    } else duplicates++;
    const event = toEvent(accountId, x.upper ? id.toUpperCase() : id, content, at);
    const batch = groups[g]![b]!;
    const min = g === home.g && b === home.b ? batch.indexOf(home.item) + 1 : 0;
    batch.splice(min + (x.pos % (batch.length - min + 1)), 0, { event, key: x.upper ? 'fleet' : 'scoped' });
  }
  return { groups, firsts, sent: n + s.extras.length, duplicates, conflicts, conflictIds };
}

interface IngestAnswer {
  accepted: number;
  duplicates: number;
  conflicts: number;
  conflictIds: string[];
}

/**
 * A platform key reports only what the api dispatched to its executor, within the signed timeout
 * (900 s here) and the init limit: a batch holding a longer duration goes through the scoped key,
 * which is where an executor outside the fleet reports any duration (clamped when billed).
 */
function viaFleet(batch: { event: UsageEvent; key: 'scoped' | 'fleet' }[]): boolean {
  return (
    batch[0]!.key === 'fleet' &&
    batch.every(({ event: e }) => e.durationMs <= 900_000 + DURATION_SLACK_MS && (e.initDurationMs ?? 0) <= 10_000 + INIT_SLACK_MS)
  );
}

async function postAll(tenant: Awaited<ReturnType<typeof newTenant>>, p: Planned): Promise<IngestAnswer[]> {
  const answers: IngestAnswer[] = [];
  for (const group of p.groups) {
    const batches = group.filter((b) => b.length > 0);
    const results = await Promise.all(
      batches.map((b) =>
        viaFleet(b)
          ? postUsage(
              t.app,
              fleet.key,
              b.map((i) => fleet.signed(i.event)),
            )
          : postUsage(
              t.app,
              tenant.executorKey,
              b.map((i) => i.event),
            ),
      ),
    );
    results.forEach((r, i) => {
      expect(r.statusCode, r.body).toBe(200);
      const a = r.json() as IngestAnswer;
      expect(a.accepted + a.duplicates + a.conflicts).toBe(batches[i]!.length);
      answers.push(a);
    });
  }
  return answers;
}

const HOUR_MS = 3_600_000;
const hourKey = (ms: number) => new Date(Math.floor(ms / HOUR_MS) * HOUR_MS).toISOString();
const monthKey = (ms: number) => new Date(ms).toISOString().slice(0, 7);

interface Rollup {
  hour: string;
  function_id: string;
  architecture: string;
  requests: string;
  billed_ms: string;
  mb_ms: string;
  ephemeral_mb_ms: string;
  errors: string;
  timeouts: string;
}
const rollupKey = (r: Rollup) => `${r.hour}|${r.function_id}|${r.architecture}`;
const sortRollups = (rows: Rollup[]) => [...rows].sort((a, b) => rollupKey(a).localeCompare(rollupKey(b)));

/** The rollups the model expects from the first-accepted content of each invocation. */
function modelRollups(firsts: Map<string, Content>): Rollup[] {
  const acc = new Map<string, { hour: string; function_id: string; architecture: string; n: bigint[] }>();
  for (const c of firsts.values()) {
    const hour = hourKey(c.startedAt.ms);
    const k = `${hour}|${c.functionId}|${c.architecture}`;
    const billed = modelBilledMs(c.durationMs, c.initDurationMs);
    const row = acc.get(k) ?? { hour, function_id: c.functionId, architecture: c.architecture, n: [0n, 0n, 0n, 0n, 0n, 0n] };
    const add = [
      1n,
      billed,
      billed * BigInt(c.memoryMb),
      billed * BigInt((c.ephemeralStorageMb ?? 512) - 512),
      c.status === 'error' ? 1n : 0n,
      c.status === 'timeout' ? 1n : 0n,
    ];
    row.n = row.n.map((v, i) => v + add[i]!);
    acc.set(k, row);
  }
  return [...acc.values()].map(({ hour, function_id, architecture, n }) => ({
    hour,
    function_id,
    architecture,
    requests: String(n[0]),
    billed_ms: String(n[1]),
    mb_ms: String(n[2]),
    ephemeral_mb_ms: String(n[3]),
    errors: String(n[4]),
    timeouts: String(n[5]),
  }));
}

async function storedRollups(accountId: string): Promise<{ hourly: Rollup[]; recomputed: Rollup[] }> {
  const toIso = (rows: (Omit<Rollup, 'hour'> & { hour: Date })[]) => rows.map((r) => ({ ...r, hour: r.hour.toISOString() }));
  const hourly = await sql<Omit<Rollup, 'hour'> & { hour: Date }>`
    select hour, function_id, architecture, sum(requests)::text as requests, sum(billed_ms)::text as billed_ms,
           sum(mb_ms)::text as mb_ms, sum(ephemeral_mb_ms)::text as ephemeral_mb_ms, sum(errors)::text as errors,
           sum(timeouts)::text as timeouts
    from usage_hourly where account_id = ${accountId} group by hour, function_id, architecture`.execute(t.db.db);
  const recomputed = await sql<Omit<Rollup, 'hour'> & { hour: Date }>`
    select date_trunc('hour', started_at, 'UTC') as hour, function_id, architecture,
           count(*)::text as requests, sum(billed_ms)::text as billed_ms, sum(billed_ms * memory_mb)::text as mb_ms,
           sum(billed_ms * (ephemeral_storage_mb - 512))::text as ephemeral_mb_ms,
           count(*) filter (where status = 'error')::text as errors, count(*) filter (where status = 'timeout')::text as timeouts
    from usage_events where account_id = ${accountId}
    group by account_id, 1, 2, 3`.execute(t.db.db);
  return { hourly: sortRollups(toIso(hourly.rows)), recomputed: sortRollups(toIso(recomputed.rows)) };
}

/**
 * The init shares of the hourly rollups (what price versions that do not bill init subtract), as
 * stored and as recomputed from the raw rows by their definition: the api sums them, Postgres checks.
 */
async function initShares(accountId: string): Promise<{ hourly: string[]; recomputed: string[] }> {
  const hourly = await sql<{ k: string }>`
    select hour::text || '|' || function_id || '|' || architecture || '|' || sum(init_mb_ms) || '|' || sum(init_ephemeral_mb_ms) as k
    from usage_hourly where account_id = ${accountId} group by hour, function_id, architecture order by 1`.execute(t.db.db);
  const recomputed = await sql<{ k: string }>`
    select date_trunc('hour', started_at, 'UTC')::text || '|' || function_id || '|' || architecture
           || '|' || sum((billed_ms - ceil(least(duration_ms, 900000))) * memory_mb)
           || '|' || sum((billed_ms - ceil(least(duration_ms, 900000))) * (ephemeral_storage_mb - 512)) as k
    from usage_events where account_id = ${accountId}
    group by date_trunc('hour', started_at, 'UTC'), function_id, architecture order by 1`.execute(t.db.db);
  return { hourly: hourly.rows.map((r) => r.k), recomputed: recomputed.rows.map((r) => r.k) };
}

interface Totals {
  requests: number;
  billedMs: number;
  gbSeconds: string;
  errors: number;
  timeouts: number;
}
function modelTotals(contents: Content[]): Totals {
  let billed = 0n;
  let mbMs = 0n;
  for (const c of contents) {
    const b = modelBilledMs(c.durationMs, c.initDurationMs);
    billed += b;
    mbMs += b * BigInt(c.memoryMb);
  }
  return {
    requests: contents.length,
    billedMs: Number(billed),
    gbSeconds: gbSeconds(mbMs),
    errors: contents.filter((c) => c.status === 'error').length,
    timeouts: contents.filter((c) => c.status === 'timeout').length,
  };
}

describe('POST /v1/usage properties (random batches, replays, conflicts, concurrency)', () => {
  it('counts each invocation once, bills it exactly, and rollups and queries agree with the raw events', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        runs++;
        const tenant = await newTenant(t.app);
        const p = plan(tenant.id, s);
        const answers = await postAll(tenant, p);

        // (a) each distinct invocation accepted once; every event sent is accounted for exactly once.
        const sum = (k: 'accepted' | 'duplicates' | 'conflicts') => answers.reduce((n, a) => n + a[k], 0);
        expect(sum('accepted')).toBe(p.firsts.size);
        expect(sum('accepted') + sum('duplicates') + sum('conflicts')).toBe(p.sent);
        // (How the rest splits into duplicates and conflicts is the next property's concern.)

        // (c) one raw row per invocation, with the first-accepted content and the model's billed ms.
        const events = await t.db.db
          .selectFrom('usage_events')
          .select([
            'invocation_id',
            'function_id',
            'architecture',
            'memory_mb',
            'duration_ms',
            'init_duration_ms',
            'billed_ms',
            'duration_capped',
            'started_at',
            'status',
            'ephemeral_storage_mb',
          ])
          .where('account_id', '=', tenant.id)
          .execute();
        expect(events.length).toBe(p.firsts.size);
        expect(new Set(events.map((e) => e.invocation_id))).toEqual(new Set(p.firsts.keys()));
        for (const row of events) {
          const c = p.firsts.get(row.invocation_id);
          expect(c, row.invocation_id).toBeDefined();
          const want = {
            billed: modelBilledMs(c!.durationMs, c!.initDurationMs).toString(),
            capped: new Exact(String(c!.durationMs)).gt(900_000),
            startedAt: new Date(c!.startedAt.ms).toISOString(),
            durationEq: true,
            initEq: true,
            content: [c!.functionId, c!.architecture, c!.memoryMb, c!.status, c!.ephemeralStorageMb ?? 512],
          };
          const got = {
            billed: row.billed_ms,
            capped: row.duration_capped,
            startedAt: row.started_at.toISOString(),
            durationEq: new Exact(row.duration_ms).eq(String(c!.durationMs)),
            initEq:
              c!.initDurationMs === undefined
                ? row.init_duration_ms === null
                : new Exact(row.init_duration_ms ?? 'NaN').eq(String(c!.initDurationMs)),
            content: [row.function_id, row.architecture, row.memory_mb, row.status, row.ephemeral_storage_mb],
          };
          expect(got, `durationMs=${c!.durationMs} initDurationMs=${c!.initDurationMs}`).toEqual(want);
        }

        // (b) the hourly rollups equal both a recomputation from the raw rows and the model.
        const { hourly, recomputed } = await storedRollups(tenant.id);
        expect(hourly).toEqual(recomputed);
        expect(hourly).toEqual(sortRollups(modelRollups(p.firsts)));
        const init = await initShares(tenant.id);
        expect(init.hourly).toEqual(init.recomputed);
        // ... and the monthly rollups (what invoices read) equal the hourly ones summed per month.
        const monthly = await sql<{ k: string }>`
          select period::text || '|' || architecture || '|' || sum(requests) || '|' || sum(mb_ms) || '|' || sum(ephemeral_mb_ms)
                 || '|' || sum(init_mb_ms) as k
          from usage_monthly where account_id = ${tenant.id} group by period, architecture order by 1`.execute(t.db.db);
        const fromHourly = await sql<{ k: string }>`
          select date_trunc('month', hour, 'UTC')::date::text || '|' || architecture || '|' || sum(requests) || '|' || sum(mb_ms)
                 || '|' || sum(ephemeral_mb_ms) || '|' || sum(init_mb_ms) as k
          from usage_hourly where account_id = ${tenant.id} group by date_trunc('month', hour, 'UTC'), architecture order by 1`.execute(
          t.db.db,
        );
        expect(monthly.rows).toEqual(fromHourly.rows);

        // (d) the month view: per-month buckets and totals, GB-s as an exact decimal string.
        const res = await t.app.inject({
          method: 'GET',
          url: '/v1/usage?granularity=month&from=2026-08-01T00:00:00Z&to=2026-12-01T00:00:00Z',
          headers: bearer(tenant.accountKey),
        });
        expect(res.statusCode, res.body).toBe(200);
        const answer = res.json() as { totals: Totals; buckets: (Totals & { start: string })[] };
        const all = [...p.firsts.values()];
        expect(answer.totals).toEqual(modelTotals(all));
        expect(answer.totals.gbSeconds).toMatch(/^\d+(\.\d+)?$/);
        const months = [...new Set(all.map((c) => monthKey(c.startedAt.ms)))].sort();
        expect(answer.buckets).toEqual(
          months.map((m) => ({ start: `${m}-01T00:00:00.000Z`, ...modelTotals(all.filter((c) => monthKey(c.startedAt.ms) === m)) })),
        );
      }),
      { numRuns: 25, interruptAfterTimeLimit: 25_000 },
    );
    expect(runs).toBeGreaterThanOrEqual(25);
  }, 60_000);

  it('tells replays from conflicts by the first-accepted content, wherever they sit in a batch', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const tenant = await newTenant(t.app);
        const p = plan(tenant.id, s);
        const answers = await postAll(tenant, p);
        const sum = (k: 'duplicates' | 'conflicts') => answers.reduce((n, a) => n + a[k], 0);
        expect({ duplicates: sum('duplicates'), conflicts: sum('conflicts') }).toEqual({
          duplicates: p.duplicates,
          conflicts: p.conflicts,
        });
        expect(new Set(answers.flatMap((a) => a.conflictIds.map((id) => id.toLowerCase())))).toEqual(p.conflictIds);
      }),
      // Shrinking re-posts whole scenarios: bound it so a failure reports within the test's time.
      { numRuns: 25, interruptAfterTimeLimit: 10_000 },
    );
  }, 60_000);

  it("in a batch, replays and conflicts are judged against the stored content, not the batch's first copy", async () => {
    const tenant = await newTenant(t.app);
    const x = usageEvent(tenant.id, { durationMs: 250 });
    expect((await postUsage(t.app, tenant.executorKey, [x])).json()).toMatchObject({ accepted: 1, duplicates: 0, conflicts: 0 });
    // The stored content is x: x itself is a replay, each copy of the status change a conflict.
    const variant = { ...x, status: 'error' as const };
    const r1 = await postUsage(t.app, tenant.executorKey, [variant, x]);
    expect(r1.json()).toMatchObject({ accepted: 0, duplicates: 1, conflicts: 1 });
    const r2 = await postUsage(t.app, tenant.executorKey, [variant, variant]);
    expect(r2.json()).toMatchObject({ accepted: 0, duplicates: 0, conflicts: 2 });
  });

  it('concurrent first batches of a month not seen before are all accepted (the partition is created once)', async () => {
    // Months no other test here touches; each round sends 8 batches at once, all for the same new month.
    for (const month of ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']) {
      const tenant = await newTenant(t.app);
      const batches = Array.from({ length: 8 }, (_, i) => [usageEvent(tenant.id, { startedAt: `${month}-1${i}T08:00:00.000Z` })]);
      const results = await Promise.all(batches.map((b) => postUsage(t.app, tenant.executorKey, b)));
      expect(
        results.map((r) => r.statusCode),
        `${month}: ${results.map((r) => r.body).join(' ')}`,
      ).toEqual(batches.map(() => 200));
      const stored = await t.db.db.selectFrom('usage_events').select('invocation_id').where('account_id', '=', tenant.id).execute();
      expect(stored.length).toBe(8);
    }
  });

  it('billed ms is exact whatever the magnitudes of duration and init (a whole duration plus a tiny init, and the reverse)', async () => {
    // ceil(100 + 1e-59) is 101: the sum needs more significant digits than a fixed-precision Decimal may keep.
    const tiny = fc.integer({ min: 7, max: 323 }).map((e) => Number(`1e-${e}`));
    const whole = fc.integer({ min: 1, max: 9_999 });
    const pair = fc.oneof(
      fc.tuple(whole, tiny).map(([d, i]) => ({ durationMs: d, initDurationMs: i })),
      fc.tuple(tiny, whole).map(([d, i]) => ({ durationMs: d, initDurationMs: i })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { minLength: 1, maxLength: 5 }), async (pairs) => {
        const tenant = await newTenant(t.app);
        const events = pairs.map((x, i) =>
          toEvent(tenant.id, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, {
            functionId: 'fn-a',
            architecture: 'arm64',
            memoryMb: 1024,
            durationMs: x.durationMs,
            initDurationMs: x.initDurationMs,
            ephemeralStorageMb: undefined,
            maxMemoryUsedMb: undefined,
            status: 'success',
            startedAt: { ms: Date.UTC(2026, 10, 15, 10), offsetMin: 0 },
          }),
        );
        const r = await postUsage(t.app, tenant.executorKey, events);
        expect(r.statusCode, r.body).toBe(200);
        const rows = await t.db.db
          .selectFrom('usage_events')
          .select(['invocation_id', 'billed_ms'])
          .where('account_id', '=', tenant.id)
          .execute();
        const billed = new Map(rows.map((row) => [row.invocation_id, row.billed_ms]));
        for (const e of events) {
          expect(billed.get(e.invocationId), `durationMs=${e.durationMs} initDurationMs=${e.initDurationMs}`).toBe(
            modelBilledMs(e.durationMs, e.initDurationMs).toString(),
          );
        }
      }),
      { numRuns: 10, examples: [[[{ durationMs: 100, initDurationMs: 1e-59 }]]] },
    );
  });
});
