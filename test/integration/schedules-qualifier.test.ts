import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAsyncWorker, type AsyncWorker } from '../../src/jobs/async-worker.js';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, shiftedClock, until, useFunctionsApp } from '../helpers/functions.js';

const clock = shiftedClock();
const t = useFunctionsApp({ deps: { clock, events: { retryBaseMs: 300, leaseMs: 3_000 } } });
let worker: AsyncWorker;
beforeAll(() => {
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50 } });
});
afterAll(() => worker?.stop());

/** Logs what ran: the version's own environment, the version Lambda's context reports, and the ARN it was invoked as. */
const CODE = `
exports.handler = async (event, context) => {
  console.log('ran ' + JSON.stringify({ v: process.env.V, version: context.functionVersion, arn: context.invokedFunctionArn }));
  return { ok: true };
};
`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);
const MINUTE = 60_000;

interface Ran {
  v: string;
  version: string;
  arn: string;
  /** The memory the run was billed with (the version's setting). */
  memoryMb: number;
}

/**
 * Function `f` with three versions: 1 (V=one, 128 MB) and 2 (V=two, 256 MB) published, 3 (V=three) the
 * latest, unpublished; alias `live` names version 1.
 */
async function functionWithVersions(key: string) {
  await deploy(t.base, key, 'f', zip, { environment: { V: 'one' }, memoryMb: 128 });
  expect((await call(t.base, key, 'POST', '/v1/functions/f/published-versions', {})).json.version).toBe(1);
  await call(t.base, key, 'PATCH', '/v1/functions/f/configuration', { environment: { V: 'two' }, memoryMb: 256 });
  expect((await call(t.base, key, 'POST', '/v1/functions/f/published-versions', {})).json.version).toBe(2);
  await call(t.base, key, 'PATCH', '/v1/functions/f/configuration', { environment: { V: 'three' } });
  expect((await call(t.base, key, 'PUT', '/v1/functions/f/aliases/live', { version: 1 })).status).toBe(200);
}

/** One scheduler pass (over every test's schedules: assertions count a schedule's own ticks). */
const fire = () => t.services.schedules.fireDue();
const ticksOf = async (key: string, name: string) =>
  (await call(t.base, key, 'GET', `/v1/schedules/${name}/ticks`)).json.ticks as { tick: string; requestId: string }[];

/** What the newest tick of a schedule ran: its invocation, that run's log line and its usage record. */
async function newestTickRan(account: { id: string; accountKey: string }, schedule: string): Promise<Ran> {
  const [tick] = await ticksOf(account.accountKey, schedule);
  const inv = await until('the tick ran', async () => {
    const r = (await call(t.base, account.accountKey, 'GET', `/v1/invocations/${tick!.requestId}`)).json;
    return r.status === 'succeeded' ? r : null;
  });
  const invocationId = inv.invocationIds[0] as string;
  const line = await until('its log line', async () => {
    const r = await call(t.base, account.accountKey, 'GET', `/v1/functions/f/logs?requestId=${invocationId}&filter=ran`);
    return (r.json.events as { message: string }[] | undefined)?.find((e) => e.message.includes('ran {'))?.message;
  });
  const usage = await until('its usage', async () => {
    const { rows } = await sql<{ memory_mb: number }>`
      select memory_mb from usage_events where account_id = ${account.id} and invocation_id = ${invocationId}`.execute(t.db.db);
    return rows[0];
  });
  return { ...(JSON.parse(line.slice(line.indexOf('ran {') + 4)) as Omit<Ran, 'memoryMb'>), memoryMb: usage.memory_mb };
}

describe('schedules targeting an alias or a published version', () => {
  it('runs the version the alias names at each tick: moved, or weighted, the next tick follows; billed and named as that run', async () => {
    const a = await newTenant(t.app);
    await functionWithVersions(a.accountKey);
    const created = await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
      name: 'on-live',
      expression: 'rate(1 minute)',
      target: { function: 'f', qualifier: 'live' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json.target).toEqual({ function: 'f', qualifier: 'live' });
    expect((await call(t.base, a.accountKey, 'GET', '/v1/schedules/on-live')).json.target).toEqual({ function: 'f', qualifier: 'live' });

    await fire();
    expect(await ticksOf(a.accountKey, 'on-live')).toHaveLength(1);
    const first = await newestTickRan(a, 'on-live');
    expect(first).toMatchObject({ v: 'one', version: '1', memoryMb: 128 });
    expect(first.arn).toMatch(new RegExp(`^arn:aws:lambda:[a-z0-9-]+:${a.id}:function:f:live$`));

    // The alias moves between ticks: the next tick runs (and is billed as) the version it names now.
    await call(t.base, a.accountKey, 'PUT', '/v1/functions/f/aliases/live', { version: 2 });
    clock.advance(MINUTE);
    await fire();
    expect(await ticksOf(a.accountKey, 'on-live')).toHaveLength(2);
    expect(await newestTickRan(a, 'on-live')).toMatchObject({ v: 'two', version: '2', memoryMb: 256 });

    // A weighted alias draws at the tick: all of its invocations go to version 1 here, the alias's name stays.
    await call(t.base, a.accountKey, 'PUT', '/v1/functions/f/aliases/live', { version: 2, routing: { version: 1, weight: 1 } });
    clock.advance(MINUTE);
    await fire();
    expect(await ticksOf(a.accountKey, 'on-live')).toHaveLength(3);
    const weighted = await newestTickRan(a, 'on-live');
    expect(weighted).toMatchObject({ v: 'one', version: '1', memoryMb: 128 });
    expect(weighted.arn.endsWith(':function:f:live')).toBe(true);

    // A published version by number, and $LATEST (stored as none: the unqualified ARN, the latest version).
    await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
      name: 'on-two',
      expression: 'rate(1 minute)',
      target: { function: 'f', qualifier: '2' },
    });
    await fire();
    expect(await ticksOf(a.accountKey, 'on-two')).toHaveLength(1);
    const two = await newestTickRan(a, 'on-two');
    expect(two).toMatchObject({ v: 'two', version: '2' });
    expect(two.arn.endsWith(':function:f:2')).toBe(true);
    const latest = await call(t.base, a.accountKey, 'PATCH', '/v1/schedules/on-two', { target: { function: 'f', qualifier: '$LATEST' } });
    expect(latest.json.target).toEqual({ function: 'f', qualifier: '$LATEST' });
    clock.advance(MINUTE);
    await fire();
    expect(await ticksOf(a.accountKey, 'on-two')).toHaveLength(2);
    const ranLatest = await newestTickRan(a, 'on-two');
    expect(ranLatest).toMatchObject({ v: 'three', version: '3' });
    expect(ranLatest.arn.endsWith(':function:f')).toBe(true);
  });

  it('refuses an alias or version the function does not have, and another account cannot name the function; nothing is written', async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    await functionWithVersions(a.accountKey);
    const create = (key: string, qualifier: string, name = 'bad') =>
      call(t.base, key, 'POST', '/v1/schedules', { name, expression: 'rate(1 hour)', target: { function: 'f', qualifier } });

    for (const [qualifier, message] of [
      ['nope', /^target\.qualifier: function f has no alias or published version named nope$/],
      ['3', /^target\.qualifier: .* named 3$/], // a version, but not published
      ['9', /^target\.qualifier: .* named 9$/],
    ] as const) {
      const r = await create(a.accountKey, qualifier);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(message) });
    }
    expect((await create(a.accountKey, 'f:live')).json.error.code).toBe('VALIDATION_FAILED'); // not a qualifier at all
    expect((await call(t.base, a.accountKey, 'GET', '/v1/schedules')).json.schedules).toEqual([]);

    // Account b cannot name a's function, nor a's alias through a function of its own with the same name.
    const other = await create(b.accountKey, 'live');
    expect(other.status).toBe(400);
    expect(other.json.error.message).toMatch(/^target\.function: no function named f/);
    await deploy(t.base, b.accountKey, 'f', zip);
    expect((await create(b.accountKey, 'live')).json.error.message).toMatch(/^target\.qualifier:/);
    expect((await call(t.base, b.accountKey, 'GET', '/v1/schedules')).json.schedules).toEqual([]);

    // An update naming a missing alias changes nothing; the schedule is not another account's to see or change.
    expect((await create(a.accountKey, 'live', 'kept')).status).toBe(201);
    const bad = await call(t.base, a.accountKey, 'PATCH', '/v1/schedules/kept', {
      expression: 'rate(5 minutes)',
      target: { function: 'f', qualifier: 'gone' },
    });
    expect(bad.status).toBe(400);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/schedules/kept')).json).toMatchObject({
      expression: 'rate(1 hour)',
      target: { function: 'f', qualifier: 'live' },
    });
    expect((await call(t.base, b.accountKey, 'GET', '/v1/schedules/kept')).status).toBe(404);
    expect((await call(t.base, b.accountKey, 'PATCH', '/v1/schedules/kept', { enabled: false })).status).toBe(404);
  });

  it('a tick whose alias was deleted fails, visibly, and runs nothing; once the alias is back, the next tick runs', async () => {
    const a = await newTenant(t.app);
    await functionWithVersions(a.accountKey);
    await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
      name: 'on-live',
      expression: 'rate(1 minute)',
      target: { function: 'f', qualifier: 'live' },
    });
    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/f/aliases/live')).status).toBe(204);

    await fire();
    await fire();
    const ticks = await ticksOf(a.accountKey, 'on-live');
    expect(ticks).toHaveLength(1); // the tick is recorded once, failed or not
    const tick = ticks[0];
    const failed = (await call(t.base, a.accountKey, 'GET', `/v1/invocations/${tick!.requestId}`)).json;
    expect(failed).toMatchObject({ status: 'failed', source: 'schedule', attempts: 0, invocationIds: [] });
    expect(failed.lastError).toMatch(
      /^Schedule on-live targets f:live, which was not found when the tick fired .* never falls back to \$LATEST$/,
    );
    const listed = (await call(t.base, a.accountKey, 'GET', '/v1/functions/f/invocations?status=failed')).json.invocations;
    expect(listed.map((i: { requestId: string }) => i.requestId)).toEqual([tick!.requestId]);
    // Nothing ran: the worker had time to claim it, had it been queued.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from usage_events where account_id = ${a.id}`.execute(t.db.db);
    expect(rows[0]!.n).toBe(0);

    // A change that does not name the target keeps the alias unchecked (the schedule can still be changed or disabled).
    const off = await call(t.base, a.accountKey, 'PATCH', '/v1/schedules/on-live', { enabled: false });
    expect(off.status).toBe(200);
    expect(off.json.target).toEqual({ function: 'f', qualifier: 'live' });
    await call(t.base, a.accountKey, 'PUT', '/v1/functions/f/aliases/live', { version: 2 });
    // Re-enabled, a rate counts its first tick from now (to the second): a minute on, so that it is not the failed
    // tick's own second, which the one-tick-per-time rule would (rightly) not fire twice.
    clock.advance(MINUTE);
    await call(t.base, a.accountKey, 'PATCH', '/v1/schedules/on-live', { enabled: true });
    await fire();
    expect(await ticksOf(a.accountKey, 'on-live')).toHaveLength(2);
    expect(await newestTickRan(a, 'on-live')).toMatchObject({ v: 'two', version: '2' });
  });
});

describe('catching up the ticks of a schedule on an alias or version', () => {
  it("skips only the ticks older than the qualifier's own maximumEventAgeS, not $LATEST's", async () => {
    const a = await newTenant(t.app);
    await functionWithVersions(a.accountKey);
    // $LATEST keeps events 10 minutes, the alias 2 minutes; version 2 has no configuration: 6 hours.
    const put = (qualifier: string, maximumEventAgeS: number) =>
      call(t.base, a.accountKey, 'PUT', `/v1/functions/f/event-invoke-config?qualifier=${qualifier}`, { maximumEventAgeS });
    expect((await put('$LATEST', 600)).status).toBe(200);
    expect((await put('live', 120)).status).toBe(200);
    for (const [name, qualifier] of [
      ['up-live', 'live'],
      ['up-two', '2'],
      ['up-latest', '$LATEST'],
    ] as const) {
      const r = await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
        name,
        expression: 'rate(1 minute)',
        target: { function: 'f', qualifier },
      });
      expect(r.status, r.text).toBe(201);
    }
    await fire();
    const firstPass = clock.now();
    // Down for 20 minutes: each schedule fires the missed ticks its own target would still run.
    clock.advance(20 * MINUTE);
    const secondPass = clock.now();
    await fire();
    const missed = async (name: string) => (await ticksOf(a.accountKey, name)).length - 1;
    expect(await missed('up-latest')).toBe(10); // 11 to 20 minutes: 10 is just older than 600 s
    expect(await missed('up-live')).toBe(2); // 19 and 20: the alias's 120 s
    expect(await missed('up-two')).toBe(20); // every one: version 2's default 6 hours
    // No missed tick was queued already expired (each would be an EventAgeExceeded record for its destination).
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from async_invocations
       where account_id = ${a.id} and source = 'schedule' and created_at > ${firstPass} and expires_at <= ${secondPass}`.execute(t.db.db);
    expect(rows[0]!.n).toBe(0);
  });
});
