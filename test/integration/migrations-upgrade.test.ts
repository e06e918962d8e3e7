import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startApi, type ApiProcess } from '../helpers/process.js';

const ADMIN_KEY = 'upgrade_ops_admin_key_0123456789abcdef';
// Found by a review on 2026-12-07: the older api did not start at all (Kysely's missing-migration check).

/**
 * docs/operations.md, "Upgrading": api replicas are upgraded one by one, old and new running side by
 * side. The first new replica applies the new version's migrations at its start. An old replica that
 * restarts meanwhile (a crash, a rescheduled pod, or a rollback of the release) must still come up on
 * that database: its own migrations are all applied, the new ones are additive.
 */
describe('an api of the previous version on a database a newer version migrated', () => {
  let db: TestDatabase;
  let api: ApiProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    // What a newer release's first replica leaves: one more applied migration than this checkout has.
    await sql`insert into kysely_migration (name, timestamp) values ('0999_from_a_newer_release', ${new Date().toISOString()})`.execute(
      db.owner,
    );
  }, 60_000);

  afterAll(async () => {
    await api?.terminate();
    await db?.drop();
  });

  it('starts and is ready (a rolling upgrade or a rollback does not leave old replicas unable to restart)', async () => {
    let failure = '';
    try {
      api = await startApi({ DATABASE_URL: db.ownerUrl, TALLY_ADMIN_KEY: ADMIN_KEY, TALLY_EXECUTOR: 'off' }, { timeoutMs: 30_000 });
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    expect(failure).toBe('');
    const res = await fetch(`${api!.base}/readyz`);
    expect(res.status).toBe(200);
  }, 60_000);

  it('refuses, naming both, a database that lacks some of its migrations and has others it does not know', async () => {
    const other = await createTestDatabase();
    try {
      const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(other.owner);
      await sql`delete from kysely_migration where name = ${rows[0]!.name}`.execute(other.owner);
      await sql`insert into kysely_migration (name, timestamp) values ('0999_from_another_line', ${new Date().toISOString()})`.execute(
        other.owner,
      );
      await expect(migrateToLatest(other.owner)).rejects.toThrow(/0999_from_another_line.*lacks some of its own.*another line of releases/);
    } finally {
      await other.drop();
    }
  });
});
