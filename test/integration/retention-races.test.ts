import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createAlertsRepository } from '../../src/modules/budgets/alerts.repository.js';
import { createRetentionRepository } from '../../src/modules/retention/retention.repository.js';
import { createRetentionService } from '../../src/modules/retention/retention.service.js';
import { bearer, fleetKey, newTenant, usageEvent, useTestApp } from '../helpers/app.js';
import { holdLock } from '../helpers/db.js';

// The database refuses a cut-off younger than a day by its own clock: this clock stands at the real time.
const t = useTestApp(new Date().toISOString());

const DAY = 86_400_000;
const ago = (days: number) => new Date(t.clock.now().getTime() - days * DAY);

describe('record retention: races and clocks', () => {
  it('a redelivery that commits while a pass is removing its alert is either kept or refused, never accepted and then lost', async () => {
    const a = await newTenant(t.app);
    const budget = await t.app.inject({ method: 'POST', url: '/v1/budgets', headers: bearer(a.accountKey), payload: { amount: '10' } });
    expect(budget.statusCode).toBe(201);
    const now = t.clock.now();
    const alerts = createAlertsRepository(t.db.db);
    // An alert of a month long over, its delivery given up long ago: the pass may remove it.
    const alert = {
      id: randomUUID(),
      accountId: a.id,
      budgetId: budget.json().id as string,
      period: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 3, 1)).toISOString().slice(0, 10),
      threshold: 50,
      basis: 'actual' as const,
      spend: '5.00',
      actual: '5.00',
      forecast: '5.00',
      amount: '10.00',
      percent: '50',
      createdAt: ago(80),
    };
    await t.db.db.transaction().execute(async (tx) => {
      await alerts.insertAlerts(tx, [alert]);
      await alerts.enqueue(tx, [{ alertId: alert.id, accountId: a.id, body: '{}' }], alert.createdAt);
    });
    await sql`update budget_alert_outbox set status = 'failed', give_up_at = ${ago(77)} where alert_id = ${alert.id}`.execute(t.db.owner);

    // The pass is held at its delete of the alert (after it has looked at the outbox), by a lock the test holds.
    await sql`create function test_hold_alert_delete() returns trigger language plpgsql as $$
              begin perform pg_advisory_xact_lock(424242); return old; end $$`.execute(t.db.owner);
    await sql`create trigger test_hold_alert_delete before delete on budget_alerts
              for each row execute function test_hold_alert_delete()`.execute(t.db.owner);
    const gate = new pg.Client({ connectionString: t.db.ownerUrl });
    await gate.connect();
    try {
      await gate.query('select pg_advisory_lock(424242)');
      const waiting = async () =>
        (
          await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
                                    where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db.owner)
        ).rows[0]!.n;
      const pass = createRetentionRepository(t.db.db).pruneBudgetAlerts(ago(1), null, 100);
      await expect.poll(waiting, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(1);

      // An operator asks for the alert to be sent again (POST /v1/alerts/:id/redeliver).
      let settled = false;
      const requeue = alerts.requeue(alert.id, a.id, '{}', now).finally(() => {
        settled = true;
      });
      // It either finishes, or waits for the pass.
      await expect.poll(async () => settled || (await waiting()) >= 2, { timeout: 10_000, interval: 20 }).toBe(true);
      await gate.query('select pg_advisory_unlock(424242)');
      await pass;
      const accepted = await requeue;
      const outbox = await sql<{ status: string }>`select status from budget_alert_outbox where alert_id = ${alert.id}`.execute(t.db.owner);
      const outcome = accepted ? (outbox.rows[0]?.status ?? 'accepted, then removed') : 'refused (404)';
      expect(['pending', 'refused (404)']).toContain(outcome);
    } finally {
      await gate.end();
      await sql`drop trigger test_hold_alert_delete on budget_alerts`.execute(t.db.owner);
      await sql`drop function test_hold_alert_delete()`.execute(t.db.owner);
    }
  });

  it('a mapping being deleted while a pass runs keeps its claims until the deletion commits; the next pass takes them', async () => {
    const a = await newTenant(t.app);
    const mapping = randomUUID();
    // A mapping row with no function behind it (foreign keys off for this transaction): its claims are what matters.
    await t.db.owner.transaction().execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`insert into event_source_mappings (account_id, id, function_id, function_name, source_type, source, batch_size,
                  batching_window_ms, maximum_concurrency, maximum_retry_attempts, report_item_failures, enabled, state,
                  created_at, updated_at)
                values (${a.id}, ${mapping}, ${randomUUID()}, 'fn', 's3-webhook', '{}', 10, 0, 1, 2, false, true, 'Enabled',
                        now(), now())`.execute(tx);
    });
    await sql`insert into event_source_failure_claims (account_id, id, mapping_id, recorded_at)
              select ${a.id}, gen_random_uuid(), ${mapping}, ${ago(40)}::timestamptz - g * interval '1 second'
                from generate_series(1, 30) g`.execute(t.db.owner);
    const claims = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from event_source_failure_claims where mapping_id = ${mapping}`.execute(
          t.db.owner,
        )
      ).rows[0]!.n;
    const retention = createRetentionService({ repo: createRetentionRepository(t.db.db), clock: t.clock, batch: 10 });
    // The DELETE of the mapping, not committed yet: the poller may still be writing a failed batch's record.
    const deleting = await holdLock(t.db.ownerUrl, `delete from event_source_mappings where id = '${mapping}'`);
    try {
      expect(await retention.prune(30)).toMatchObject({ sourceFailureClaims: 0 });
      expect(await claims()).toBe(30);
    } finally {
      await deleting.release();
    }
    expect(await retention.prune(30)).toMatchObject({ sourceFailureClaims: 30 });
    expect(await claims()).toBe(0);
  });

  it('a pass passes over a replayed quarantine entry another session holds, and never touches one being replayed', async () => {
    const a = await newTenant(t.app);
    const key = await fleetKey(t.app);
    const events = Array.from({ length: 4 }, () => usageEvent(a.id, { startedAt: new Date().toISOString() }));
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/usage/quarantine',
      headers: bearer(key),
      payload: { entries: events.map((event) => ({ event, reason: 'DISPATCH_TOKEN_MISSING' })) },
    });
    expect(r.json()).toMatchObject({ stored: 4 });
    const ids = (
      await sql<{ id: string }>`select id from usage_quarantine where account_id = ${a.id} order by invocation_id`.execute(t.db.owner)
    ).rows.map((row) => row.id);
    // Three replayed long ago; the fourth not replayed, old as well.
    await sql`update usage_quarantine set replayed_at = ${ago(60)}, replayed_by = 'admin', replay_outcome = 'accepted'
               where id = any(${ids.slice(0, 3)}::uuid[])`.execute(t.db.owner);
    await sql`update usage_quarantine set received_at = ${ago(60)} where id = ${ids[3]}`.execute(t.db.owner);
    // Another session holds one replayed entry (another replica's pass), and an admin's replay is marking the fourth.
    const held = await holdLock(t.db.ownerUrl, `select 1 from usage_quarantine where id = '${ids[0]}' for update`);
    const replaying = await holdLock(
      t.db.ownerUrl,
      `update usage_quarantine set replayed_at = now(), replayed_by = 'admin', replay_outcome = 'accepted'
        where id = '${ids[3]}' and replayed_at is null`,
    );
    try {
      const retention = createRetentionService({ repo: createRetentionRepository(t.db.db), clock: t.clock, batch: 2 });
      const waited = new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 5_000).unref());
      expect(await Promise.race([retention.prune(30), waited])).toMatchObject({ usageQuarantine: 2 });
    } finally {
      await held.release();
      await replaying.release();
    }
    // The held one goes with the next pass; the one just replayed stays for the retention.
    expect(await t.services.retention.prune(30)).toMatchObject({ usageQuarantine: 1 });
    const left = await sql<{ id: string }>`select id from usage_quarantine where account_id = ${a.id}`.execute(t.db.owner);
    expect(left.rows.map((row) => row.id)).toEqual([ids[3]]);
  });

  it("with the shortest retention (a day), an api whose clock is a little ahead of the database's still prunes", async () => {
    // The database refuses a cut-off younger than a day by its own clock; the api computes the cut-off by its own.
    const ahead = { now: () => new Date(Date.now() + 2_000) };
    const retention = createRetentionService({ repo: createRetentionRepository(t.db.db), clock: ahead });
    await expect(retention.prune(1)).resolves.toMatchObject({ stopped: false });
  });
});
