import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { UsageEvent } from '../../src/contracts/usage.js';
import { admin, bearer, fleetExecutor, fleetKey, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

type Tenant = Awaited<ReturnType<typeof newTenant>>;
type Fleet = Awaited<ReturnType<typeof fleetExecutor>>;
let victim: Tenant;
let bystander: Tenant;
let thief: Fleet;
let honest: Fleet;

beforeAll(async () => {
  victim = await newTenant(t.app);
  bystander = await newTenant(t.app);
  thief = await fleetExecutor(t.app, t.db.db, t.services.secretBox);
  honest = await fleetExecutor(t.app, t.db.db, t.services.secretBox);
});

/** Everything ingest writes for an account: nothing may change when a batch is refused. */
async function written(accountId: string) {
  const r = await sql<{ events: string; hourly: string }>`
    select (select count(*) from usage_events where account_id = ${accountId})::text as events,
           (select count(*) from usage_hourly where account_id = ${accountId})::text as hourly`.execute(t.db.db);
  return r.rows[0]!;
}

const register = (key: string, id: string, url = `http://127.0.0.1:1/${id}`) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/executors/register',
    headers: bearer(key),
    payload: { id, url, capacity: 2, token: randomBytes(24).toString('hex') },
  });
const heartbeat = (key: string, id: string) =>
  t.app.inject({ method: 'POST', url: `/v1/executors/${id}/heartbeat`, headers: bearer(key), payload: { instances: 0, busy: 0 } });

describe('a stolen platform executor key cannot bill or credit other accounts', () => {
  /** Each case: a real invocation's event (signed for `thief`'s executor), then what the holder of the key changed. */
  const forgeries: { name: string; forge: (e: UsageEvent) => UsageEvent; field: string; reason: string }[] = [
    { name: 'no dispatch token', forge: (e) => e, field: 'dispatchToken', reason: 'DISPATCH_TOKEN_MISSING' },
    {
      name: 'a token signed for another executor',
      forge: (e) => ({ ...e, dispatchToken: thief.tokenFor(e, 900, honest.executorId) }),
      field: 'dispatchToken',
      reason: 'DISPATCH_TOKEN_INVALID',
    },
    {
      name: 'a token from another invocation',
      forge: (e) => ({ ...e, dispatchToken: thief.tokenFor({ ...e, invocationId: randomUUID() }) }),
      field: 'dispatchToken',
      reason: 'DISPATCH_TOKEN_INVALID',
    },
    {
      name: 'the account altered',
      forge: (e) => ({ ...thief.signed(e), accountId: bystander.id }),
      field: 'dispatchToken',
      reason: 'DISPATCH_TOKEN_INVALID',
    },
    {
      name: 'the memory altered',
      forge: (e) => ({ ...thief.signed(e), memoryMb: 10_240 }),
      field: 'dispatchToken',
      reason: 'DISPATCH_TOKEN_INVALID',
    },
    {
      name: 'the function altered',
      forge: (e) => ({ ...thief.signed(e), functionId: 'someone-elses' }),
      field: 'dispatchToken',
      reason: 'DISPATCH_TOKEN_INVALID',
    },
    {
      name: 'the architecture altered',
      forge: (e) => ({ ...thief.signed(e), architecture: 'arm64' }),
      field: 'dispatchToken',
      reason: 'DISPATCH_TOKEN_INVALID',
    },
    {
      name: 'the ephemeral storage altered',
      forge: (e) => ({ ...thief.signed(e), ephemeralStorageMb: 10_240 }),
      field: 'dispatchToken',
      reason: 'DISPATCH_TOKEN_INVALID',
    },
    {
      name: 'the signed timeout altered',
      forge: (e) => ({ ...e, dispatchToken: thief.tokenFor(e, 3).replace(/^v2\.3\./, 'v2.900.') }),
      field: 'dispatchToken',
      reason: 'DISPATCH_TOKEN_INVALID',
    },
    {
      name: 'a duration past the signed timeout',
      forge: (e) => thief.signed({ ...e, durationMs: 4_500 }, 3),
      field: 'durationMs',
      reason: 'DURATION_EXCEEDS_TIMEOUT',
    },
    {
      name: 'an init past 10 s',
      forge: (e) => thief.signed({ ...e, initDurationMs: 12_000 }),
      field: 'initDurationMs',
      reason: 'INIT_DURATION_EXCEEDS_LIMIT',
    },
  ];

  it.each(forgeries)('$name: 403, the event named, nothing written', async ({ forge, field, reason }) => {
    const before = [await written(victim.id), await written(bystander.id)];
    const genuine = thief.signed(usageEvent(victim.id, { durationMs: 2_000 }), 3);
    const forged = forge(usageEvent(victim.id, { durationMs: 2_000 }));
    const r = await postUsage(t.app, thief.key, [genuine, forged]);
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().error.code).toBe('DISPATCH_TOKEN_INVALID');
    expect(r.json().error.message).toMatch(new RegExp(`^events\\[1\\]\\.${field}`));
    expect(r.json().error.details).toEqual([expect.objectContaining({ index: 1, field, reason })]);
    expect([await written(victim.id), await written(bystander.id)]).toEqual(before);
  });

  it('names every refused event of a batch, and accepts the genuine ones once sent alone', async () => {
    const genuine = [0, 1, 2].map(() => thief.signed(usageEvent(victim.id)));
    const batch = [
      genuine[0]!,
      usageEvent(victim.id),
      genuine[1]!,
      { ...thief.signed(usageEvent(victim.id)), memoryMb: 2048 },
      genuine[2]!,
    ];
    const before = await written(victim.id);
    const refused = await postUsage(t.app, thief.key, batch);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.details.map((d: { index: number }) => d.index)).toEqual([1, 3]);
    expect(await written(victim.id)).toEqual(before);
    const ok = await postUsage(t.app, thief.key, genuine);
    expect(ok.json()).toMatchObject({ accepted: 3, duplicates: 0 });
  });

  it('a platform key bound to no executor is refused as a whole, without naming events (nothing to set aside)', async () => {
    const unbound = await fleetKey(t.app);
    const r = await postUsage(t.app, unbound, [thief.signed(usageEvent(victim.id))]);
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('EXECUTOR_NOT_REGISTERED');
    expect(r.json().error.details).toBeUndefined();
  });

  it("an account-scoped executor key still reports its own account's usage without tokens", async () => {
    const own = await newTenant(t.app);
    const r = await postUsage(t.app, own.executorKey, [usageEvent(own.id, { durationMs: 5_000_000 })]);
    expect(r.json()).toMatchObject({ accepted: 1 });
  });
});

describe('one key, one executor', () => {
  it('refuses a second executor with a key bound to a live one (409), replaces a holder that left or went stale', async () => {
    const key = await fleetKey(t.app);
    const first = randomUUID();
    const second = randomUUID();
    expect((await register(key, first)).statusCode).toBe(200);
    const refused = await register(key, second);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('EXECUTOR_KEY_IN_USE');
    // Registering again (a restart with the same id) is fine.
    expect((await register(key, first)).statusCode).toBe(200);

    // Not heard from within the stale window: the key moves to the new executor, and the old one cannot come back.
    await sql`update executors set last_seen_at = now() - interval '1 minute' where id = ${first}`.execute(t.db.db);
    expect((await register(key, second)).statusCode).toBe(200);
    expect((await heartbeat(key, first)).json().error.code).toBe('EXECUTOR_NOT_FOUND');
    expect((await register(key, first)).json().error.code).toBe('EXECUTOR_KEY_IN_USE');

    // One that left on its own gives the key up at once.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/executors/${second}`, headers: bearer(key) })).statusCode).toBe(204);
    expect((await register(key, first)).statusCode).toBe(200);
  });

  it("acts only on its own executor: another's heartbeat, deregistration or id is refused", async () => {
    const a = await fleetKey(t.app);
    const b = await fleetKey(t.app);
    const idA = randomUUID();
    const idB = randomUUID();
    expect((await register(a, idA)).statusCode).toBe(200);
    expect((await register(b, idB)).statusCode).toBe(200);
    expect((await heartbeat(b, idA)).json().error.code).toBe('EXECUTOR_KEY_MISMATCH');
    const leave = await t.app.inject({ method: 'DELETE', url: `/v1/executors/${idA}`, headers: bearer(b) });
    expect([leave.statusCode, leave.json().error.code]).toEqual([403, 'EXECUTOR_KEY_MISMATCH']);
    // Taking over a live executor's id (and its traffic) with another key.
    const takeover = await register(b, idA, 'http://attacker.invalid:1');
    expect([takeover.statusCode, takeover.json().error.code]).toEqual([409, 'EXECUTOR_ID_IN_USE']);
    expect((await heartbeat(a, idA)).statusCode).toBe(204);
  });
});

describe('revoking one executor', () => {
  it('an admin removes it and revokes its key; every other executor keeps working', async () => {
    const gone = await fleetExecutor(t.app, t.db.db, t.services.secretBox);
    const kept = await fleetExecutor(t.app, t.db.db, t.services.secretBox);
    const tenant = await newTenant(t.app);
    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/executors/${gone.executorId}`, headers: admin });
    expect(removed.statusCode).toBe(204);

    const listed = (await t.app.inject({ method: 'GET', url: '/v1/executors', headers: admin }))
      .json()
      .executors.map((e: { id: string }) => e.id);
    expect(listed).not.toContain(gone.executorId);
    expect(listed).toContain(kept.executorId);
    const keys = (await t.app.inject({ method: 'GET', url: '/v1/keys', headers: admin })).json().keys as {
      prefix: string;
      revokedAt: string | null;
    }[];
    expect(keys.find((k) => gone.key.startsWith(k.prefix))?.revokedAt).not.toBeNull();

    expect((await heartbeat(gone.key, gone.executorId)).statusCode).toBe(401);
    expect((await postUsage(t.app, gone.key, [gone.signed(usageEvent(tenant.id))])).statusCode).toBe(401);
    expect((await register(gone.key, randomUUID())).statusCode).toBe(401);

    expect((await heartbeat(kept.key, kept.executorId)).statusCode).toBe(204);
    expect((await postUsage(t.app, kept.key, [kept.signed(usageEvent(tenant.id))])).json()).toMatchObject({ accepted: 1 });
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/executors/${gone.executorId}`, headers: admin })).statusCode).toBe(404);
  });
});
