import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Plain SQL files, applied in name order; each runs in its own transaction under Kysely's lock. */
class SqlFileProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => f.endsWith('.sql')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const text = await readFile(this.dir + file, 'utf8');
      migrations[file.replace(/\.sql$/, '')] = { up: async (db) => void (await sql.raw(text).execute(db)) };
    }
    return migrations;
  }
}

/**
 * Applies this release's pending migrations; answers their names. A database a newer release has
 * migrated (docs/operations.md, "Upgrading": old and new api replicas run side by side, and the
 * first new one migrates) holds migrations this release does not know: when every one of its own is
 * applied, it starts on that schema unchanged, as the upgrade path requires (`onNewer` is told).
 * Kysely's Migrator would refuse ("previously executed migration ... is missing"), and an old replica
 * that restarted mid-upgrade, or a rollback, could not start. A database that lacks some of this
 * release's migrations and has others it does not know has diverged: refused, naming both.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run on the database whatever its table types
export async function migrateToLatest(db: Kysely<any>, dir = MIGRATIONS_DIR, onNewer?: (unknown: string[]) => void): Promise<string[]> {
  const provider = new SqlFileProvider(dir);
  const local = Object.keys(await provider.getMigrations());
  const executed = await executedMigrations(db);
  const known = new Set(local);
  const unknown = executed.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const done = new Set(executed);
    const pending = local.filter((name) => !done.has(name));
    if (pending.length > 0) {
      throw new Error(
        `the database has migrations this release does not know (${unknown.join(', ')}) and lacks some of its own (${pending.join(', ')}): it was migrated by another line of releases`,
      );
    }
    onNewer?.(unknown);
    return [];
  }
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The migrations the database has applied, by name (none before the first start). */
// biome-ignore lint/suspicious/noExplicitAny: as above
async function executedMigrations(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`
    .execute(db)
    .catch((err: { code?: string }) => {
      if (err.code === '42P01') return { rows: [] as { name: string }[] }; // no table yet: a new database
      throw err;
    });
  return rows.map((r) => r.name);
}

/** How many migrations the database has applied (for /readyz: one cheap query, no file reads). */
// biome-ignore lint/suspicious/noExplicitAny: as above
export async function appliedMigrations(db: Kysely<any>): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*)::text as n from kysely_migration`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
