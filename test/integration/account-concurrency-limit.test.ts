import { GetAccountSettingsCommand } from '@aws-sdk/client-lambda';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFunctionsRepository, type FunctionTables } from '../../src/modules/functions/functions.repository.js';
import { ADMIN_KEY, admin, bearer, newTenant } from '../helpers/app.js';
import { injectDeploy } from '../helpers/functions.js';
import { useHoldingExecutor } from '../helpers/holding-executor.js';
import { lambdaClientFor } from '../helpers/lambda.js';
import { useReplicas } from '../helpers/replicas.js';

// An operator's concurrency limit for one account (Lambda's quota raise, or a lower limit), in place of
// the deployment's default (TALLY_ACCOUNT_CONCURRENCY, 4 here). TALLY_UNRESERVED_CONCURRENCY_MIN is not
// set, so the minimum reservations must leave follows each account's limit (a tenth of it). Two replicas
// on one database, and a fake executor that holds every invocation until released, so that "admitted"
// and "refused" are both observable.
const t = useReplicas(2, {
  functions: { accountConcurrency: 4, executors: { refreshMs: 100 } },
  concurrency: { renewMs: 100, leaseTtlMs: 3_000 },
});
const app = (i = 0) => t.replicas[i]!.app;
const { held, releaseAll, waitHeld } = useHoldingExecutor(() => app(0));

let base = '';
beforeAll(async () => {
  // Replica 0 also listens, for the AWS SDK.
  await app(0).listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app(0).server.address() as { port: number }).port}`;
});
afterAll(() => releaseAll());

const setLimit = (accountId: string, limit: unknown, opts: { key?: string; reason?: string; replica?: number } = {}) =>
  app(opts.replica).inject({
    method: 'PUT',
    url: `/v1/accounts/${accountId}/concurrency-limit`,
    headers: bearer(opts.key ?? ADMIN_KEY),
    payload: { limit, reason: opts.reason ?? 'quota raise, ticket 42' },
  });

const deploy = (key: string, name: string, settings: Record<string, unknown> = {}) => injectDeploy(app(), key, name, settings);

/** A new account with one function, `f`, and a way to invoke it through either replica. */
async function tenantWithFunction(settings: Record<string, unknown> = {}) {
  const tenant = await newTenant(app());
  await deploy(tenant.accountKey, 'f', settings);
  const invoke = (replica = 0) =>
    app(replica).inject({ method: 'POST', url: '/v1/functions/f/invoke', headers: bearer(tenant.accountKey), payload: {} });
  return { tenant, invoke };
}

const reserve = (key: string, name: string, reservedConcurrency: number | null, replica = 0) =>
  app(replica).inject({
    method: 'PATCH',
    url: `/v1/functions/${name}/configuration`,
    headers: bearer(key),
    payload: { reservedConcurrency },
  });

const figures = async (key: string, replica = 0) =>
  (await app(replica).inject({ method: 'GET', url: '/v1/concurrency', headers: bearer(key) })).json();

const auditOf = async (accountId: string) =>
  (
    await app().inject({
      method: 'GET',
      url: `/v1/audit?accountId=${accountId}&action=account.concurrency_limit_changed`,
      headers: admin,
    })
  ).json().entries as Record<string, unknown>[];

/** Runs `count` invocations, waits until the executor holds them all, and answers them at the end. */
async function fill(invoke: () => Promise<{ statusCode: number }>, count: number) {
  const before = held.length;
  const running = Array.from({ length: count }, () => invoke());
  await waitHeld(before + count);
  return running;
}

describe("an account's own concurrency limit", () => {
  beforeEach(async () => {
    releaseAll();
    await waitHeld(0);
  });

  it('admits more than the default and refuses past its own, while another account keeps the default', async () => {
    const raised = await tenantWithFunction();
    const plain = await tenantWithFunction();
    const set = await setLimit(raised.tenant.id, 6);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ id: raised.tenant.id, concurrencyLimit: 6 });

    const running = [...(await fill(raised.invoke, 6)), ...(await fill(plain.invoke, 4))];
    const over = await raised.invoke();
    expect(over.statusCode).toBe(429);
    expect(over.json().error).toMatchObject({ code: 'TOO_MANY_REQUESTS', details: { reason: 'account_concurrency' } });
    expect(over.json().error.message).toContain('its limit is 6');
    const plainOver = await plain.invoke();
    expect(plainOver.statusCode).toBe(429);
    expect(plainOver.json().error.message).toContain('its limit is 4');
    releaseAll();
    for (const r of await Promise.all(running)) expect(r.statusCode).toBe(200);

    expect(await figures(raised.tenant.accountKey)).toEqual({ limit: 6, reserved: 0, unreserved: 6, minUnreserved: 0 });
    expect(await figures(plain.tenant.accountKey)).toEqual({ limit: 4, reserved: 0, unreserved: 4, minUnreserved: 0 });
  });

  it('lets a reservation larger than the default run to its size under the account limit', async () => {
    const tenant = await newTenant(app());
    expect((await setLimit(tenant.id, 10)).statusCode).toBe(200);
    await deploy(tenant.accountKey, 'f', { reservedConcurrency: 5 });
    const invoke = () => app().inject({ method: 'POST', url: '/v1/functions/f/invoke', headers: bearer(tenant.accountKey), payload: {} });
    const running = await fill(invoke, 5);
    const over = await invoke();
    expect(over.statusCode).toBe(429);
    expect(over.json().error.details).toMatchObject({ reason: 'reserved_concurrency' });
    releaseAll();
    for (const r of await Promise.all(running)) expect(r.statusCode).toBe(200);
  });

  it('can be lower than the default, and cleared back to it', async () => {
    const { tenant, invoke } = await tenantWithFunction();
    expect((await setLimit(tenant.id, 2)).statusCode).toBe(200);
    const running = await fill(invoke, 2);
    const over = await invoke();
    expect(over.statusCode).toBe(429);
    expect(over.json().error.message).toContain('its limit is 2');
    releaseAll();
    await Promise.all(running);

    const cleared = await setLimit(tenant.id, null, { reason: 'back to the default' });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json().concurrencyLimit).toBeNull();
    expect((await figures(tenant.accountKey)).limit).toBe(4);
    const again = await fill(invoke, 4);
    expect((await invoke()).statusCode).toBe(429);
    releaseAll();
    await Promise.all(again);
  });

  it("shows in the account's GET, to an admin and to the account's own key", async () => {
    const { tenant } = await tenantWithFunction();
    const other = await newTenant(app());
    expect((await setLimit(tenant.id, 25)).statusCode).toBe(200);
    for (const key of [ADMIN_KEY, tenant.accountKey]) {
      const r = await app().inject({ method: 'GET', url: `/v1/accounts/${tenant.id}`, headers: bearer(key) });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ id: tenant.id, concurrencyLimit: 25 });
    }
    const shown = await app().inject({ method: 'GET', url: `/v1/accounts/${other.id}`, headers: bearer(other.accountKey) });
    expect(shown.json()).toMatchObject({ id: other.id, concurrencyLimit: null });
    // Another tenant's key still cannot read it.
    const foreign = await app().inject({ method: 'GET', url: `/v1/accounts/${tenant.id}`, headers: bearer(other.accountKey) });
    expect(foreign.statusCode).toBe(404);
  });

  it('reaches the other replica within the cache lifetime, and admits there by it', async () => {
    const { tenant, invoke } = await tenantWithFunction();
    // Replica 1 caches the default first.
    expect((await figures(tenant.accountKey, 1)).limit).toBe(4);
    expect((await setLimit(tenant.id, 7, { replica: 0 })).statusCode).toBe(200);
    // At once on the replica that made the change; within the cache's 2 s on the other.
    expect((await figures(tenant.accountKey, 0)).limit).toBe(7);
    await expect.poll(async () => (await figures(tenant.accountKey, 1)).limit, { timeout: 3_000, interval: 100 }).toBe(7);
    const running = await fill(() => invoke(1), 7);
    const over = await invoke(1);
    expect(over.statusCode).toBe(429);
    expect(over.json().error.message).toContain('its limit is 7');
    releaseAll();
    for (const r of await Promise.all(running)) expect(r.statusCode).toBe(200);
  });

  it("refuses a limit below the reservations plus the minimum, naming the figures, and writes nothing; reservations use the account's limit", async () => {
    const tenant = await newTenant(app());
    expect((await setLimit(tenant.id, 20)).statusCode).toBe(200);
    // 15 of 20 leaves 5, over the minimum of 2 (a tenth of 20): refused under the default of 4, allowed under 20.
    await deploy(tenant.accountKey, 'r', { reservedConcurrency: 15 });
    await deploy(tenant.accountKey, 'other');

    const lowered = await setLimit(tenant.id, 15);
    expect(lowered.statusCode).toBe(400);
    expect(lowered.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message:
        "limit: 15 would leave the account's unreserved concurrency at 0, below its minimum of 1 (its functions reserve 15); " +
        'at least 16 is needed here, or lower the reservations first',
      details: [{ field: 'limit', message: 'at least 16' }],
    });
    const cleared = await setLimit(tenant.id, null);
    expect(cleared.statusCode).toBe(400);
    expect(cleared.json().error.message).toContain("limit: null (the deployment's default of 4) would leave");
    expect(cleared.json().error.message).toContain('at least 16 is needed here');
    const account = await app().inject({ method: 'GET', url: `/v1/accounts/${tenant.id}`, headers: admin });
    expect(account.json().concurrencyLimit).toBe(20);
    expect(await auditOf(tenant.id)).toHaveLength(1);

    // As low as the rule allows: 16 - 15 leaves 1, the minimum under 16.
    expect((await setLimit(tenant.id, 16)).statusCode).toBe(200);
    expect(await figures(tenant.accountKey)).toEqual({ limit: 16, reserved: 15, unreserved: 1, minUnreserved: 1 });
    // A reservation is checked against the account's own limit too.
    const more = await reserve(tenant.accountKey, 'other', 1);
    expect(more.statusCode).toBe(400);
    expect(more.json().error.message).toContain(
      "(the account's limit is 16; its other functions reserve 15); at most 0 can be reserved here",
    );
    // Lowering the reservation first makes room.
    expect((await reserve(tenant.accountKey, 'r', 5)).statusCode).toBe(200);
    expect((await setLimit(tenant.id, 6)).statusCode).toBe(200);
  });

  describe('a reservation and a limit change at the same moment cannot together break the rule', () => {
    /** Holds the account's reservation lock in a transaction of the test's own until `release` is called. */
    async function holdReservationLock(accountId: string) {
      const repo = createFunctionsRepository(t.db.db);
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const done = t.db.db.transaction().execute(async (tx) => {
        await repo.lockReservations(tx.withTables<FunctionTables>(), accountId);
        locked();
        await released;
      });
      await isLocked;
      return { release, done };
    }

    /** Sessions waiting for an advisory lock (a request queued behind the test's lock). */
    const waiting = async () =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from pg_locks where locktype = 'advisory' and not granted`.execute(t.db.db)).rows[0]!
          .n,
      );

    // 17 of 20 is allowed (it leaves 3, the minimum is 2), and so is a limit of 10 with nothing reserved;
    // both at once would leave nothing. Each waits for the lock the other holds, and sees it after.
    it('a limit change queued behind a reservation sees the reservation, and is refused', async () => {
      const tenant = await newTenant(app());
      expect((await setLimit(tenant.id, 20)).statusCode).toBe(200);
      await deploy(tenant.accountKey, 'f');
      const lock = await holdReservationLock(tenant.id);
      const reservation = reserve(tenant.accountKey, 'f', 17, 0);
      await expect.poll(waiting, { timeout: 3_000, interval: 20 }).toBe(1);
      const change = setLimit(tenant.id, 10, { replica: 1 });
      await expect.poll(waiting, { timeout: 3_000, interval: 20 }).toBe(2);
      lock.release();
      await lock.done;
      const [r, c] = await Promise.all([reservation, change]);
      expect(r.statusCode, r.body).toBe(200);
      expect(c.statusCode).toBe(400);
      expect(c.json().error.message).toContain('(its functions reserve 17)');
      expect(await figures(tenant.accountKey)).toEqual({ limit: 20, reserved: 17, unreserved: 3, minUnreserved: 2 });
    });

    it('a reservation queued behind a limit change sees the new limit, and is refused', async () => {
      const tenant = await newTenant(app());
      expect((await setLimit(tenant.id, 20)).statusCode).toBe(200);
      await deploy(tenant.accountKey, 'f');
      const lock = await holdReservationLock(tenant.id);
      const change = setLimit(tenant.id, 10, { replica: 1 });
      await expect.poll(waiting, { timeout: 3_000, interval: 20 }).toBe(1);
      const reservation = reserve(tenant.accountKey, 'f', 17, 0);
      await expect.poll(waiting, { timeout: 3_000, interval: 20 }).toBe(2);
      lock.release();
      await lock.done;
      const [c, r] = await Promise.all([change, reservation]);
      expect(c.statusCode, c.body).toBe(200);
      expect(r.statusCode).toBe(400);
      expect(r.json().error.message).toContain("the account's limit is 10");
      expect(await figures(tenant.accountKey)).toEqual({ limit: 10, reserved: 0, unreserved: 10, minUnreserved: 1 });
    });
  });

  it('only an admin can set it; bad input is a 400 and an unknown account a 404', async () => {
    const tenant = await newTenant(app());
    for (const key of [tenant.accountKey, tenant.executorKey]) {
      const r = await setLimit(tenant.id, 5000, { key });
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
    }
    for (const limit of [0, -1, 1_000_001, 2.5, '10', undefined]) {
      const r = await setLimit(tenant.id, limit);
      expect(r.statusCode, `limit ${String(limit)}`).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
    }
    const noReason = await app().inject({
      method: 'PUT',
      url: `/v1/accounts/${tenant.id}/concurrency-limit`,
      headers: admin,
      payload: { limit: 10 },
    });
    expect(noReason.statusCode).toBe(400);
    const unknown = await setLimit('0e5c3b1a-7f0d-4d52-8a4e-2c1b9f6e3d70', 10);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('ACCOUNT_NOT_FOUND');
    const account = await app().inject({ method: 'GET', url: `/v1/accounts/${tenant.id}`, headers: admin });
    expect(account.json().concurrencyLimit).toBeNull();
    expect(await auditOf(tenant.id)).toEqual([]);
  });

  it('writes an audit entry for each change, with who, why, from and to; setting the same value writes none', async () => {
    const tenant = await newTenant(app());
    expect((await setLimit(tenant.id, 3000, { reason: 'contract, ticket 7' })).statusCode).toBe(200);
    expect((await setLimit(tenant.id, 3000, { reason: 'again' })).statusCode).toBe(200);
    expect((await setLimit(tenant.id, null, { reason: 'contract ended' })).statusCode).toBe(200);
    expect(await auditOf(tenant.id)).toEqual([
      expect.objectContaining({
        actor: 'admin:env',
        action: 'account.concurrency_limit_changed',
        accountId: tenant.id,
        subject: tenant.id,
        reason: 'contract ended',
        details: { from: 3000, to: null, defaultLimit: 4 },
      }),
      expect.objectContaining({
        action: 'account.concurrency_limit_changed',
        reason: 'contract, ticket 7',
        details: { from: null, to: 3000, defaultLimit: 4 },
      }),
    ]);
  });

  it('the database holds the range', async () => {
    const tenant = await newTenant(app());
    for (const bad of [0, 1_000_001]) {
      await expect(t.db.db.updateTable('accounts').set({ concurrency_limit: bad }).where('id', '=', tenant.id).execute()).rejects.toThrow(
        /accounts_concurrency_limit_check/,
      );
    }
  });

  it("GetAccountSettings answers the figures of the account's own limit", async () => {
    const tenant = await newTenant(app());
    expect((await setLimit(tenant.id, 30)).statusCode).toBe(200);
    await deploy(tenant.accountKey, 'r', { reservedConcurrency: 5 });
    expect(await figures(tenant.accountKey)).toEqual({ limit: 30, reserved: 5, unreserved: 25, minUnreserved: 3 });
    const lambda = await lambdaClientFor(app(0), base, tenant.id);
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 30, UnreservedConcurrentExecutions: 25 });
    lambda.destroy();
  });
});
