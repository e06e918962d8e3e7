import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, buildServices, type App, type AppDeps, type Services } from '../../src/app.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { UsageEvent } from '../../src/contracts/usage.js';
import type { Db } from '../../src/db/database.js';
import { dispatchClaimsOf, signDispatch } from '../../src/modules/executors/dispatch-token.js';
import { DISPATCH_SECRET_CONTEXT } from '../../src/modules/executors/executors.service.js';
import type { SecretBox } from '../../src/lib/secret-box.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { readdirSync } from 'node:fs';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';

const MIGRATION_COUNT = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length;

export const ADMIN_KEY = 'test_admin_key_0123456789abcdef';
export const admin = { authorization: `Bearer ${ADMIN_KEY}` };
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export interface TestContext {
  app: App;
  /** The app's services, for what calls them without HTTP (the in-process executor's ingest). */
  services: Services;
  db: TestDatabase;
  clock: ReturnType<typeof fixedClock>;
}

/** Builds the app on this file's own database; the clock stands still at `now` unless a test moves it. */
export function useTestApp(now = '2026-11-15T12:00:00.000Z', overrides: Partial<AppDeps> = {}): TestContext {
  const ctx = {} as TestContext;
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    ctx.clock = fixedClock(now);
    const deps = {
      db: ctx.db.db,
      clock: ctx.clock,
      logger: silentLogger(),
      adminKey: ADMIN_KEY,
      expectedMigrations: MIGRATION_COUNT,
      ...overrides,
    };
    ctx.services = buildServices(deps);
    ctx.app = await buildApp(deps, ctx.services);
    await ctx.app.ready();
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.db?.drop();
  });
  return ctx;
}

/** A new account with an account key and an account-scoped executor key. */
export async function newTenant(app: App, name = `acme-${randomUUID().slice(0, 8)}`) {
  const account = await app.inject({ method: 'POST', url: '/v1/accounts', headers: admin, payload: { name } });
  if (account.statusCode !== 201) throw new Error(`account: ${account.statusCode} ${account.body}`);
  const id = account.json().id as string;
  const key = async (role: 'account' | 'executor') => {
    const r = await app.inject({ method: 'POST', url: `/v1/accounts/${id}/keys`, headers: admin, payload: { role } });
    if (r.statusCode !== 201) throw new Error(`key: ${r.statusCode} ${r.body}`);
    return r.json().key as string;
  };
  return { id, accountKey: await key('account'), executorKey: await key('executor') };
}

export async function fleetKey(app: App): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/v1/keys', headers: admin, payload: { role: 'executor' } });
  return r.json().key as string;
}

/** The dispatch-token secret the app made at start-up, as the api replicas share it (opened with the app's secret box). */
export async function dispatchSecret(db: Db, box: SecretBox): Promise<Buffer> {
  const r = await sql<{ sealed: string }>`select sealed from platform_secrets where name = 'dispatch-token'`.execute(db);
  if (!r.rows[0]) throw new Error('no dispatch-token secret: is the app ready?');
  return Buffer.from(box.open(r.rows[0].sealed, DISPATCH_SECRET_CONTEXT), 'base64');
}

/**
 * A platform executor key bound to a registered (fake) executor, and the tokens the api would have
 * signed had it dispatched these events to that executor (with a 900 s timeout unless told).
 */
export async function fleetExecutor(app: App, db: Db, box: SecretBox) {
  const key = await fleetKey(app);
  const executorId = randomUUID();
  const r = await app.inject({
    method: 'POST',
    url: '/v1/executors/register',
    headers: bearer(key),
    payload: { id: executorId, url: `http://127.0.0.1:1/${executorId}`, capacity: 1, token: randomBytes(24).toString('hex') },
  });
  if (r.statusCode !== 200) throw new Error(`register: ${r.statusCode} ${r.body}`);
  const secret = await dispatchSecret(db, box);
  const tokenFor = (e: UsageEvent, timeoutS = 900, forExecutor = executorId) =>
    signDispatch(secret, dispatchClaimsOf(forExecutor, e, timeoutS));
  return {
    key,
    executorId,
    tokenFor,
    /** The event as the executor would report it: with its dispatch token. */
    signed: (e: UsageEvent, timeoutS = 900): UsageEvent => ({ ...e, dispatchToken: tokenFor(e, timeoutS) }),
  };
}

export function usageEvent(accountId: string, overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    invocationId: randomUUID(),
    accountId,
    functionId: 'fn-a',
    architecture: 'x86_64',
    memoryMb: 512,
    durationMs: 100,
    startedAt: '2026-11-15T10:30:00.000Z',
    status: 'success',
    ...overrides,
  };
}

export async function postUsage(app: App, key: string, events: unknown[]) {
  return app.inject({ method: 'POST', url: '/v1/usage', headers: bearer(key), payload: { events } });
}

/** Reports one invocation's one log line, as the account's executor key does; answers the api's answer. */
export async function postLogLine(app: App, executorKey: string, account: { accountId: string; functionName: string }, message: string) {
  return app.inject({
    method: 'POST',
    url: '/v1/logs',
    headers: bearer(executorKey),
    payload: {
      invocations: [
        {
          requestId: randomUUID(),
          accountId: account.accountId,
          functionName: account.functionName,
          architecture: 'x86_64',
          memoryMb: 128,
          lines: [{ seq: 0, timestamp: Date.now(), message }],
        },
      ],
    },
  });
}
