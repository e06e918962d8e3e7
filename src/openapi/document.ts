import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import { buildApp } from '../app.js';
import type { Database } from '../db/schema.js';
import { systemClock } from '../lib/clock.js';
import { silentLogger } from '../lib/logger.js';

/**
 * A database that is never reached: every query answers one empty row. The app's start-up hooks
 * (key revision, leases) run against it, so the routes and their document are built exactly as
 * `npm start` builds them, without a server; the secrets' checks do not (it holds none to open).
 */
function detachedDatabase(): Kysely<Database> {
  const connection: DatabaseConnection = {
    executeQuery: async <R>() => ({ rows: [{} as R] }) satisfies QueryResult<R>,
    streamQuery: async function* () {},
  };
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: async () => {},
    commitTransaction: async () => {},
    rollbackTransaction: async () => {},
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

/** The API document as `GET /docs/json` serves it on an api with no TALLY_PUBLIC_URL. */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const app = await buildApp({ db: detachedDatabase(), clock: systemClock, logger: silentLogger(), adminKey: null, secretsAtStart: false });
  try {
    await app.ready();
    return structuredClone(app.swagger()) as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
