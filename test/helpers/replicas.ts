import { readdirSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, buildServices, type App, type AppDeps, type Services } from '../../src/app.js';
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

/** `count` api replicas on this file's own database, built with the same dependencies. */
export function useReplicas(count: number, overrides: Partial<AppDeps> = {}, now = new Date().toISOString()): ReplicasContext {
  const ctx = { replicas: [] } as unknown as ReplicasContext;
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    for (let i = 0; i < count; i++) {
      const deps: AppDeps = {
        db: ctx.db.db,
        clock: fixedClock(now),
        logger: silentLogger(),
        adminKey: ADMIN_KEY,
        expectedMigrations: readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length,
        ...overrides,
      };
      const services = buildServices(deps);
      const app = await buildApp(deps, services);
      await app.ready();
      ctx.replicas.push({ app, services });
    }
  });
  afterAll(async () => {
    for (const r of ctx.replicas) await r.app.close();
    await ctx.db?.drop();
  });
  return ctx;
}
