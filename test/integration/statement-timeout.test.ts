import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { openDatabase, type DatabaseConnection } from '../../src/db/connect.js';
import { createDb, withoutStatementTimeout, type Db } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createLogsRepository } from '../../src/modules/logs/logs.repository.js';
import { removeTestDir } from '../helpers/cleanup.js';
import { holdLock } from '../helpers/db.js';
import { ADMIN_KEY, admin, newTenant, useTestApp } from '../helpers/app.js';

/**
 * TALLY_DB_STATEMENT_TIMEOUT_MS and TALLY_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS (docs/operations.md,
 * "Statement timeout"). Found by the operations review: the api's pool set no statement timeout, so
 * a statement blocked on a lock held its connection for ever, and ten of them took the whole pool.
 */
const t = useTestApp();
const TIMEOUT_MS = 300;
const code = (err: unknown) => (err as { code?: string }).code;
/** What `work` settled to, or 'still waiting' after `ms`: a statement that hangs fails the test instead of stalling it. */
const within = <T>(work: Promise<T>, ms: number) =>
  Promise.race([work, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms))]);

describe("the api's database connections", () => {
  let database: DatabaseConnection;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tally-statement-timeout-'));
    // As server.ts opens it: the owner migrates, the api connects as its own role with the settings.
    database = await openDatabase(
      {
        ...parseConfig({ DATABASE_URL: t.db.ownerUrl, TALLY_APP_DATABASE_URL: t.db.url, TALLY_DATA_DIR: dataDir }),
        dbStatementTimeoutMs: TIMEOUT_MS,
        dbIdleInTransactionTimeoutMs: 1_000,
      },
      silentLogger(),
    );
  });

  afterAll(async () => {
    await database?.close();
    removeTestDir(dataDir);
  });

  it('default to a 30 s statement timeout and a 60 s idle-in-transaction timeout; 0 turns either off', () => {
    expect(parseConfig({})).toMatchObject({ dbStatementTimeoutMs: 30_000, dbIdleInTransactionTimeoutMs: 60_000 });
    expect(parseConfig({ TALLY_DB_STATEMENT_TIMEOUT_MS: '0', TALLY_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0' })).toMatchObject({
      dbStatementTimeoutMs: 0,
      dbIdleInTransactionTimeoutMs: 0,
    });
    expect(() => parseConfig({ TALLY_DB_STATEMENT_TIMEOUT_MS: '30s' })).toThrow(/TALLY_DB_STATEMENT_TIMEOUT_MS/);
  });

  it('carry the settings into every session', async () => {
    const shown = await sql<{ statement: string; idle: string }>`
      select current_setting('statement_timeout') as statement,
             current_setting('idle_in_transaction_session_timeout') as idle`.execute(database.db);
    expect(shown.rows[0]).toEqual({ statement: `${TIMEOUT_MS}ms`, idle: '1s' });
  });

  it('end a statement blocked longer than the timeout, and the pool serves the next query (more blocked statements than it has connections)', async () => {
    const lock = await holdLock(t.db.ownerUrl, 'lock table accounts in access exclusive mode');
    try {
      const started = Date.now();
      // Twice the pool's 10 connections, all waiting on the lock: without a timeout the pool is gone.
      const blocked = await within(
        Promise.allSettled(Array.from({ length: 20 }, () => sql`select count(*) from accounts`.execute(database.db))),
        5_000,
      );
      expect(blocked).not.toBe('still waiting');
      if (blocked === 'still waiting') return;
      expect(blocked.map((r) => (r.status === 'rejected' ? code(r.reason) : 'answered'))).toEqual(Array(20).fill('57014'));
      expect(Date.now() - started).toBeLessThan(4_000);
      // The lock is still held; the connections went back to the pool and answer.
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      expect(rows[0]!.one).toBe(1);
    } finally {
      await lock.release();
    }
    const { rows } = await sql<{ n: string }>`select count(*) as n from accounts`.execute(database.db);
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(0);
  });

  it('end a transaction left idle longer than the idle-in-transaction timeout, and the pool recovers', async () => {
    const left = database.db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx);
      await new Promise((r) => setTimeout(r, 1_600));
      await sql`select 1`.execute(tx);
    });
    await expect(left).rejects.toThrow();
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    expect(rows[0]!.one).toBe(1);
  });
});

describe('a request whose statement outlasts the timeout', () => {
  let db: Db;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    db = createDb(t.db.url, { statementTimeoutMs: TIMEOUT_MS });
    app = await buildApp({ db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await db?.destroy();
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After at once, in the error shape, rather than hang', async () => {
    const tenant = await newTenant(t.app);
    const lock = await holdLock(t.db.ownerUrl, 'lock table accounts in access exclusive mode');
    const started = Date.now();
    const answered = app.inject({ method: 'GET', url: `/v1/accounts/${tenant.id}`, headers: admin });
    const res = await within(answered, 5_000).finally(() => lock.release());
    if (res === 'still waiting') throw new Error('the request still waited on the lock after 5 s');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(res.statusCode, res.body).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/in time/) });
    // The same request answers once nothing blocks it.
    expect((await app.inject({ method: 'GET', url: `/v1/accounts/${tenant.id}`, headers: admin })).statusCode).toBe(200);
  });
});

describe('work that may run longer than the timeout', () => {
  let db: Db;

  beforeAll(() => {
    // One connection: what the exempt transaction set is seen, or not, by the next statement on it.
    db = createDb(t.db.url, { max: 1, statementTimeoutMs: TIMEOUT_MS });
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('runs without it inside withoutStatementTimeout, and the pooled connection keeps its own afterwards', async () => {
    await expect(sql`select pg_sleep(0.6)`.execute(db)).rejects.toMatchObject({ code: '57014' });
    const inside = await withoutStatementTimeout(db, async (tx) => {
      await sql`select pg_sleep(0.6)`.execute(tx);
      return (await sql<{ s: string }>`select current_setting('statement_timeout') as s`.execute(tx)).rows[0]!.s;
    });
    expect(inside).toBe('0');
    const after = await sql<{ s: string }>`select current_setting('statement_timeout') as s`.execute(db);
    expect(after.rows[0]!.s).toBe(`${TIMEOUT_MS}ms`);
  });

  it("log upkeep's delete of expired lines outlasts it (here: waiting on a line another session holds)", async () => {
    const tenant = await newTenant(t.app);
    const now = t.clock.now().getTime();
    const day = 86_400_000;
    const lines = [3, 2].map((ago, seq) => ({ seq, timestamp: now - ago * day, message: `${ago} days ago` }));
    const principal = { role: 'executor' as const, accountId: tenant.id, keyId: null };
    const invocation = {
      requestId: randomUUID(),
      accountId: tenant.id,
      functionName: 'aged',
      architecture: 'x86_64' as const,
      memoryMb: 128,
    };
    expect((await t.services.logs.ingest(principal, [{ ...invocation, lines }])).accepted).toBe(2);
    // Shortened after the lines came (ingest refuses lines older than the retention): now they are expired.
    await t.services.logs.setRetention(tenant.id, 1);
    const lock = await holdLock(t.db.ownerUrl, `select 1 from log_events where account_id = '${tenant.id}' for update`);
    const deleting = createLogsRepository(db).deleteExpired(new Date(now), 30, 30);
    await new Promise((r) => setTimeout(r, 3 * TIMEOUT_MS));
    await lock.release();
    expect(await deleting).toBe(2);
  });
});
