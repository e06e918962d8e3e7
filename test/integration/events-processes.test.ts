import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSandboxConfig } from '../../executor/config.js';
import { startExecutor, type Executor } from '../../executor/main.js';
import { silentLogger } from '../../src/lib/logger.js';
import { removeTestDir } from '../helpers/cleanup.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { b64, makeZip, until } from '../helpers/functions.js';
import { freePort } from '../helpers/pg-cluster.js';
import { callApi, startApi, type ApiProcess } from '../helpers/process.js';

const ADMIN_KEY = 'events_admin_key_0123456789abcdef';
const CODE = `
exports.fast = async (event) => ({ ok: true });
exports.slow = async (event) => { await new Promise((r) => setTimeout(r, 800)); return { n: event.n }; };
`;

/**
 * Two api processes on one database, as deployed (each with its own async worker and scheduler),
 * and an executor they share. One of them is killed with SIGKILL while events are queued and
 * running, then started again.
 */
describe('events across api processes', () => {
  let db: TestDatabase;
  let tmp: string;
  let portA: number;
  let apiA: ApiProcess;
  let apiB: ApiProcess;
  let executor: Executor;
  let key: string;
  const env = () => ({
    DATABASE_URL: db.ownerUrl,
    TALLY_APP_DATABASE_URL: db.url,
    TALLY_ADMIN_KEY: ADMIN_KEY,
    TALLY_EXECUTOR: 'off',
    TALLY_ASYNC_LEASE_S: '2',
    TALLY_ASYNC_RETRY_BASE_MS: '200',
    TALLY_ASYNC_CONCURRENCY: '4',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    tmp = mkdtempSync(join(tmpdir(), 'tally-events-'));
    portA = await freePort();
    [apiA, apiB] = await Promise.all([startApi({ ...env(), PORT: String(portA) }), startApi(env())]);
    const fleet = await callApi(apiB.base, ADMIN_KEY, 'POST', '/v1/keys', { role: 'executor' });
    // The executor reports to B, which stays up: A's death must not stop its usage from arriving.
    executor = await startExecutor({
      apiUrl: apiB.base,
      key: fleet.json.key,
      host: '127.0.0.1',
      port: 0,
      dir: join(tmp, 'executor'),
      capacity: 8,
      idleTimeoutMs: 60_000,
      flushIntervalMs: 100,
      shutdownTimeoutMs: 5_000,
      logLevel: 'silent',
      logger: silentLogger(),
      sandbox: { ...parseSandboxConfig({}), spares: 1 },
    });
    const account = await callApi(apiA.base, ADMIN_KEY, 'POST', '/v1/accounts', { name: 'events' });
    key = (await callApi(apiA.base, ADMIN_KEY, 'POST', `/v1/accounts/${account.json.id}/keys`, { role: 'account' })).json.key;
    const zip = b64(makeZip([{ name: 'index.js', data: CODE }]));
    for (const handler of ['fast', 'slow']) {
      const r = await callApi(apiA.base, key, 'POST', '/v1/functions', {
        name: handler,
        runtime: 'nodejs',
        handler: `index.${handler}`,
        zipFile: zip,
      });
      expect(r.status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    for (const api of [apiA, apiB]) if (api && api.child.exitCode === null && api.child.signalCode === null) await api.terminate();
    await executor?.stop();
    await db?.drop();
    if (tmp) await removeTestDir(tmp);
  });

  it('fires each tick of a schedule once with both processes polling', async () => {
    const at = new Date(Date.now() + 2_500).toISOString().slice(0, 19);
    for (const name of ['s1', 's2', 's3']) {
      const r = await callApi(apiB.base, key, 'POST', '/v1/schedules', { name, expression: `at(${at})`, target: { function: 'fast' } });
      expect(r.status).toBe(201);
    }
    await until(
      'three ticks ran',
      async () => {
        const l = await callApi(apiA.base, key, 'GET', '/v1/functions/fast/invocations?status=succeeded');
        return l.json.invocations.length >= 3;
      },
      30_000,
    );
    await new Promise((r) => setTimeout(r, 2_000)); // both schedulers have passed again since
    const ticks = await sql<{ n: number }>`select count(*)::int as n from schedule_ticks`.execute(db.db);
    const events = await sql<{ n: number }>`select count(*)::int as n from async_invocations where source = 'schedule'`.execute(db.db);
    expect([ticks.rows[0]!.n, events.rows[0]!.n]).toEqual([3, 3]);
    for (const name of ['s1', 's2', 's3']) {
      const s = await callApi(apiA.base, key, 'GET', `/v1/schedules/${name}`);
      expect(s.json).toMatchObject({ nextFireAt: null });
      expect(s.json.lastFiredAt).not.toBeNull();
    }
  }, 60_000);

  it('survives SIGKILL of an api with events queued and running: every event runs, none again after its success', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 12; n++) {
      const r = await fetch(`${apiA.base}/v1/functions/slow/invoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'x-tally-invocation-type': 'Event' },
        body: JSON.stringify({ n }),
      });
      expect(r.status).toBe(202);
      ids.push(((await r.json()) as { requestId: string }).requestId);
    }
    await until('A runs some', async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from async_invocations where status = 'running'`.execute(db.db);
      return rows[0]!.n > 0;
    });
    // A marks an event running before it forwards it; let the forward reach the executor (each run
    // takes 800 ms), so that A dies with runs in progress that will be metered and run again.
    await new Promise((r) => setTimeout(r, 400));
    apiA.child.kill('SIGKILL');
    await apiA.exited;
    apiA = await startApi({ ...env(), PORT: String(portA) });

    await until(
      'every event succeeded',
      async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from async_invocations where id = any(${ids}::uuid[]) and status = 'succeeded'`.execute(db.db);
        return rows[0]!.n === 12;
      },
      45_000,
    );
    // No attempt was claimed after its event's success was recorded.
    const late = await sql<{ n: number }>`
      select count(*)::int as n from async_attempts t join async_invocations i on i.account_id = t.account_id and i.id = t.request_id
       where i.id = any(${ids}::uuid[]) and t.claimed_at > i.finished_at`.execute(db.db);
    expect(late.rows[0]!.n).toBe(0);
    // Every run is metered under one of its event's attempts; each event ran at least once.
    const runs = await until(
      'usage of every run',
      async () => {
        const { rows } = await sql<{ request_id: string; runs: number }>`
          select t.request_id, count(u.invocation_id)::int as runs
            from async_attempts t left join usage_events u on u.account_id = t.account_id and u.invocation_id = t.invocation_id
           where t.request_id = any(${ids}::uuid[]) group by t.request_id`.execute(db.db);
        // The events A was running when it died ran again elsewhere (their success was never
        // recorded). Waited for too: the usage of a run whose api died reaches the api after the
        // executor's reporter retried, often after the usage of the run that replaced it.
        return rows.length === 12 && rows.every((r) => r.runs >= 1) && rows.some((r) => r.runs >= 2) ? rows : null;
      },
      20_000,
    );
    expect(runs).toHaveLength(12);
    expect(runs.some((r) => r.runs >= 2)).toBe(true);
  }, 120_000);
});
