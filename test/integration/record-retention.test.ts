import { createHash, randomUUID } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { pruneRecords, scheduleRecordRetention } from '../../src/jobs/record-retention.js';
import { silentLogger } from '../../src/lib/logger.js';
import { uuid7 } from '../../src/lib/uuid7.js';
import { createAlertsRepository } from '../../src/modules/budgets/alerts.repository.js';
import { createRetentionRepository, type RetentionRepository } from '../../src/modules/retention/retention.repository.js';
import { createRetentionService } from '../../src/modules/retention/retention.service.js';
import { admin, bearer, fleetKey, newTenant, usageEvent, useTestApp } from '../helpers/app.js';
import { holdLock } from '../helpers/db.js';
import { makeZip } from '../helpers/functions.js';

// The database refuses a cut-off younger than a day by its own clock: this clock stands at the real time.
const t = useTestApp(new Date().toISOString());

const DAY = 86_400_000;
const ago = (days: number) => new Date(t.clock.now().getTime() - days * DAY);
const zip = makeZip([{ name: 'index.js', data: 'exports.handler = async () => ({});' }]);

type Status = 'queued' | 'running' | 'succeeded' | 'failed' | 'expired';

/** An asynchronous invocation as the worker leaves it: `finishedDaysAgo` for a settled one, with its attempts and delivery. */
async function asyncEvent(
  accountId: string,
  o: {
    status: Status;
    finishedDaysAgo?: number;
    attempts?: number;
    delivery?: 'pending' | 'delivered' | 'failed' | 'cancelled';
    source?: string;
    sourceKey?: string;
  },
) {
  const id = uuid7();
  const finishedAt = o.finishedDaysAgo === undefined ? null : ago(o.finishedDaysAgo);
  const createdAt = finishedAt ?? ago(40);
  await sql`
    insert into async_invocations (account_id, id, function_id, function_name, payload, status, source, source_key, max_retries,
                                   attempts, created_at, expires_at, due_at, finished_at)
    values (${accountId}, ${id}, ${randomUUID()}, 'fn', ${finishedAt ? null : Buffer.from('{}')}, ${o.status}, ${o.source ?? 'api'},
            ${o.sourceKey ?? null}, 2, ${o.attempts ?? 0}, ${createdAt}, ${new Date(createdAt.getTime() + 6 * 3600_000)},
            ${createdAt}, ${finishedAt})`.execute(t.db.db);
  const attemptIds: string[] = [];
  for (let i = 0; i < (o.attempts ?? 0); i++) {
    const invocationId = uuid7();
    attemptIds.push(invocationId);
    await sql`insert into async_attempts (account_id, invocation_id, request_id, claimed_at)
              values (${accountId}, ${invocationId}, ${id}, ${createdAt})`.execute(t.db.db);
  }
  if (o.delivery) {
    await sql`
      insert into async_destination_deliveries (account_id, request_id, function_id, url, body, status, next_attempt_at, give_up_at)
      values (${accountId}, ${id}, ${randomUUID()}, 'https://hooks.example.com/x', '{}', ${o.delivery}, ${createdAt},
              ${new Date(createdAt.getTime() + 3 * DAY)})`.execute(t.db.db);
  }
  return { id, attemptIds };
}

const count = async (query: RawBuilder<{ n: number }>) => (await query.execute(t.db.owner)).rows[0]!.n;

async function deployFunction(accountKey: string, name: string): Promise<string> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/functions',
    headers: bearer(accountKey),
    payload: { name, runtime: 'nodejs', zipFile: zip.toString('base64') },
  });
  expect(r.statusCode).toBe(201);
  return r.json().id as string;
}

describe('record retention', () => {
  it('removes finished async invocations past the retention with their attempts and deliveries, and keeps the rest', async () => {
    const a = await newTenant(t.app);
    const done = await asyncEvent(a.id, { status: 'succeeded', finishedDaysAgo: 40, attempts: 2, delivery: 'delivered' });
    const failed = await asyncEvent(a.id, { status: 'failed', finishedDaysAgo: 31, attempts: 3, delivery: 'failed' });
    const expired = await asyncEvent(a.id, { status: 'expired', finishedDaysAgo: 35 });
    const recent = await asyncEvent(a.id, { status: 'succeeded', finishedDaysAgo: 29, attempts: 1, delivery: 'delivered' });
    const queued = await asyncEvent(a.id, { status: 'queued' });
    const retrying = await asyncEvent(a.id, { status: 'running', attempts: 2 });
    const stillDelivering = await asyncEvent(a.id, { status: 'succeeded', finishedDaysAgo: 40, attempts: 1, delivery: 'pending' });
    const get = (id: string) => t.app.inject({ method: 'GET', url: `/v1/invocations/${id}`, headers: bearer(a.accountKey) });
    expect((await get(done.id)).statusCode).toBe(200);
    expect((await get(done.attemptIds[0]!)).json().requestId).toBe(done.id);

    const removed = await t.services.retention.prune(30);
    expect(removed).toMatchObject({ asyncInvocations: 3, asyncAttempts: 5, destinationDeliveries: 2, stopped: false });

    const left = await sql<{ id: string; status: string }>`
      select id, status from async_invocations where account_id = ${a.id} order by id`.execute(t.db.owner);
    expect(left.rows.map((r) => r.id).sort()).toEqual([recent.id, queued.id, retrying.id, stillDelivering.id].sort());
    expect(await count(sql`select count(*)::int as n from async_attempts where account_id = ${a.id}`)).toBe(4);
    expect(
      (
        await sql<{ request_id: string }>`select request_id from async_destination_deliveries where account_id = ${a.id}`.execute(
          t.db.owner,
        )
      ).rows
        .map((r) => r.request_id)
        .sort(),
    ).toEqual([recent.id, stillDelivering.id].sort());
    // What the API answers after: the event is not found, by its request id or by a run's invocation id.
    for (const id of [done.id, done.attemptIds[0]!, failed.id, expired.id]) {
      const r = await get(id);
      expect(r.statusCode).toBe(404);
      expect(r.json().error.code).toBe('INVOCATION_NOT_FOUND');
    }
    expect((await get(recent.id)).json()).toMatchObject({ requestId: recent.id, status: 'succeeded', invocationIds: recent.attemptIds });
    // A second pass finds nothing more.
    expect(await t.services.retention.prune(30)).toMatchObject({ asyncInvocations: 0, asyncAttempts: 0, destinationDeliveries: 0 });
  });

  it('removes schedule ticks past the retention, and a tick still within its window still fires once', async () => {
    const a = await newTenant(t.app);
    await deployFunction(a.accountKey, 'tick');
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/schedules',
      headers: bearer(a.accountKey),
      payload: { name: 'every-minute', expression: 'rate(1 minute)', target: { function: 'tick' } },
    });
    expect(created.statusCode).toBe(201);
    expect(await t.services.schedules.fireDue()).toBe(1);
    const schedule = await sql<{ id: string; next_fire_at: Date }>`
      select id, next_fire_at from schedules where account_id = ${a.id}`.execute(t.db.owner);
    const { id: scheduleId } = schedule.rows[0]!;
    // Ticks it fired long ago (a minute apart, 40 days back).
    for (let i = 0; i < 5; i++) {
      await sql`insert into schedule_ticks (account_id, schedule_id, tick, fired_at, request_id)
                values (${a.id}, ${scheduleId}, ${new Date(ago(40).getTime() + i * 60_000)}, ${ago(40)}, ${uuid7()})`.execute(t.db.db);
    }
    const ticks = () => t.app.inject({ method: 'GET', url: '/v1/schedules/every-minute/ticks', headers: bearer(a.accountKey) });
    expect((await ticks()).json().ticks).toHaveLength(6);

    expect(await t.services.retention.prune(30)).toMatchObject({ scheduleTicks: 5 });
    const kept = (await ticks()).json().ticks as { tick: string }[];
    expect(kept).toHaveLength(1);

    // Another replica whose pass saw the schedule before it moved on fires the same tick: it is refused.
    await sql`update schedules set next_fire_at = ${new Date(kept[0]!.tick)}, next_run_at = ${new Date(kept[0]!.tick)}
              where account_id = ${a.id} and id = ${scheduleId}`.execute(t.db.owner);
    expect(await t.services.schedules.fireDue()).toBe(0);
    expect(await count(sql`select count(*)::int as n from async_invocations where account_id = ${a.id} and source = 'schedule'`)).toBe(1);
  });

  it("removes an event source's failed-batch records, and its claims refuse a redelivered batch's second record until the mapping goes", async () => {
    const a = await newTenant(t.app);
    const functionId = await deployFunction(a.accountKey, 'fn');
    const m = await t.app.inject({
      method: 'POST',
      url: '/v1/event-source-mappings',
      headers: bearer(a.accountKey),
      payload: { functionName: 'fn', source: { type: 's3-webhook' } },
    });
    expect(m.statusCode).toBe(201);
    const mappingId = m.json().id as string;
    const failures = async () => {
      await t.services.events.queueSourceFailure({
        accountId: a.id,
        functionId,
        mappingId,
        destination: { type: 'function', function: 'fn' },
        key: `${mappingId}:batch-1`,
        body: '{"batch":1}',
        webhookSecret: null,
      });
      await t.services.events.queueSourceFailure({
        accountId: a.id,
        functionId,
        mappingId,
        destination: { type: 'webhook', url: 'https://hooks.example.com/dlq' },
        key: `${mappingId}:batch-2`,
        body: '{"batch":2}',
        webhookSecret: 'whsec_test',
      });
    };
    const records = async () => [
      await count(sql`select count(*)::int as n from async_invocations where account_id = ${a.id} and source = 'event-source'`),
      await count(sql`select count(*)::int as n from async_destination_deliveries where account_id = ${a.id}`),
      await count(sql`select count(*)::int as n from event_source_failure_claims where account_id = ${a.id} and mapping_id = ${mappingId}`),
    ];
    await failures();
    expect(await records()).toEqual([1, 1, 2]);
    // Both long finished: the record ran (and failed) 40 days ago, the delivery gave up 37 days ago.
    await sql`update async_invocations set status = 'failed', payload = null, finished_at = ${ago(40)}
              where account_id = ${a.id} and source = 'event-source'`.execute(t.db.owner);
    await sql`update async_destination_deliveries set status = 'delivered', delivered_at = ${ago(40)}, give_up_at = ${ago(37)}
              where account_id = ${a.id}`.execute(t.db.owner);
    await sql`update event_source_failure_claims set recorded_at = ${ago(40)} where account_id = ${a.id}`.execute(t.db.owner);

    expect(await t.services.retention.prune(30)).toMatchObject({ asyncInvocations: 1, destinationDeliveries: 1, sourceFailureClaims: 0 });
    expect(await records()).toEqual([0, 0, 2]);
    // The broker delivers both batches again (their acknowledgement was lost) and they fail again: no second record.
    await failures();
    expect(await records()).toEqual([0, 0, 2]);

    // Once the mapping is gone, nothing can deliver its batches again: its claims go too.
    const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/event-source-mappings/${mappingId}`, headers: bearer(a.accountKey) });
    expect(deleted.statusCode).toBe(202);
    expect(await t.services.retention.prune(30)).toMatchObject({ sourceFailureClaims: 2 });
    expect(await records()).toEqual([0, 0, 0]);
  });

  it('removes quarantined usage replayed more than the retention ago, keeps it otherwise, and a copy handed over again is never billed twice', async () => {
    const a = await newTenant(t.app);
    const executorKey = await fleetKey(t.app);
    const at = { functionId: 'q', startedAt: new Date().toISOString(), durationMs: 100 };
    const accepted = usageEvent(a.id, at);
    const conflicting = { ...accepted, durationMs: 250 }; // the same invocation, other content: another entry
    const young = usageEvent(a.id, at);
    const waiting = usageEvent(a.id, at); // never replayed: unbilled usage, kept whatever its age
    const report = (events: unknown[]) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/usage/quarantine',
        headers: bearer(executorKey),
        payload: { entries: events.map((event) => ({ event, reason: 'DISPATCH_TOKEN_MISSING' })) },
      });
    expect((await report([accepted, conflicting, young, waiting])).json()).toEqual({ stored: 4, duplicates: 0 });
    const entries = async () =>
      (
        await sql<{ id: string; invocation_id: string; event_sha256: string; replay_outcome: string | null }>`
          select id, invocation_id, event_sha256, replay_outcome from usage_quarantine where account_id = ${a.id}
           order by received_at, id`.execute(t.db.owner)
      ).rows;
    const idOf = async (e: { invocationId: string; durationMs: number }) =>
      (await entries()).find(
        (r) => r.invocation_id === e.invocationId && r.event_sha256 === createHash('sha256').update(JSON.stringify(e)).digest('hex'),
      )?.id;
    const replay = async (e: { invocationId: string; durationMs: number }) => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/v1/usage/quarantine/${await idOf(e)}/replay`,
        headers: admin,
        payload: { reason: 'vouched for' },
      });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().outcome as string;
    };
    expect(await replay(accepted)).toBe('accepted');
    expect(await replay(conflicting)).toBe('conflict');
    expect(await replay(young)).toBe('accepted');
    const billed = () => count(sql`select count(*)::int as n from usage_events where account_id = ${a.id}`);
    expect(await billed()).toBe(2);
    // Replayed 40, 31 and 29 days ago; the one waiting came in a year ago.
    const replayedAgo = async (e: { invocationId: string; durationMs: number }, days: number) =>
      sql`update usage_quarantine set replayed_at = ${ago(days)} where id = ${await idOf(e)}`.execute(t.db.owner);
    await replayedAgo(accepted, 40);
    await replayedAgo(conflicting, 31);
    await replayedAgo(young, 29);
    await sql`update usage_quarantine set received_at = ${ago(365)} where id = ${await idOf(waiting)}`.execute(t.db.owner);

    expect(await t.services.retention.prune(30)).toMatchObject({ usageQuarantine: 2, stopped: false });
    const left = await entries();
    expect(left.map((r) => r.id).sort()).toEqual([await idOf(young), await idOf(waiting)].sort());
    expect(left.find((r) => r.invocation_id === waiting.invocationId)?.replay_outcome).toBeNull();
    // The admin's list no longer has them; the one waiting is still there to replay.
    const listed = await t.app.inject({ method: 'GET', url: `/v1/usage/quarantine?accountId=${a.id}`, headers: admin });
    expect(
      listed
        .json()
        .entries.map((e: { invocationId: string }) => e.invocationId)
        .sort(),
    ).toEqual([young.invocationId, waiting.invocationId].sort());
    expect(await t.services.retention.prune(30)).toMatchObject({ usageQuarantine: 0 });

    // The executor hands the accepted event over again (its acknowledgement was lost): a new entry, not replayed,
    // and billed nothing; replayed, ingest finds the invocation already billed.
    expect((await report([accepted])).json()).toEqual({ stored: 1, duplicates: 0 });
    expect(await billed()).toBe(2);
    expect(await replay(accepted)).toBe('duplicate');
    expect(await replay(waiting)).toBe('accepted');
    expect(await billed()).toBe(3);
  });

  it("walks failure claims by mapping: a live mapping's thousands of claims cost one look a pass, a deleted one's go", async () => {
    const a = await newTenant(t.app);
    await deployFunction(a.accountKey, 'busy');
    const m = await t.app.inject({
      method: 'POST',
      url: '/v1/event-source-mappings',
      headers: bearer(a.accountKey),
      payload: { functionName: 'busy', source: { type: 's3-webhook' } },
    });
    expect(m.statusCode).toBe(201);
    const live = m.json().id as string;
    const deleted = randomUUID(); // a mapping whose row is gone
    const claims = (mapping: string | null, n: number, daysAgo: number) =>
      sql`insert into event_source_failure_claims (account_id, id, mapping_id, recorded_at)
          select ${a.id}, gen_random_uuid(), ${mapping}::uuid, ${ago(daysAgo)}::timestamptz - g * interval '1 minute'
            from generate_series(1, ${n}) g`.execute(t.db.owner);
    await claims(live, 3_000, 40); // a mapping that has failed often, for years: all of them stay
    await claims(deleted, 250, 40);
    await claims(deleted, 5, 10); // younger than the retention: they stay for now
    await claims(null, 20, 400); // an earlier release's, mapping unknown: kept
    const left = async (mapping: string | null) =>
      count(sql`select count(*)::int as n from event_source_failure_claims
                 where account_id = ${a.id} and mapping_id is not distinct from ${mapping}::uuid`);
    const mappingsWithClaims = () =>
      count(sql`select count(distinct mapping_id)::int as n from event_source_failure_claims where mapping_id is not null`);

    // What the walk looks at, call by call, in batches of 100.
    const repo = createRetentionRepository(t.db.db);
    const calls: { mappings: number; claims: number }[] = [];
    const counted: RetentionRepository = {
      ...repo,
      async pruneFailureClaims(...args) {
        const r = await repo.pruneFailureClaims(...args);
        calls.push({ mappings: r.mappings, claims: r.claims });
        return r;
      },
    };
    const pass = () => createRetentionService({ repo: counted, clock: t.clock, batch: 100 }).prune(30);
    const mappings = await mappingsWithClaims();
    expect(await pass()).toMatchObject({ sourceFailureClaims: 250 });
    expect([await left(live), await left(deleted), await left(null)]).toEqual([3_000, 5, 20]);
    // 250 claims in batches of 100: three calls, each looking at each mapping once at most (a full batch's
    // mapping again in the next), and at none of the live mapping's 3,000 claims.
    expect(calls.length).toBe(3);
    expect(calls.reduce((n, c) => n + c.claims, 0)).toBe(250);
    expect(calls.reduce((n, c) => n + c.mappings, 0)).toBeLessThanOrEqual(mappings + calls.length);

    // A pass with nothing to delete looks at one row per mapping that has claims, in one call.
    calls.length = 0;
    expect(await pass()).toMatchObject({ sourceFailureClaims: 0 });
    expect(calls).toEqual([{ mappings: await mappingsWithClaims(), claims: 0 }]);
    expect(await left(live)).toBe(3_000);

    // More mappings than a batch: the walk goes on from where it stopped and misses none.
    const gone = Array.from({ length: 7 }, () => randomUUID());
    for (const id of gone) await claims(id, 1, 40);
    calls.length = 0;
    const few = createRetentionService({ repo: counted, clock: t.clock, batch: 3 });
    expect(await few.prune(30)).toMatchObject({ sourceFailureClaims: 7 });
    expect(calls.every((c) => c.mappings + c.claims <= 2 * 3)).toBe(true);
    expect(await count(sql`select count(*)::int as n from event_source_failure_claims where mapping_id = any(${gone}::uuid[])`)).toBe(0);
    expect(await left(live)).toBe(3_000);
  });

  it('removes budget alerts of months no longer evaluated once delivered or abandoned, and keeps this month’s unique key', async () => {
    const a = await newTenant(t.app);
    const budget = await t.app.inject({ method: 'POST', url: '/v1/budgets', headers: bearer(a.accountKey), payload: { amount: '10' } });
    expect(budget.statusCode).toBe(201);
    const budgetId = budget.json().id as string;
    const now = t.clock.now();
    const month = (back: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 10);
    const alerts = createAlertsRepository(t.db.db);
    const alert = (period: string, threshold: number, createdAt: Date) => ({
      id: randomUUID(),
      accountId: a.id,
      budgetId,
      period,
      threshold,
      basis: 'actual' as const,
      spend: '9.00',
      actual: '9.00',
      forecast: '9.00',
      amount: '10.00',
      percent: String(threshold),
      createdAt,
    });
    const record = async (al: ReturnType<typeof alert>, outbox?: { status: string; giveUpAt: Date; attempts: number }) => {
      await t.db.db.transaction().execute(async (tx) => {
        expect((await alerts.insertAlerts(tx, [al])).size).toBe(1);
        if (outbox) await alerts.enqueue(tx, [{ alertId: al.id, accountId: a.id, body: '{}' }], al.createdAt);
      });
      if (!outbox) return;
      for (let i = 0; i < outbox.attempts; i++) {
        await t.db.db
          .transaction()
          .execute((tx) =>
            alerts.recordAttempt(
              tx,
              al.id,
              a.id,
              { at: al.createdAt, url: 'https://hooks.example.com/b', statusCode: 500, error: null, durationMs: 3 },
              false,
            ),
          );
      }
      await sql`update budget_alert_outbox set status = ${outbox.status}, give_up_at = ${outbox.giveUpAt} where alert_id = ${al.id}`.execute(
        t.db.owner,
      );
    };
    const delivered = alert(month(3), 50, ago(80));
    await record(delivered, { status: 'delivered', giveUpAt: ago(77), attempts: 2 });
    const noWebhook = alert(month(3), 80, ago(79));
    await record(noWebhook);
    const sending = alert(month(3), 100, ago(79));
    await record(sending, { status: 'pending', giveUpAt: ago(76), attempts: 1 });
    const redelivered = alert(month(4), 50, ago(110)); // abandoned, then sent again by hand yesterday
    await record(redelivered, { status: 'failed', giveUpAt: new Date(now.getTime() + 2 * DAY), attempts: 1 });
    const thisMonth = alert(month(0), 50, ago(2));
    await record(thisMonth, { status: 'delivered', giveUpAt: ago(1.5), attempts: 1 });

    // One day's retention: only the month's own evaluation window keeps this month's alert.
    expect(await t.services.retention.prune(1)).toMatchObject({ budgetAlerts: 2, budgetAlertOutbox: 1, budgetAlertAttempts: 2 });
    const left = await sql<{ id: string }>`select id from budget_alerts where account_id = ${a.id}`.execute(t.db.owner);
    expect(left.rows.map((r) => r.id).sort()).toEqual([sending.id, redelivered.id, thisMonth.id].sort());
    expect(await count(sql`select count(*)::int as n from budget_alert_attempts where alert_id = ${delivered.id}`)).toBe(0);
    const get = (id: string) => t.app.inject({ method: 'GET', url: `/v1/alerts/${id}`, headers: bearer(a.accountKey) });
    expect((await get(delivered.id)).json().error.code).toBe('ALERT_NOT_FOUND');
    expect((await get(thisMonth.id)).statusCode).toBe(200);
    // A redelivery asked for just before the pass removed it finds no alert rather than failing.
    expect(await alerts.requeue(delivered.id, a.id, '{}', now)).toBe(false);
    expect(await alerts.requeue(thisMonth.id, a.id, '{}', now)).toBe(true);
    // The month can still be evaluated: its threshold is still recorded once.
    await t.db.db.transaction().execute(async (tx) => {
      expect((await alerts.insertAlerts(tx, [alert(month(0), 50, now)])).size).toBe(0);
    });
  });

  it('stops between batches when the job is stopped, and the next pass goes on', async () => {
    const a = await newTenant(t.app);
    for (let i = 0; i < 6; i++) await asyncEvent(a.id, { status: 'succeeded', finishedDaysAgo: 50, attempts: 1 });
    const repo = createRetentionRepository(t.db.db);
    let entered: () => void = () => {};
    const inBatch = new Promise<void>((r) => {
      entered = r;
    });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    const held: RetentionRepository = {
      ...repo,
      async pruneAsync(...args) {
        calls += 1;
        entered();
        await gate;
        return repo.pruneAsync(...args);
      },
    };
    const job = scheduleRecordRetention({
      retention: createRetentionService({ repo: held, clock: t.clock, batch: 2 }),
      days: 30,
      log: silentLogger(),
      expression: '0 0 1 1 *',
    });
    await inBatch; // the pass at start is in its first batch
    const stopped = job.stop();
    release();
    await stopped;
    expect(calls).toBe(1);
    expect(await count(sql`select count(*)::int as n from async_invocations where account_id = ${a.id}`)).toBe(4);
    // The next pass (the next tick, after a restart) removes the rest, and says how much.
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const rest = await pruneRecords({ retention: createRetentionService({ repo, clock: t.clock, batch: 2 }), days: 30, log });
    expect(rest).toMatchObject({ asyncInvocations: 4, asyncAttempts: 4, stopped: false });
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'finished records past their retention removed',
        asyncInvocations: 4,
        asyncAttempts: 4,
        scheduleTicks: 0,
        retentionDays: 30,
        stopped: false,
      }),
    ]);
    // A pass that finds nothing says nothing.
    await pruneRecords({ retention: createRetentionService({ repo, clock: t.clock }), days: 30, log });
    expect(lines).toHaveLength(1);
  });

  it('lets two passes run at once: they share the work, neither fails, nothing is left or counted twice', async () => {
    const a = await newTenant(t.app);
    await sql`
      insert into async_invocations (account_id, id, function_id, function_name, status, source, max_retries, attempts,
                                     created_at, expires_at, due_at, finished_at)
      select ${a.id}, uuid_v7(), gen_random_uuid(), 'fn', 'succeeded', 'api', 2, 1, ${ago(45)}, ${ago(44)}, ${ago(45)},
             ${ago(45)}::timestamptz + g * interval '1 second'
        from generate_series(1, 600) g`.execute(t.db.owner);
    await sql`insert into async_attempts (account_id, invocation_id, request_id, claimed_at)
              select account_id, uuid_v7(), id, created_at from async_invocations where account_id = ${a.id}`.execute(t.db.owner);
    const replica = () => createRetentionService({ repo: createRetentionRepository(t.db.db), clock: t.clock, batch: 25 });
    const [one, two] = await Promise.all([replica().prune(30), replica().prune(30)]);
    expect(one.asyncInvocations + two.asyncInvocations).toBe(600);
    expect(one.asyncAttempts + two.asyncAttempts).toBe(600);
    expect(await count(sql`select count(*)::int as n from async_invocations where account_id = ${a.id}`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from async_attempts where account_id = ${a.id}`)).toBe(0);
  });

  it('passes over rows another session holds instead of waiting for them; the next pass takes them', async () => {
    const a = await newTenant(t.app);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await asyncEvent(a.id, { status: 'failed', finishedDaysAgo: 33, attempts: 1 })).id);
    // A long transaction holding three of them (another replica's batch, an operator's session).
    const other = await holdLock(
      t.db.ownerUrl,
      `select 1 from async_invocations where account_id = '${a.id}' and id in ('${ids[1]}', '${ids[4]}', '${ids[7]}') for update`,
    );
    try {
      const pass = createRetentionService({ repo: createRetentionRepository(t.db.db), clock: t.clock, batch: 3 }).prune(30);
      const waited = new Promise<'waited'>((r) => setTimeout(() => r('waited'), 5_000).unref());
      expect(await Promise.race([pass, waited])).toMatchObject({ asyncInvocations: 5 });
    } finally {
      await other.release();
    }
    expect(await t.services.retention.prune(30)).toMatchObject({ asyncInvocations: 3 });
    expect(await count(sql`select count(*)::int as n from async_invocations where account_id = ${a.id}`)).toBe(0);
  });

  it('refuses a cut-off younger than a day, and the api role still cannot delete attempts or alerts itself', async () => {
    await expect(createRetentionRepository(t.db.db).pruneAsync(ago(0.5), null, 100)).rejects.toThrow(/less than a day ago/);
    await expect(createRetentionRepository(t.db.db).pruneScheduleTicks(ago(0.9), 100)).rejects.toThrow(/less than a day ago/);
    await expect(createRetentionRepository(t.db.db).pruneBudgetAlerts(ago(2), null, 100_000)).rejects.toThrow(/must be 1 to 10000/);
    await expect(createRetentionRepository(t.db.db).pruneUsageQuarantine(ago(0.5), 100)).rejects.toThrow(/less than a day ago/);
    await expect(createRetentionRepository(t.db.db).pruneFailureClaims(ago(0.5), null, 100)).rejects.toThrow(/less than a day ago/);
    for (const table of [
      'async_attempts',
      'budget_alerts',
      'budget_alert_attempts',
      'budget_alert_outbox',
      'event_source_failure_claims',
      'usage_quarantine',
    ]) {
      await expect(sql`delete from ${sql.table(table)}`.execute(t.db.db)).rejects.toThrow(/permission denied/);
    }
  });
});
