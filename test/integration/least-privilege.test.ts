import { sql } from 'kysely';
import { uuid7 } from '../../src/lib/uuid7.js';
import { describe, expect, it } from 'vitest';
import { admin, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

/** The api connects as a member of tally_app (as every test app does): what may that role do? */
const t = useTestApp('2026-11-15T12:00:00.000Z');

async function finalizedInvoice() {
  const a = await newTenant(t.app);
  const usage = await postUsage(t.app, a.executorKey, [
    usageEvent(a.id, { startedAt: '2026-10-10T10:00:00.000Z', memoryMb: 10_240, durationMs: 900_000 }),
  ]);
  expect(usage.statusCode).toBe(200);
  expect((await t.app.inject({ method: 'POST', url: '/v1/invoices/run', headers: admin, payload: { period: '2026-10' } })).statusCode).toBe(
    200,
  );
  const list = await t.app.inject({ method: 'GET', url: '/v1/invoices?period=2026-10', headers: { ...admin, 'x-account-id': a.id } });
  const invoice = list.json().invoices[0] as { id: string; status: string; total: string };
  expect(invoice.status).toBe('finalized');
  return { a, invoice };
}

describe('the api database role', () => {
  it('is not a superuser, owns no table, and can neither create tables nor roles', async () => {
    const { rows } = await sql<{ user: string; super: boolean; createrole: boolean; createdb: boolean; member: boolean }>`
      select current_user as user, rolsuper as super, rolcreaterole as createrole, rolcreatedb as createdb,
             pg_has_role(current_user, 'tally_app', 'member') as member
      from pg_roles where rolname = current_user`.execute(t.db.db);
    expect(rows[0]).toMatchObject({ super: false, createrole: false, createdb: false, member: true });
    const owned = await sql<{ relname: string }>`
      select relname from pg_class where relnamespace = 'public'::regnamespace and pg_has_role(current_user, relowner, 'usage')`.execute(
      t.db.db,
    );
    expect(owned.rows).toEqual([]);
    await expect(sql`create table sneaky (id int)`.execute(t.db.db)).rejects.toThrow(/permission denied/);
  });

  it('may truncate no table, disable no trigger, and holds neither TRIGGER nor REFERENCES anywhere', async () => {
    for (const table of ['audit_log', 'invoices', 'invoice_lines', 'usage_events', 'usage_events_other', 'usage_hourly', 'accounts']) {
      await expect(sql`truncate ${sql.table(table)}`.execute(t.db.db), table).rejects.toThrow(/permission denied/);
    }
    for (const table of ['invoices', 'invoice_lines', 'audit_log', 'price_versions']) {
      await expect(sql`alter table ${sql.table(table)} disable trigger all`.execute(t.db.db), table).rejects.toThrow(/must be owner/);
    }
    const { rows } = await sql<{ relname: string }>`
      select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
        and (has_table_privilege(current_user, c.oid, 'truncate') or has_table_privilege(current_user, c.oid, 'trigger')
             or has_table_privilege(current_user, c.oid, 'references'))`.execute(t.db.db);
    expect(rows).toEqual([]);
  });

  it('may not update or delete the audit log, usage records, prices, versions or billed snapshots at all', async () => {
    const { rows } = await sql<{ relname: string; up: boolean; del: boolean }>`
      select relname, has_table_privilege(current_user, oid, 'update') as up, has_table_privilege(current_user, oid, 'delete') as del
      from pg_class where relnamespace = 'public'::regnamespace and relname = any(${[
        'audit_log',
        'usage_events',
        // its partitions too: a partition is a table the api could name directly
        'usage_events_other',
        'price_versions',
        'price_tiers',
        'invoice_usage_snapshots',
        'function_versions',
        'budget_alerts',
      ]}) order by relname`.execute(t.db.db);
    expect(rows).toHaveLength(8);
    expect(rows.filter((r) => r.up || r.del)).toEqual([]);
    await expect(sql`update audit_log set reason = 'nothing to see'`.execute(t.db.db)).rejects.toThrow(/permission denied/);
    await expect(sql`delete from audit_log`.execute(t.db.db)).rejects.toThrow(/permission denied/);
    await expect(sql`delete from usage_events`.execute(t.db.db)).rejects.toThrow(/permission denied/);
  });

  it('can neither change nor delete a finalized invoice or its lines, but voids it through the api', async () => {
    const { a, invoice } = await finalizedInvoice();
    await expect(sql`update invoices set total = 0 where id = ${invoice.id}`.execute(t.db.db)).rejects.toThrow(/finalized/);
    await expect(
      sql`update invoices set status = 'void', voided_at = now(), void_reason = 'x' where id = ${invoice.id}`.execute(t.db.db),
    ).rejects.toThrow(/only void_invoice\(\) may change it/);
    await expect(sql`delete from invoices where id = ${invoice.id}`.execute(t.db.db)).rejects.toThrow(/cannot be deleted/);
    await expect(sql`update invoice_lines set amount = 0 where invoice_id = ${invoice.id}`.execute(t.db.db)).rejects.toThrow(
      /permission denied/,
    );
    await expect(sql`delete from invoice_lines where invoice_id = ${invoice.id}`.execute(t.db.db)).rejects.toThrow(/cannot be changed/);
    const after = await t.app.inject({ method: 'GET', url: `/v1/invoices/${invoice.id}`, headers: admin });
    expect(after.json()).toMatchObject({ status: 'finalized', total: invoice.total });

    const voided = await t.app.inject({
      method: 'POST',
      url: `/v1/invoices/${invoice.id}/void`,
      headers: admin,
      payload: { reason: 'test' },
    });
    expect(voided.statusCode).toBe(200);
    expect(voided.json()).toMatchObject({ status: 'void', voidReason: 'test', total: invoice.total, accountId: a.id });
    await expect(sql`update invoices set status = 'finalized', voided_at = null where id = ${invoice.id}`.execute(t.db.db)).rejects.toThrow(
      /void/,
    );
    await expect(sql`select void_invoice(${invoice.id}::uuid, 'again', now())`.execute(t.db.db)).rejects.toThrow(/not finalized/);
  });

  it('still writes a month partition the first time usage of that month arrives', async () => {
    const a = await newTenant(t.app);
    const at = '2026-03-03T03:03:03.000Z';
    const r = await postUsage(t.app, a.executorKey, [usageEvent(a.id, { invocationId: uuid7(Date.parse(at)), startedAt: at })]);
    expect(r.statusCode).toBe(200);
    const { rows } = await sql<{ owner: string }>`
      select pg_get_userbyid(relowner) as owner from pg_class where relname = 'usage_events_id_2026_03'`.execute(t.db.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.owner).not.toBe((await sql<{ u: string }>`select current_user as u`.execute(t.db.db)).rows[0]!.u);
  });
});
