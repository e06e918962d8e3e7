import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTestDir } from '../helpers/cleanup.js';
import { clusterAvailable, startCluster, type Cluster } from '../helpers/pg-cluster.js';
import { callApi, startApi, type ApiProcess } from '../helpers/process.js';

const ADMIN_KEY = 'outage_admin_key_0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    const v = await probe().catch(() => null);
    if (v) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The api on a Postgres cluster of its own, which the test crashes (`pg_ctl stop -m immediate`) and
 * starts again while usage flows in: the process must survive, answer 503 (our error shape, retryable)
 * while the database is away, say not ready, serve again by itself, and stop on SIGTERM in bounded
 * time even with the database down.
 */
describe.skipIf(!clusterAvailable())('the api across a Postgres crash', () => {
  let cluster: Cluster;
  let api: ApiProcess;

  beforeAll(async () => {
    cluster = await startCluster();
    api = await startApi({ DATABASE_URL: cluster.url(), TALLY_ADMIN_KEY: ADMIN_KEY, TALLY_EXECUTOR: 'off', TALLY_SHUTDOWN_TIMEOUT_S: '8' });
  }, 120_000);

  afterAll(async () => {
    if (api && api.child.exitCode === null) api.child.kill('SIGKILL');
    await cluster?.destroy();
  });

  it('runs as its own least-privileged login, not as the owner it migrates with', async () => {
    await callApi(api.base, null, 'GET', '/readyz');
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    try {
      const { rows } = await admin.query(`select distinct usename from pg_stat_activity where application_name = 'tally'`);
      expect(rows).toEqual([{ usename: 'tally_api' }]);
      const member = await admin.query(
        `select pg_has_role('tally_api', 'tally_app', 'member') as m, rolsuper from pg_roles where rolname = 'tally_api'`,
      );
      expect(member.rows).toEqual([{ m: true, rolsuper: false }]);
    } finally {
      await admin.end();
    }
  });

  it('survives, answers 503 meanwhile, serves again, and loses or doubles no usage', async () => {
    const account = await callApi(api.base, ADMIN_KEY, 'POST', '/v1/accounts', { name: 'outage' });
    expect(account.status).toBe(201);
    const key = async (role: string) =>
      (await callApi(api.base, ADMIN_KEY, 'POST', `/v1/accounts/${account.json.id}/keys`, { role })).json.key as string;
    const executorKey = await key('executor');
    const readerKey = await key('account');
    const startedAt = new Date().toISOString();
    const batch = () =>
      Array.from({ length: 50 }, () => ({
        invocationId: randomUUID(),
        accountId: account.json.id,
        functionId: 'f',
        architecture: 'x86_64',
        memoryMb: 128,
        durationMs: 10,
        startedAt,
        status: 'success',
      }));

    // Usage flows in from several senders until told to stop; every answer is kept.
    const answers: { status: number; json: any; retryAfter: string | null; events: unknown[] }[] = [];
    const transportErrors: string[] = [];
    let flowing = true;
    const sender = async () => {
      while (flowing) {
        const events = batch();
        try {
          const r = await callApi(api.base, executorKey, 'POST', '/v1/usage', { events });
          answers.push({ status: r.status, json: r.json, retryAfter: r.headers.get('retry-after'), events });
        } catch (err) {
          transportErrors.push(String(err));
        }
        await sleep(20);
      }
    };
    const senders = [sender(), sender(), sender()];
    await until('usage accepted', async () => answers.filter((a) => a.status === 200).length >= 5);

    await cluster.stopImmediately();
    const outageFrom = answers.length;
    await until('503 answers', async () => answers.slice(outageFrom).filter((a) => a.status === 503).length >= 3).catch((err) => {
      throw new Error(
        `${err.message}: answers ${JSON.stringify(answers.slice(outageFrom).map((a) => a.status))}, transport errors ${transportErrors.slice(0, 3).join('; ')}, api exit ${api.child.exitCode}: ${api.output().slice(-1500)}`,
      );
    });
    const ready = await callApi(api.base, null, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json.status).toBe('not ready');
    expect((await callApi(api.base, null, 'GET', '/healthz')).status).toBe(200);
    const metrics = await callApi(api.base, null, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^tally_database_up 0$/m);
    expect(api.child.exitCode).toBeNull();

    await sleep(1500);
    await cluster.start();
    await until('ready again', async () => (await callApi(api.base, null, 'GET', '/readyz')).status === 200);
    const backFrom = answers.length;
    await until('usage accepted again', async () => answers.slice(backFrom).filter((a) => a.status === 200).length >= 5);
    flowing = false;
    await Promise.all(senders);

    expect(transportErrors).toEqual([]);
    expect(api.child.exitCode).toBeNull();
    const unavailable = answers.filter((a) => a.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const a of unavailable) {
      expect(a.json.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.any(String), requestId: expect.any(String) });
      expect(a.retryAfter).toMatch(/^\d+$/);
    }
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200, 503]));

    // A caller retries what got a 503: whether or not it had been committed, it is then counted once.
    for (const a of unavailable) {
      const again = await callApi(api.base, executorKey, 'POST', '/v1/usage', { events: a.events });
      expect(again.status).toBe(200);
    }
    const usage = await callApi(api.base, readerKey, 'GET', '/v1/usage?granularity=month');
    expect(usage.status).toBe(200);
    expect(usage.json.totals.requests).toBe(answers.length * 50);
  }, 120_000);

  it('stops on SIGTERM within its grace period while the database is down', async () => {
    await cluster.stopImmediately();
    await until('not ready', async () => (await callApi(api.base, null, 'GET', '/readyz')).status === 503);
    // Requests in flight against the dead database when the signal comes.
    const inFlight = Array.from({ length: 5 }, () => callApi(api.base, ADMIN_KEY, 'GET', '/v1/accounts').catch(() => null));
    const { code, ms } = await api.terminate();
    await Promise.all(inFlight);
    expect(ms).toBeLessThan(10_000);
    expect(code).toBe(0);
  }, 60_000);

  it('stops within its grace period when the database hangs in the middle of queries', async () => {
    await cluster.start();
    const proxy = await freezingProxy(cluster.port);
    const stuck = await startApi({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`,
      TALLY_ADMIN_KEY: ADMIN_KEY,
      TALLY_EXECUTOR: 'off',
      TALLY_SHUTDOWN_TIMEOUT_S: '4',
    });
    try {
      // Warm the pool, then freeze: queries sent on those connections never get an answer.
      await Promise.all(Array.from({ length: 8 }, () => callApi(stuck.base, ADMIN_KEY, 'GET', '/v1/accounts')));
      proxy.freeze();
      const hanging = Array.from({ length: 8 }, () => callApi(stuck.base, ADMIN_KEY, 'GET', '/v1/accounts').catch(() => null));
      await sleep(500);
      const { ms } = await stuck.terminate();
      await Promise.all(hanging);
      expect(ms).toBeLessThan(5_500);
    } finally {
      if (stuck.child.exitCode === null) stuck.child.kill('SIGKILL');
      proxy.close();
    }
  }, 60_000);
});

describe('npm start when its embedded Postgres dies', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-embedded-crash-'));
  afterAll(() => removeTestDir(dataDir));

  it('starts it again, answering 503 meanwhile, and still stops cleanly', async () => {
    const api = await startApi({ DATABASE_URL: undefined, TALLY_DATA_DIR: dataDir, TALLY_ADMIN_KEY: ADMIN_KEY, TALLY_EXECUTOR: 'off' });
    try {
      expect((await callApi(api.base, ADMIN_KEY, 'POST', '/v1/accounts', { name: 'before' })).status).toBe(201);
      const postmaster = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(postmaster, 'SIGKILL');
      await until('a 503', async () => (await callApi(api.base, ADMIN_KEY, 'GET', '/v1/accounts')).status === 503, 10_000);
      await until('the database back', async () => (await callApi(api.base, null, 'GET', '/readyz')).status === 200, 60_000);
      const after = await callApi(api.base, ADMIN_KEY, 'POST', '/v1/accounts', { name: 'after' });
      expect(after.status).toBe(201);
      const names = (await callApi(api.base, ADMIN_KEY, 'GET', '/v1/accounts')).json.accounts.map((a: { name: string }) => a.name);
      expect(names).toEqual(expect.arrayContaining(['before', 'after']));
      expect(api.output()).toContain('the embedded Postgres stopped unexpectedly');
    } finally {
      const { code } = await api.terminate();
      expect(code).toBe(0);
    }
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 120_000);
});

/** A TCP proxy to Postgres that can freeze: connections stay open, but nothing passes any more. */
async function freezingProxy(target: number) {
  const sockets: Socket[] = [];
  let frozen = false;
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.push(client, upstream);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('data', (d) => {
        if (!frozen) to.write(d);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
