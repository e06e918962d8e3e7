import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';

/**
 * The benchmarks measure issue 15's goals, so a change that breaks one breaks a deliverable without a
 * failing test: on 2026-12-07 the goals, offline and ingest benches had stopped running for a day (an
 * api refusing to start on secrets another deployment had sealed, and a column renamed under the
 * ingest bench). These run the harness at a tiny size, figures unread: only that it works end to end.
 */
const bench = (target: string, env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', target], {
    env: { ...process.env, DATABASE_URL: inject('pgAdminUrl'), BENCH_LOG_LEVEL: 'error', ...env },
    encoding: 'utf8',
    timeout: 170_000,
  });

describe('the benchmarks run', () => {
  it('deploys Tally twice on one database (npm start, then api and executor apart) and invokes each', async () => {
    // Imported here: the bench modules read their sizes from the environment when loaded.
    const { benchDatabase } = await import('../../bench/lib.js');
    const { deploy } = await import('../../bench/invoke.js');
    process.env.DATABASE_URL = inject('pgAdminUrl');
    const database = await benchDatabase();
    try {
      for (const separate of [false, true]) {
        const d = await deploy(database.url, separate);
        try {
          const r = await fetch(`${d.base}/v1/functions/noop/invoke`, {
            method: 'POST',
            headers: { authorization: `Bearer ${d.key}`, 'content-type': 'application/json' },
            body: '{}',
          });
          expect(r.status).toBe(200);
        } finally {
          await d.stop();
        }
      }
    } finally {
      await database.drop();
    }
  }, 180_000);

  it('runs the ingest benchmark through the api at a tiny size', () => {
    const r = bench('ingest', { BENCH_BATCHES: '3', BENCH_SHAPE: 'spread' });
    expect(r.status, `${r.stdout}\n${r.stderr}`.slice(-3000)).toBe(0);
    expect(r.stdout).toMatch(/ingest benchmark \(spread\)/);
    expect(r.stdout).toMatch(/events\/s/);
  }, 180_000);
});
