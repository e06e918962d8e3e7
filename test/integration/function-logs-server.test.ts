import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY } from '../helpers/app.js';
import { removeTestDir } from '../helpers/cleanup.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { b64, makeZip } from '../helpers/functions.js';
import { callApi, startApi, type ApiProcess } from '../helpers/process.js';

let db: TestDatabase;
let dataDir: string;
let api: ApiProcess | null = null;
beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'tally-logs-server-'));
});
afterAll(async () => {
  if (api && api.child.exitCode === null) await api.terminate();
  await db?.drop();
  if (dataDir) await removeTestDir(dataDir);
});

const start = () =>
  startApi({ DATABASE_URL: db.ownerUrl, TALLY_ADMIN_KEY: ADMIN_KEY, TALLY_EXECUTOR: 'on', TALLY_DATA_DIR: dataDir, LOG_FORMAT: 'json' });

/** Log records waiting in the in-process executor's spool. */
function spooledLogRecords(): number {
  const spool = join(dataDir, 'executor', 'spool');
  if (!existsSync(spool)) return 0;
  return readdirSync(spool)
    .filter((n) => /^seg-\d+\.jsonl$/.test(n))
    .flatMap((n) => readFileSync(join(spool, n), 'utf8').split('\n'))
    .filter((line) => line.includes('"kind":"logs"')).length;
}

describe('function logs with the executor inside the api process (npm start)', () => {
  it('ships them; after a SIGKILL of the whole process they arrive at the next start, once', async () => {
    api = await start();
    const account = await callApi(api.base, ADMIN_KEY, 'POST', '/v1/accounts', { name: 'inproc' });
    const key = (await callApi(api.base, ADMIN_KEY, 'POST', `/v1/accounts/${account.json.id}/keys`, { role: 'account' })).json
      .key as string;
    const zip = makeZip([{ name: 'index.js', data: "exports.handler = async (e) => { console.log('seen', e.n); return e.n; };\n" }]);
    expect((await callApi(api.base, key, 'POST', '/v1/functions', { name: 'inproc', runtime: 'nodejs', zipFile: b64(zip) })).status).toBe(
      201,
    );
    const logs = async (base: string) =>
      (await callApi(base, key, 'GET', '/v1/functions/inproc/logs?limit=1000')).json.events as { requestId: string; message: string }[];

    const first = await callApi(api.base, key, 'POST', '/v1/functions/inproc/invoke', { n: 1 });
    expect(first.status).toBe(200);
    await expect
      .poll(async () => (await logs(api!.base)).filter((e) => e.message.startsWith('REPORT ')).length, { timeout: 15_000 })
      .toBe(1);

    // Two more, then the process is killed at once: the executor flushes every second, so their lines are
    // (almost always: 2 of 2 records in the runs seen) still in its spool; either way each arrives once.
    const ids: string[] = [];
    for (const n of [2, 3]) {
      const r = await callApi(api.base, key, 'POST', '/v1/functions/inproc/invoke', { n });
      expect(r.status).toBe(200);
      ids.push(r.headers.get('x-tally-request-id')!);
    }
    api.child.kill('SIGKILL');
    await api.exited;

    api = await start();
    await expect
      .poll(async () => (await logs(api!.base)).filter((e) => e.message.startsWith('REPORT ')).length, { timeout: 20_000 })
      .toBe(3);
    await expect.poll(() => spooledLogRecords(), { timeout: 10_000 }).toBe(0);
    const all = await logs(api.base);
    for (const [i, id] of ids.entries()) {
      const mine = all.filter((e) => e.requestId === id).map((e) => e.message);
      expect(mine.filter((m) => m.endsWith(`INFO\tseen ${i + 2}`))).toHaveLength(1);
      expect(mine.filter((m) => m.startsWith('START '))).toHaveLength(1);
      expect(mine.filter((m) => m.startsWith('REPORT '))).toHaveLength(1);
    }
    await api.terminate();
  }, 120_000);
});
