import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { createDb, type Db } from '../../src/db/database.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { ADMIN_KEY, admin, bearer, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';
import { b64, makeZip } from '../helpers/functions.js';
import { clusterAvailable, startCluster } from '../helpers/pg-cluster.js';
import { callApi, startApi, type ApiProcess } from '../helpers/process.js';

const run = promisify(execFile);
// The secret key travels with the backup (docs/operations.md): sealed values in the dump open with it only.
const SECRET_KEY = randomBytes(32);
const secretBox = createSecretBox(SECRET_KEY);
const t = useTestApp('2026-11-15T12:00:00.000Z', { secretBox });

/** pg_dump and pg_restore refuse a server newer than themselves (the embedded Postgres is 18); none installed: skipped. */
async function toolsFitServer(): Promise<boolean> {
  const version = await run('pg_dump', ['--version']).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (version === null) return false;
  const tool = Number(/(\d+)\./.exec(version.stdout)![1]);
  const c = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await c.connect();
  try {
    return tool >= Math.floor(Number((await c.query('show server_version_num')).rows[0].server_version_num) / 10_000);
  } finally {
    await c.end();
  }
}
const fits = await toolsFitServer();

const withUser = (url: string, user: string, password: string) => {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
};

/** The recipe of docs/operations.md, "Backup and restore", step by step. */
async function dump(ownerUrl: string, file: string) {
  await run('pg_dump', ['--format=custom', `--file=${file}`, ownerUrl], { timeout: 120_000 });
}
async function restore(file: string, targetOwnerUrl: string) {
  await run('pg_restore', ['--exit-on-error', '--single-transaction', '--no-owner', `--dbname=${targetOwnerUrl}`, file], {
    timeout: 120_000,
  });
}

describe.skipIf(!fits)('backup and restore (pg_dump / pg_restore)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-backup-'));
  // Named like the run's other databases, so that the run's teardown drops it whatever happens here.
  const restoredName = `tally_t_${inject('pgRunId')}_restored_${randomUUID().slice(0, 8)}`;
  let restoredOwnerUrl: string;
  let restoredDb: Db;
  let restored: App;
  const tenants: Awaited<ReturnType<typeof newTenant>>[] = [];
  const BATCH = 25;
  let acceptedBeforeDump = 0;
  let acceptedAfterDump = 0;

  beforeAll(async () => {
    // A Tally with usage over two months, finalized and voided invoices, functions with versions, budgets.
    for (let i = 0; i < 3; i++) tenants.push(await newTenant(t.app));
    for (const [i, a] of tenants.entries()) {
      const events = Array.from({ length: 10 + i }, (_, n) =>
        usageEvent(a.id, { startedAt: `2026-10-${String(10 + n).padStart(2, '0')}T08:00:00.000Z`, memoryMb: 1024, durationMs: 1234.5 }),
      );
      expect((await postUsage(t.app, a.executorKey, events)).statusCode).toBe(200);
      const zip = makeZip([{ name: 'index.js', data: `exports.handler = async () => ${i};\n` }]);
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/functions',
        headers: bearer(a.accountKey),
        payload: { name: `fn-${i}`, runtime: 'nodejs', zipFile: b64(zip), memoryMb: 256 },
      });
      expect(created.statusCode).toBe(201);
      await t.app.inject({
        method: 'PATCH',
        url: `/v1/functions/fn-${i}/configuration`,
        headers: bearer(a.accountKey),
        payload: { memoryMb: 512 },
      });
      await t.app.inject({ method: 'POST', url: '/v1/budgets', headers: bearer(a.accountKey), payload: { amount: '10.00' } });
    }
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/invoices/run', headers: admin, payload: { period: '2026-10' } })).statusCode,
    ).toBe(200);
    const [first] = (
      await t.app.inject({ method: 'GET', url: '/v1/invoices?period=2026-10', headers: { ...admin, 'x-account-id': tenants[0]!.id } })
    ).json().invoices;
    await t.app.inject({ method: 'POST', url: `/v1/invoices/${first.id}/void`, headers: admin, payload: { reason: 'test' } });
    await t.app.inject({ method: 'POST', url: '/v1/invoices/run', headers: admin, payload: { period: '2026-10' } });

    // Usage keeps flowing in while the dump runs.
    let writing = true;
    let dumping = false;
    const writer = (async () => {
      while (writing) {
        const a = tenants[acceptedAfterDump % tenants.length]!;
        const r = await postUsage(
          t.app,
          a.executorKey,
          Array.from({ length: BATCH }, () => usageEvent(a.id, { startedAt: '2026-11-14T09:30:00.000Z' })),
        );
        expect(r.statusCode).toBe(200);
        if (!dumping) acceptedBeforeDump += 1;
        acceptedAfterDump += 1;
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    dumping = true;
    await dump(t.db.ownerUrl, join(dir, 'tally.dump'));
    writing = false;
    await writer;

    // A new database (here on the same server: the roles exist already), restored as its owner.
    const adminClient = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await adminClient.connect();
    await adminClient.query(`create database ${restoredName}`);
    await adminClient.end();
    const target = new URL(inject('pgAdminUrl'));
    target.pathname = `/${restoredName}`;
    restoredOwnerUrl = target.toString();
    await restore(join(dir, 'tally.dump'), restoredOwnerUrl);

    // A fresh app on it, as the api's own role.
    restoredDb = createDb(withUser(restoredOwnerUrl, inject('pgAppUser'), inject('pgAppPassword')), 5);
    restored = await buildApp({
      db: restoredDb,
      clock: fixedClock('2026-11-15T12:00:00.000Z'),
      logger: silentLogger(),
      adminKey: ADMIN_KEY,
      expectedMigrations: 0,
      secretBox,
    });
    await restored.ready();
  }, 180_000);

  afterAll(async () => {
    await restored?.close();
    await restoredDb?.destroy();
    const c = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await c.connect();
    await c.query(`drop database if exists ${restoredName} with (force)`).finally(() => c.end());
    rmSync(dir, { recursive: true, force: true });
  });

  const both = async (method: 'GET', url: string, headers: Record<string, string>) => {
    const [a, b] = await Promise.all([t.app.inject({ method, url, headers }), restored.inject({ method, url, headers })]);
    expect(b.statusCode, url).toBe(a.statusCode);
    return [a, b] as const;
  };

  it('serves the same invoices, lines and renderings, and the same audit log', async () => {
    const [a, b] = await both('GET', '/v1/invoices?period=2026-10', admin);
    expect(a.json().invoices.length).toBe(4); // three finalized, one void
    expect(b.json()).toEqual(a.json());
    for (const inv of a.json().invoices as { id: string }[]) {
      const [ja, jb] = await both('GET', `/v1/invoices/${inv.id}`, admin);
      expect(jb.json()).toEqual(ja.json());
      const [ca, cb] = await both('GET', `/v1/invoices/${inv.id}`, { ...admin, accept: 'text/csv' });
      expect(cb.body).toBe(ca.body);
    }
    const [aa, ab] = await both('GET', '/v1/audit?limit=100', admin);
    expect(ab.json()).toEqual(aa.json());
  });

  it('serves the same functions, versions and prices', async () => {
    for (const [i, tenant] of tenants.entries()) {
      const key = bearer(tenant.accountKey);
      expect((await both('GET', '/v1/functions', key)).map((r) => r.json())).toEqual(
        Array(2).fill((await t.app.inject({ method: 'GET', url: '/v1/functions', headers: key })).json()),
      );
      const [va, vb] = await both('GET', `/v1/functions/fn-${i}/versions`, key);
      expect(va.json().versions).toHaveLength(2);
      expect(vb.json()).toEqual(va.json());
    }
    const [pa, pb] = await both('GET', '/v1/prices', admin);
    expect(pb.json()).toEqual(pa.json());
  });

  it('holds a consistent snapshot of the usage taken while it was written', async () => {
    for (const tenant of tenants) {
      const [oa, ob] = await both(
        'GET',
        '/v1/usage?granularity=month&from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z',
        bearer(tenant.accountKey),
      );
      expect(ob.json()).toEqual(oa.json());
    }
    // November: whole batches only, at least those acknowledged before the dump began, at most all of them.
    let restoredNovember = 0;
    for (const tenant of tenants) {
      const r = await restored.inject({
        method: 'GET',
        url: '/v1/usage?granularity=month&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
        headers: bearer(tenant.accountKey),
      });
      restoredNovember += r.json().totals.requests as number;
    }
    expect(acceptedBeforeDump).toBeGreaterThan(0);
    expect(acceptedAfterDump).toBeGreaterThan(acceptedBeforeDump); // it was written while being dumped
    expect(restoredNovember % BATCH).toBe(0);
    expect(restoredNovember).toBeGreaterThanOrEqual(acceptedBeforeDump * BATCH);
    expect(restoredNovember).toBeLessThanOrEqual(acceptedAfterDump * BATCH);
    // Raw events, the exactly-once keys and the rollups agree with one another.
    const { rows } = await sql<{ events: string; dedup: string; hourly: string; monthly: string }>`
      select (select count(*) from usage_events)::text as events, (select count(distinct (account_id, invocation_id)) from usage_events)::text as dedup,
             (select sum(requests) from usage_hourly)::text as hourly, (select sum(requests) from usage_monthly)::text as monthly`.execute(
      restoredDb,
    );
    expect(new Set(Object.values(rows[0]!))).toEqual(new Set([rows[0]!.events]));
  });

  it('goes on working: duplicates are still caught, new months partitioned, finalized invoices immutable, audit ids fresh', async () => {
    const tenant = tenants[1]!;
    const fresh = [usageEvent(tenant.id, { startedAt: '2026-08-08T08:00:00.000Z' })];
    expect((await postUsage(restored, tenant.executorKey, fresh)).json()).toMatchObject({ accepted: 1 });
    expect((await postUsage(restored, tenant.executorKey, fresh)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const run = await restored.inject({ method: 'POST', url: '/v1/invoices/run', headers: admin, payload: { period: '2026-10' } });
    expect(run.json()).toMatchObject({ finalized: 0 });
    const [inv] = (
      await restored.inject({
        method: 'GET',
        url: '/v1/invoices?period=2026-10&status=finalized',
        headers: { ...admin, 'x-account-id': tenant.id },
      })
    ).json().invoices;
    await expect(sql`update invoices set total = 0 where id = ${inv.id}`.execute(restoredDb)).rejects.toThrow(/finalized/);
    await expect(sql`delete from audit_log`.execute(restoredDb)).rejects.toThrow(/permission denied/);
    const voided = await restored.inject({
      method: 'POST',
      url: `/v1/invoices/${inv.id}/void`,
      headers: admin,
      payload: { reason: 'after restore' },
    });
    expect(voided.statusCode).toBe(200);
    const audit = (await restored.inject({ method: 'GET', url: '/v1/audit?limit=1', headers: admin })).json().entries;
    expect(audit[0]).toMatchObject({ action: 'invoice.voided', reason: 'after restore' });
  });

  it.skipIf(!clusterAvailable())(
    'restores onto a new server (roles first), where a fresh api process serves the same invoices',
    async () => {
      const cluster = await startCluster();
      let api: ApiProcess | null = null;
      try {
        // On a new server the roles come first: they live outside any database.
        const c = new pg.Client({ connectionString: cluster.url() });
        await c.connect();
        await c.query('create role tally_app nologin');
        await c.query('create database tally');
        await c.end();
        await restore(join(dir, 'tally.dump'), cluster.url('tally'));
        api = await startApi({
          DATABASE_URL: cluster.url('tally'),
          TALLY_ADMIN_KEY: ADMIN_KEY,
          TALLY_EXECUTOR: 'off',
          TALLY_SECRET_KEY: SECRET_KEY.toString('base64'),
        });
        const source = await t.app.inject({ method: 'GET', url: '/v1/invoices?period=2026-10', headers: admin });
        const answer = await callApi(api.base, ADMIN_KEY, 'GET', '/v1/invoices?period=2026-10');
        expect(answer.status).toBe(200);
        expect(answer.json).toEqual(source.json());
        const key = tenants[2]!.accountKey;
        expect((await callApi(api.base, key, 'GET', '/v1/functions/fn-2')).json).toEqual(
          (await t.app.inject({ method: 'GET', url: '/v1/functions/fn-2', headers: bearer(key) })).json(),
        );
      } finally {
        if (api) expect((await api.terminate()).code).toBe(0);
        await cluster.destroy();
      }
    },
    120_000,
  );
});
