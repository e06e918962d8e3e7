import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childrenOf } from '../../executor/runtime/proc.js';
import { removeTestDir } from '../helpers/cleanup.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { until } from '../helpers/functions.js';
import { type ApiProcess, startApi } from '../helpers/process.js';

const ADMIN_KEY = 'processes_admin_key_0123456789abcdef';

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

/** One request on a connection of its own: node:cluster hands each new connection to the next worker. */
const getFresh = (base: string, path: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(`${base}${path}`, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer to ${path} within 5 s`)));
    req.end();
  });

async function scrape(base: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  return { status: res.status, text: await res.text() };
}
async function metrics(base: string): Promise<string> {
  const { status, text } = await scrape(base);
  expect(status, text).toBe(200);
  return text;
}
const sample = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
/** Workers listening, as /metrics counts them; null while the answer is a 503, which says "retry shortly". */
async function listening(base: string): Promise<number | null> {
  const { status, text } = await scrape(base);
  if (status === 503) return null;
  expect(status, text).toBe(200);
  return sample(text, /^tally_api_listening (\d+)/m);
}

/** TALLY_API_PROCESSES: one port, several api processes (node:cluster), each a replica of the others. */
describe('several api processes on one port', () => {
  let db: TestDatabase;
  let dataDir: string;
  let api: ApiProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'tally-processes-'));
    api = await startApi({
      DATABASE_URL: db.ownerUrl,
      TALLY_ADMIN_KEY: ADMIN_KEY,
      TALLY_DATA_DIR: dataDir,
      TALLY_EXECUTOR: 'off',
      TALLY_API_PROCESSES: '2',
      // This file counts requests across workers; a worker starved of CPU by the rest of the suite
      // must not shed them: /metrics answered 503 twice in CI on a slow machine, most likely shed load
      // (the answer's body was not recorded then; it is now). Shedding has its own tests.
      TALLY_SHED_EVENT_LOOP_DELAY_MS: '0',
    });
    await until('both workers listening', async () => (await listening(api.base)) === 2, 30_000);
  }, 90_000);

  afterAll(async () => {
    await api?.terminate();
    await db?.drop();
    removeTestDir(dataDir);
  });

  it('serves from two workers, and /metrics adds up what each of them counted', async () => {
    expect(childrenOf(api.child.pid!)).toHaveLength(2);
    const before =
      sample(await metrics(api.base), /^tally_http_request_seconds_count\{method="GET",route="\/healthz",status="200"\} (\d+)/m) || 0;
    for (let i = 0; i < 20; i++) expect(await getFresh(api.base, '/healthz')).toBe(200);
    const text = await metrics(api.base);
    // One worker's registry alone would hold about half of them.
    expect(sample(text, /^tally_http_request_seconds_count\{method="GET",route="\/healthz",status="200"\} (\d+)/m) - before).toBe(20);
    // A figure read from the database is the same in every worker: reported once, not summed.
    expect(sample(text, /^tally_database_up (\d+)/m)).toBe(1);
    // The secret key file was made once, by the primary, before the workers started.
    expect(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim()).not.toBe('');
  });

  it('replaces a worker that dies, and keeps answering meanwhile', async () => {
    const [victim, survivor] = childrenOf(api.child.pid!) as [number, number];
    process.kill(victim, 'SIGKILL');
    // A connection handed to the worker in the instant it died is lost with it (node:cluster's limit,
    // docs/scaling.md); once the primary knows, every new one goes to the living.
    await until('the primary to notice', async () => /an api worker died; starting another/.test(api.output()));
    for (let i = 0; i < 6; i++) expect(await getFresh(api.base, '/readyz')).toBe(200);
    await until(
      'a new worker in its place, listening',
      async () => {
        const now = childrenOf(api.child.pid!);
        return now.length === 2 && !now.includes(victim) && now.includes(survivor) && (await listening(api.base)) === 2;
      },
      30_000,
    );
  });

  it('stops every worker on SIGTERM and exits 0', async () => {
    const workers = childrenOf(api.child.pid!);
    expect(workers).toHaveLength(2);
    const { code } = await api.terminate();
    expect(code).toBe(0);
    for (const pid of workers) expect(alive(pid)).toBe(false);
  });
});
