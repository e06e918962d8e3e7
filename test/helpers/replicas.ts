import { readdirSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, buildServices, type App, type AppDeps, type Services } from '../../src/app.js';
import type { Db } from '../../src/db/database.js';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY } from './app.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface Replica {
  app: App;
  services: Services;
}

export interface ReplicasContext {
  db: TestDatabase;
  /** Api replicas sharing one database, each with its own services, caches and counters. */
  replicas: Replica[];
}

/** One api replica on `db`, built as server.ts builds it (with these dependencies), and ready. */
export async function startReplica(db: Db, overrides: Partial<AppDeps> = {}, now = new Date().toISOString()): Promise<Replica> {
  const deps: AppDeps = {
    db,
    clock: fixedClock(now),
    logger: silentLogger(),
    adminKey: ADMIN_KEY,
    expectedMigrations: readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length,
    ...overrides,
  };
  const services = buildServices(deps);
  const app = await buildApp(deps, services);
  await app.ready();
  return { app, services };
}

/** `count` api replicas on this file's own database, built with the same dependencies. */
export function useReplicas(count: number, overrides: Partial<AppDeps> = {}, now = new Date().toISOString()): ReplicasContext {
  const ctx = { replicas: [] } as unknown as ReplicasContext;
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    for (let i = 0; i < count; i++) ctx.replicas.push(await startReplica(ctx.db.db, overrides, now));
  });
  afterAll(async () => {
    for (const r of ctx.replicas) await r.app.close();
    await ctx.db?.drop();
  });
  return ctx;
}
