import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { silentLogger } from '../../src/lib/logger.js';
import { removeTestDir } from '../helpers/cleanup.js';

/**
 * `npm start`'s embedded Postgres after a crash (a power cut, the machine or container killed): its postmaster.pid
 * stays in the data folder, naming a pid that may by then belong to another process. Postgres refuses a folder
 * whose lock file names a live process of its own user ("lock file "postmaster.pid" already exists"), so every
 * start failed, though nothing used the folder, until an operator deleted the file by hand. Found by the
 * operations review on 2026-12-08.
 */

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) await removeTestDir(d);
});

/** A process of the user the embedded Postgres runs as (`postgres` when Tally runs as root), as a reused pid would be. */
function unrelatedProcess(): number {
  const uid = process.getuid?.() === 0 ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })) : undefined;
  const child = spawn('sleep', ['600'], { stdio: 'ignore', ...(uid === undefined ? {} : { uid }) });
  children.push(child);
  return child.pid!;
}

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('select 1 as one')).rows[0].one;
  } finally {
    await client.end();
  }
}

describe('the embedded Postgres and a stale postmaster.pid', () => {
  it('starts on a folder whose lock file names a live process that is not a Postgres of that folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tally-stale-lock-'));
    dirs.push(dataDir);
    const pgDir = join(dataDir, 'pg');
    const lockFile = join(pgDir, 'postmaster.pid');

    const first = await startEmbeddedPostgres(dataDir, silentLogger(), 'tally');
    const lock = readFileSync(lockFile, 'utf8');
    const postmaster = Number(lock.split('\n')[0]);
    // What the fix relies on: a postmaster works in its data folder.
    expect(readlinkSync(`/proc/${postmaster}/cwd`)).toBe(realpathSync(pgDir));
    // A folder in use stays refused.
    await expect(startEmbeddedPostgres(dataDir, silentLogger(), 'tally')).rejects.toThrow(/postmaster\.pid|lock file/);
    expect(await selectOne(first.url)).toBe(1);
    await first.stop();

    // The crash: the lock file is left behind, and its pid now names another process of the same user.
    writeFileSync(lockFile, lock.replace(/^\d+/, String(unrelatedProcess())));
    const again = await startEmbeddedPostgres(dataDir, silentLogger(), 'tally');
    try {
      expect(await selectOne(again.url)).toBe(1);
    } finally {
      await again.stop();
    }
  }, 120_000);
});

describe('the embedded Postgres when two starts meet on a fresh folder', () => {
  it('keeps the password the folder was initialised with: the start that loses does not overwrite it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tally-two-starts-'));
    dirs.push(dataDir);
    // Two `npm start` on one new TALLY_DATA_DIR (two terminals, a process manager and a person): the second found
    // no PG_VERSION yet, wrote a new pg-password over the first's while the first's initdb ran with it, and failed on
    // the folder. The first ran on; at its next start, and every one after, Postgres refused the password in the file.
    let initialising: () => void = () => {};
    const seen = new Promise<void>((r) => (initialising = r));
    const log = silentLogger();
    const watching = Object.assign(Object.create(log), {
      info(this: unknown, ...args: unknown[]) {
        if (args.some((a) => typeof a === 'string' && a.includes('initialising'))) initialising();
      },
    }) as typeof log;
    const first = startEmbeddedPostgres(dataDir, watching, 'tally');
    await seen;
    // Which initdb gets the folder is a race (usually the first's: then the second's password was in the file).
    const starts = await Promise.allSettled([first, startEmbeddedPostgres(dataDir, silentLogger(), 'tally')]);
    const running = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(running, JSON.stringify(starts.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started')))).toHaveLength(1);
    await running[0]!.stop();

    const again = await startEmbeddedPostgres(dataDir, silentLogger(), 'tally');
    try {
      expect(await selectOne(again.url)).toBe(1);
    } finally {
      await again.stop();
    }
  }, 120_000);
});
