import { openDatabase, type DatabaseConnection } from './connect.js';

/**
 * The database a process start opens (src/server.ts, and src/cluster.ts's primary), stopped again when
 * that start fails or is stopped half-way: the embedded Postgres above all, which, left running, holds
 * its data folder so that every later start fails on it (docs/operations.md, "Upgrading").
 *
 * Call it first thing: from then on SIGTERM and SIGINT stop the start. Before the database opens the
 * process just exits; while it opens, the step in flight ends first (a migration is one transaction),
 * then the database is stopped and the process exits 0; once it is open, at once. `started()` hands
 * the signals to the process's own shutdown (install that first). A start that fails after the
 * database opened calls `close()` before it exits.
 */
export function guardStart() {
  let opened: DatabaseConnection | null = null;
  let closing: Promise<void> | null = null;
  let stopRequested = false;

  const close = (): Promise<void> => {
    if (!opened) return Promise.resolve();
    closing ??= opened.close().catch(() => undefined);
    return closing;
  };
  const early = () => {
    stopRequested = true;
    if (opened) void close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', early);
  process.on('SIGINT', early);

  return {
    /** openDatabase, with the signals above; does not return when a stop came meanwhile. */
    async open(...args: Parameters<typeof openDatabase>): Promise<DatabaseConnection> {
      if (stopRequested) process.exit(0);
      const database = await openDatabase(...args);
      opened = database;
      if (stopRequested) {
        await close();
        process.exit(0);
      }
      return database;
    },
    /** The start is done: signals go to the process's own shutdown from now on. */
    started(): void {
      process.off('SIGTERM', early);
      process.off('SIGINT', early);
    },
    /** Stops the database this start opened, if any (once, however often called). */
    close,
  };
}

export type StartGuard = ReturnType<typeof guardStart>;
