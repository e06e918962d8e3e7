import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';

// The api's role may append to the audit log, never change it (least-privilege.test.ts). Nor may it date an entry in
// the past or number it among the old ones, which would slip a made-up change in before the real ones (found by
// review on 2026-12-08: both were accepted as given).
const t = useTestApp();

describe('an audit entry appended by the api role', () => {
  it('is dated by the database, whatever time it names', async () => {
    const { rows } = await sql<{ at: Date }>`
      insert into audit_log (at, actor, action, reason) values ('2020-01-01T00:00:00Z', 'key:x', 'invoice.voided', 'backdated')
      returning at`.execute(t.db.db);
    const { rows: now } = await sql<{ now: Date }>`select now() as now`.execute(t.db.db);
    expect(Math.abs(rows[0]!.at.getTime() - now[0]!.now.getTime())).toBeLessThan(60_000);
  });

  it('cannot choose its own id', async () => {
    await sql`insert into audit_log (actor, action) values ('key:x', 'invoice.voided')`.execute(t.db.db);
    await expect(
      sql`insert into audit_log (id, actor, action) overriding system value values (1, 'key:x', 'invoice.voided')`.execute(t.db.db),
    ).rejects.toThrow(/sequence/);
    await expect(
      sql`insert into audit_log (id, actor, action) overriding system value values (9000000000000000000, 'key:x', 'invoice.voided')`.execute(
        t.db.db,
      ),
    ).rejects.toThrow(/sequence/);
    // Several in one statement, as the api writes them: each takes its own id.
    const { rows } = await sql<{ id: string }>`
      insert into audit_log (actor, action) values ('key:x', 'budget.created'), ('key:x', 'budget.changed') returning id`.execute(t.db.db);
    expect(rows).toHaveLength(2);
  });

  it('is kept as written by the owner (a restore)', async () => {
    const { rows } = await sql<{ at: Date }>`
      insert into audit_log (id, at, actor, action) overriding system value
      values (8000000000000000000, '2021-05-01T00:00:00Z', 'key:x', 'invoice.voided') returning at`.execute(t.db.owner);
    expect(rows[0]!.at.toISOString()).toBe('2021-05-01T00:00:00.000Z');
  });
});
