import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type Db } from '../../src/db/database.js';
import { MIGRATIONS_DIR, migrateToLatest } from '../../src/db/migrate.js';

export interface TestDatabase {
  /** As the app connects: its least-privileged role (a member of tally_app). */
  db: Db;
  url: string;
  /** As migrations connect: the owner of every table, for what the app itself may not do. */
  owner: Db;
  ownerUrl: string;
  name: string;
  drop(): Promise<void>;
}

const urlFor = (adminUrl: string, database: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
};

/** A fresh database cloned from the migrated template: each test file gets its own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `tally_t_${inject('pgRunId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
        break;
      } catch (err) {
        // Two files cloning at the same instant may see "source database is being accessed"
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const ownerUrl = urlFor(adminUrl, name);
  const app = new URL(ownerUrl);
  app.username = inject('pgAppUser');
  app.password = inject('pgAppPassword');
  const url = app.toString();
  const db = createDb(url, 10);
  const owner = createDb(ownerUrl, 2);
  return {
    db,
    url,
    owner,
    ownerUrl,
    name,
    async drop() {
      await db.destroy();
      await owner.destroy();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).finally(() => c.end());
    },
  };
}

/**
 * A database migrated up to (not including) migration `before`: what an upgrade starts from. `db`
 * connects as its owner (as migrations do); `drop` closes it and drops the database.
 */
export async function databaseBefore(before: string): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `tally_t_${inject('pgRunId')}_mig_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`).finally(() => admin.end());
  const dir = mkdtempSync(join(tmpdir(), 'tally-migrations-'));
  for (const f of readdirSync(MIGRATIONS_DIR)) if (f < before) cpSync(join(MIGRATIONS_DIR, f), join(dir, f));
  const url = urlFor(adminUrl, name);
  const db = createDb(url, 4);
  try {
    await migrateToLatest(db, `${dir}/`); // the provider joins the folder and the name as they are
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    db,
    url,
    async drop() {
      await db.destroy().catch(() => undefined);
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).finally(() => c.end());
    },
  };
}

/**
 * A transaction on its own connection that holds a table lock, so that concurrent requests all get as far as
 * writing and wait there; `release` lets them go at once. `waitFor(n)` returns once n sessions wait on a lock.
 */
export async function holdLock(url: string, statement: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query(statement);
  return {
    /** `ms`: how long to wait (a child process that must start first needs longer on a loaded machine). */
    async waitFor(n: number, ms = 10_000): Promise<void> {
      for (const end = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 20))) {
        // inside a transaction Postgres keeps showing the first snapshot of the activity view: read it afresh
        await client.query('select pg_stat_clear_snapshot()');
        const { rows } = await client.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
        if (rows[0]!.n >= n) return;
        if (Date.now() > end) throw new Error(`only ${rows[0]!.n} of ${n} sessions came to wait on the lock`);
      }
    },
    async release(): Promise<void> {
      await client.query('commit').finally(() => client.end());
    },
  };
}
