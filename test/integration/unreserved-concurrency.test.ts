import { GetAccountSettingsCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, newTenant } from '../helpers/app.js';
import { b64, makeZip, NODE_ECHO, useFunctionsApp, injectDeploy } from '../helpers/functions.js';
import { useHoldingExecutor } from '../helpers/holding-executor.js';
import { useReplicas } from '../helpers/replicas.js';
import { lambdaTenant } from '../helpers/lambda.js';

// Lambda's reserved concurrency both caps a function and guarantees it: the account's other functions
// share what reservations leave of its limit (docs/scaling.md, "Reserved concurrency"). An account
// limit of 4, of which reservations must leave at least 1, and a fake executor that holds every
// invocation until released, so that "admitted" and "refused" are both observable.
const t = useReplicas(1, {
  functions: { accountConcurrency: 4, minUnreservedConcurrency: 1, executors: { refreshMs: 100 } },
  concurrency: { renewMs: 100, leaseTtlMs: 3_000 },
});
const app = () => t.replicas[0]!.app;
// The same limits on an app that listens, for the AWS SDK.
const listening = useFunctionsApp({ functions: { accountConcurrency: 4, minUnreservedConcurrency: 1 } });
const { releaseAll, waitHeld } = useHoldingExecutor(app);

const zipFile = b64(makeZip([{ name: 'index.js', data: NODE_ECHO }]));

const deploy = (key: string, name: string, settings: Record<string, unknown> = {}) => injectDeploy(app(), key, name, settings);

const reserve = (key: string, name: string, reservedConcurrency: number | null) =>
  app().inject({ method: 'PATCH', url: `/v1/functions/${name}/configuration`, headers: bearer(key), payload: { reservedConcurrency } });

const invoke = (key: string, name: string) =>
  app().inject({ method: 'POST', url: `/v1/functions/${name}/invoke`, headers: bearer(key), payload: {} });

const latestVersion = async (key: string, name: string) =>
  (await app().inject({ method: 'GET', url: `/v1/functions/${name}`, headers: bearer(key) })).json().version as number;

describe('reserved and unreserved concurrency, as Lambda counts them', () => {
  afterEach(async () => {
    releaseAll();
    await waitHeld(0);
  });

  it('a reservation is kept for its function: the others share only what is left, and cannot take it', async () => {
    const tenant = await newTenant(app());
    await deploy(tenant.accountKey, 'reserved', { reservedConcurrency: 2 });
    await deploy(tenant.accountKey, 'other');
    // The unreserved pool is 4 - 2: the third call of another function is refused...
    const others = [invoke(tenant.accountKey, 'other'), invoke(tenant.accountKey, 'other')];
    await waitHeld(2);
    const third = await invoke(tenant.accountKey, 'other');
    expect(third.statusCode).toBe(429);
    expect(third.json().error.details).toMatchObject({ reason: 'account_concurrency' });
    expect(third.json().error.message).toContain('reserve 2');
    // ...while the reserved function still gets both of its slots, and no more.
    const mine = [invoke(tenant.accountKey, 'reserved'), invoke(tenant.accountKey, 'reserved')];
    await waitHeld(4);
    const over = await invoke(tenant.accountKey, 'reserved');
    expect(over.statusCode).toBe(429);
    expect(over.json().error.details).toMatchObject({ reason: 'reserved_concurrency' });
    releaseAll();
    for (const r of await Promise.all([...others, ...mine])) expect(r.statusCode).toBe(200);
  });

  it('refuses a reservation that would leave the other functions less than their minimum, and writes nothing', async () => {
    const tenant = await newTenant(app());
    await deploy(tenant.accountKey, 'a', { reservedConcurrency: 3 });
    await deploy(tenant.accountKey, 'b');
    const before = await latestVersion(tenant.accountKey, 'b');
    const refused = await reserve(tenant.accountKey, 'b', 1);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('VALIDATION_FAILED');
    expect(refused.json().error.message).toContain('at most 0 can be reserved here');
    expect(await latestVersion(tenant.accountKey, 'b')).toBe(before);
    const shown = await app().inject({ method: 'GET', url: '/v1/concurrency', headers: bearer(tenant.accountKey) });
    expect(shown.json()).toEqual({ limit: 4, reserved: 3, unreserved: 1, minUnreserved: 1 });
    // A creation is checked the same way.
    const created = await app().inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(tenant.accountKey),
      payload: { name: 'c', runtime: 'nodejs', zipFile, reservedConcurrency: 1 },
    });
    expect(created.statusCode).toBe(400);
    expect((await app().inject({ method: 'GET', url: '/v1/functions/c', headers: bearer(tenant.accountKey) })).statusCode).toBe(404);
    // Zero (throttled) takes nothing from the others; a lower reservation elsewhere makes room.
    expect((await reserve(tenant.accountKey, 'b', 0)).statusCode).toBe(200);
    expect((await reserve(tenant.accountKey, 'a', 2)).statusCode).toBe(200);
    expect((await reserve(tenant.accountKey, 'b', 1)).statusCode).toBe(200);
  });

  it('functions reserving at once cannot together take more than the account may give', async () => {
    const tenant = await newTenant(app());
    const names = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6'];
    for (const name of names) await deploy(tenant.accountKey, name);
    // 4 - 1 may be reserved: three of these six, whatever their order.
    const answers = await Promise.all(names.map((name) => reserve(tenant.accountKey, name, 1)));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 400, 400, 400]);
  });

  it('GetAccountSettings and PutFunctionConcurrency through the AWS SDK', async () => {
    const { tenant, lambda } = await lambdaTenant(listening.app, listening.base);
    const created = await listening.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(tenant.accountKey),
      payload: { name: 'f', runtime: 'nodejs', zipFile },
    });
    expect(created.statusCode, created.body).toBe(201);
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'f', ReservedConcurrentExecutions: 3 }));
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 4, UnreservedConcurrentExecutions: 1 });
    expect(settings.AccountUsage?.FunctionCount).toBe(1);
    expect(settings.AccountUsage?.TotalCodeSize).toBeGreaterThan(0);
    const err = await lambda
      .send(new PutFunctionConcurrencyCommand({ FunctionName: 'f', ReservedConcurrentExecutions: 4 }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InvalidParameterValueException' });
  });
});
