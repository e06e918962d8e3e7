import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { admin } from './app.js';
import { call } from './functions.js';
import { segmentsWithRecords } from './spool-files.js';

/** The sealed and open segments of an executor's spool folder that hold records. */
export const spoolSegments = (dir: string) => segmentsWithRecords(join(dir, 'spool'));

/** Resolves with the exit code once the process has ended (at once if it already has). */
export const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

/**
 * Executors as their own processes, as in production (`node --import tsx executor/main.ts`),
 * registered with the test's api under its fleet key; any still running are killed after the file.
 */
export function executorProcesses(t: { base: string; fleet: string }) {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });
  return async function spawnExecutor(dir: string, flushMs: number): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'executor/main.ts'], {
      env: {
        ...process.env,
        TALLY_API_URL: t.base,
        TALLY_EXECUTOR_KEY: t.fleet,
        HOST: '127.0.0.1',
        PORT: '0',
        TALLY_EXECUTOR_DIR: dir,
        TALLY_USAGE_FLUSH_MS: String(flushMs),
        TALLY_EXECUTOR_CAPACITY: '4',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(child);
    const started = Date.now();
    // Registered once the api lists its id, heard from after this start.
    for (;;) {
      if (child.exitCode !== null) throw new Error(`executor exited with ${child.exitCode}`);
      const id = existsSync(join(dir, 'executor-id')) ? readFileSync(join(dir, 'executor-id'), 'utf8').trim() : null;
      const list = (await call(t.base, admin.authorization.slice(7), 'GET', '/v1/executors')).json.executors as {
        id: string;
        startedAt: string;
      }[];
      if (id && list.some((e) => e.id === id && Date.parse(e.startedAt) >= started - 1000)) return child;
      if (Date.now() - started > 20_000) throw new Error('the executor did not register within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
}
