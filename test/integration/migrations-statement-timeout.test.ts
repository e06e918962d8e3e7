import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/connect.js';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { silentLogger } from '../../src/lib/logger.js';
import { databaseBefore } from '../helpers/db.js';

/**
 * docs/operations.md, "Statement timeout": migrations run on the owner's connection "which is given no timeout". It was
 * given none of its own, so a default the server, the database or the owner's role sets (managed Postgres often does:
 * `alter database ... set statement_timeout`) applied to them: an upgrade whose migration ran longer was cancelled at
 * every start, and the replicas never came up. Found by the operations review on 2026-12-08.
 */
describe('migrations under a database-wide statement timeout', () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => drop?.());

  it('run to the end, and the api still gets its own timeout', async () => {
    const before = await databaseBefore('0098');
    drop = before.drop;
    await before.db.destroy();
    const name = new URL(before.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: before.url });
    await admin.connect();
    // Far below what the pending migrations (0098 onwards) take; new sessions get it.
    await admin.query(`alter database ${name} set statement_timeout = '1ms'`).finally(() => admin.end());

    const app = new URL(before.url);
    app.username = inject('pgAppUser');
    app.password = inject('pgAppPassword');
    const database = await openDatabase(
      {
        databaseUrl: before.url,
        appDatabaseUrl: app.toString(),
        dataDir: '/nonexistent',
        dbStatementTimeoutMs: 30_000,
        dbIdleInTransactionTimeoutMs: 0,
      },
      silentLogger(),
    );
    try {
      expect(database.applied[0]).toMatch(/^0098_/);
      // ...to the last there is.
      const last = readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith('.sql'))
        .sort()
        .at(-1)!;
      expect(database.applied.at(-1)).toBe(last.replace(/\.sql$/, ''));
      const { rows } = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(database.db);
      expect(rows[0]?.statement_timeout).toBe('30s');
    } finally {
      await database.close();
    }
  }, 120_000);
});
