import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { readdirSync } from 'node:fs';
import Fastify from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, buildServices, type App, type AppDeps, type Services } from '../../src/app.js';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY, admin, bearer, postUsage, usageEvent } from './app.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface BudgetsContext {
  app: App;
  services: Services;
  deps: AppDeps;
  db: TestDatabase;
  clock: ReturnType<typeof fixedClock>;
  /** Another api replica on the same database: its own evaluator, cap cache and delivery worker. */
  replica(): Services;
}

/** Like useTestApp, keeping the services at hand: tests drive evaluation and delivery explicitly. */
export function useBudgetsApp(now = '2026-11-15T12:00:00.000Z', overrides: Partial<AppDeps> = {}): BudgetsContext {
  const ctx = {} as BudgetsContext;
  const replicas: Services[] = [];
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    ctx.clock = fixedClock(now);
    ctx.deps = {
      db: ctx.db.db,
      clock: ctx.clock,
      logger: silentLogger(),
      adminKey: ADMIN_KEY,
      expectedMigrations: readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length,
      ...overrides,
    };
    ctx.services = buildServices(ctx.deps);
    ctx.app = await buildApp(ctx.deps, ctx.services);
    await ctx.app.ready();
    ctx.replica = () => {
      const s = buildServices(ctx.deps);
      replicas.push(s);
      return s;
    };
  });
  afterAll(async () => {
    for (const r of replicas) await r.budgets.stop();
    await ctx.app?.close();
    await ctx.db?.drop();
  });
  return ctx;
}

/** An account without the free tier (so every invocation costs), its account key and a scoped executor key. */
export async function payingTenant(app: App) {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: admin,
    payload: { name: `payer-${randomUUID().slice(0, 8)}`, freeTier: false },
  });
  const id = r.json().id as string;
  const key = async (role: string) =>
    (await app.inject({ method: 'POST', url: `/v1/accounts/${id}/keys`, headers: admin, payload: { role } })).json().key as string;
  return { id, accountKey: await key('account'), executorKey: await key('executor') };
}

/**
 * `count` invocations of 10,240 MB for 15 minutes: 9,000 GB-s each, $0.1500003 at the x86 price,
 * so the month-to-date cost moves by 15 cents an invocation (n invocations: $0.15 x n, rounded).
 */
export async function burn(app: App, tenant: { id: string; executorKey: string }, count: number, opts: { at: Date; functionId?: string }) {
  const events = Array.from({ length: count }, () =>
    usageEvent(tenant.id, {
      memoryMb: 10_240,
      durationMs: 900_000,
      startedAt: opts.at.toISOString(),
      functionId: opts.functionId ?? 'fn-a',
    }),
  );
  const r = await postUsage(app, tenant.executorKey, events);
  if (r.statusCode !== 200) throw new Error(`usage: ${r.statusCode} ${r.body}`);
  return r;
}

export async function createBudget(app: App, key: string, body: Record<string, unknown>) {
  const r = await app.inject({ method: 'POST', url: '/v1/budgets', headers: bearer(key), payload: body });
  if (r.statusCode !== 201) throw new Error(`budget: ${r.statusCode} ${r.body}`);
  return r.json() as { id: string; secret: string } & Record<string, unknown>;
}

export interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A webhook receiver on 127.0.0.1: records raw bodies; answers `status` (settable). */
export async function startReceiver(opts: { port?: number; status?: number } = {}) {
  const received: Received[] = [];
  const state = { status: opts.status ?? 200 };
  const app = Fastify();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/hook', async (req, reply) => {
    received.push({ headers: req.headers, body: req.body as string });
    return reply.code(state.status).send({ ok: state.status < 300 });
  });
  await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const port = (app.server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, port, received, state, close: () => app.close() };
}

/** What a receiver does (README, "Budgets and alerts"): recompute the HMAC over timestamp + "." + raw body. */
export function verifySignature(secret: string, r: Received): boolean {
  const timestamp = String(r.headers['x-tally-timestamp']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`;
  const given = Buffer.from(String(r.headers['x-tally-signature']));
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
}
