import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices, type Services } from '../../src/app.js';
import { startAsyncWorker, type AsyncWorker } from '../../src/jobs/async-worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY, newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, shiftedClock, until, useFunctionsApp } from '../helpers/functions.js';

const clock = shiftedClock();
const t = useFunctionsApp({ deps: { clock, events: { retryBaseMs: 300, leaseMs: 3_000 } } });
/** A second api replica on the same database: its own services, its own scheduler pass. */
let replica: Services;
let worker: AsyncWorker;
beforeAll(() => {
  replica = buildServices({ db: t.db.db, clock, logger: silentLogger(), adminKey: ADMIN_KEY, events: { retryBaseMs: 300 } });
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50 } });
});
afterAll(async () => {
  await worker?.stop();
  await replica?.budgets.stop();
});

const zip = makeZip([{ name: 'index.js', data: 'exports.handler = async (event) => ({ got: event });' }]);
const MINUTE = 60_000;
/** Both replicas' scheduler passes at the same instant. */
const passBoth = async () => (await Promise.all([t.services.schedules.fireDue(), replica.schedules.fireDue()])).reduce((a, b) => a + b, 0);
const ticksOf = async (key: string, name: string) =>
  (await call(t.base, key, 'GET', `/v1/schedules/${name}/ticks`)).json.ticks as { tick: string }[];

describe('schedules', () => {
  it('fires each tick of a rate once across two replicas, and catches up missed ticks within the age limit', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'tick', zip);
    const created = await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
      name: 'every-minute',
      expression: 'rate(1 minute)',
      target: { function: 'tick' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'every-minute', timezone: 'UTC', enabled: true, lastFiredAt: null });
    const first = new Date(created.json.nextFireAt).getTime();
    expect(Math.abs(first - clock.now().getTime())).toBeLessThan(1_500); // a rate fires first when it is created

    expect(await passBoth()).toBe(1);
    expect(await passBoth()).toBe(0);
    clock.advance(5 * MINUTE);
    expect(await passBoth()).toBe(5);
    expect((await ticksOf(a.accountKey, 'every-minute')).map((x) => new Date(x.tick).getTime() - first)).toEqual(
      [5, 4, 3, 2, 1, 0].map((m) => m * MINUTE),
    );

    // Down for an hour: only the ticks younger than the target's maximumEventAgeS (120 s) fire.
    await call(t.base, a.accountKey, 'PUT', '/v1/functions/tick/event-invoke-config', { maximumEventAgeS: 120 });
    clock.advance(60 * MINUTE);
    expect(await passBoth()).toBe(2); // 64 and 65 minutes: 63 is just older than 120 s
    const ticks = await ticksOf(a.accountKey, 'every-minute');
    expect(new Date(ticks[0]!.tick).getTime() - first).toBe(65 * MINUTE);
    expect(new Date(ticks[1]!.tick).getTime() - first).toBe(64 * MINUTE);

    const s = (await call(t.base, a.accountKey, 'GET', '/v1/schedules')).json.schedules[0];
    expect(new Date(s.nextFireAt).getTime() - first).toBe(66 * MINUTE);
    expect(s.lastFiredAt).not.toBeNull();
    // Every tick became one async invocation, and runs.
    const events = await sql<{ n: number }>`
      select count(*)::int as n from async_invocations where account_id = ${a.id} and source = 'schedule'`.execute(t.db.db);
    expect(events.rows[0]!.n).toBe(8);
    await until('ticks ran', async () => {
      const l = (await call(t.base, a.accountKey, 'GET', '/v1/functions/tick/invocations?status=succeeded')).json;
      return l.invocations.length === 8;
    });
  });

  it("sends EventBridge's scheduled event (or the target's input); a disabled schedule does not fire and does not catch up", async () => {
    const a = await newTenant(t.app);
    // Refuses every run, so the queued events keep their payload for the test to read.
    await deploy(t.base, a.accountKey, 'held', zip, { reservedConcurrency: 0 });
    const cron = await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
      name: 'noon',
      expression: 'cron(0 12 * * ? *)',
      timezone: 'Europe/Paris',
      target: { function: 'held' },
    });
    const noon = new Date(cron.json.nextFireAt);
    expect(noon.getUTCMinutes()).toBe(0);
    expect([10, 11]).toContain(noon.getUTCHours()); // 12:00 in Paris, winter or summer
    await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
      name: 'with-input',
      expression: 'rate(10 minutes)',
      target: { function: 'held', input: { hello: 'tick' } },
    });
    await passBoth();
    clock.advance(noon.getTime() - clock.now().getTime() + 1_000);
    await passBoth();
    const payloads = await sql<{ payload: Buffer; source_key: string }>`
      select payload, source_key from async_invocations where account_id = ${a.id} and payload is not null order by created_at`.execute(
      t.db.db,
    );
    const events = payloads.rows.map((r) => JSON.parse(r.payload.toString('utf8')));
    expect(events).toContainEqual({ hello: 'tick' });
    const scheduled = events.find((e) => e.source === 'tally.scheduler');
    expect(scheduled).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      account: a.id,
      time: noon.toISOString().replace('.000Z', 'Z'),
      // TALLY_REGION's default, as the function's AWS_REGION.
      region: 'us-east-1',
      resources: ['noon'],
      detail: {},
    });

    const off = await call(t.base, a.accountKey, 'PATCH', '/v1/schedules/with-input', { enabled: false });
    expect(off.json).toMatchObject({ enabled: false, nextFireAt: null });
    const before = (await ticksOf(a.accountKey, 'with-input')).length;
    clock.advance(30 * MINUTE);
    await passBoth();
    expect((await ticksOf(a.accountKey, 'with-input')).length).toBe(before);
    const on = await call(t.base, a.accountKey, 'PATCH', '/v1/schedules/with-input', { enabled: true });
    expect(Math.abs(new Date(on.json.nextFireAt).getTime() - clock.now().getTime())).toBeLessThan(1_500);
    await passBoth();
    expect((await ticksOf(a.accountKey, 'with-input')).length).toBe(before + 1);
  });

  it('at() fires once; bad expressions, zones and targets are refused; names are unique; DELETE removes', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'once', zip);
    const soon = new Date(clock.now().getTime() + 2 * MINUTE);
    const local = soon.toISOString().slice(0, 19);
    const at = await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
      name: 'once',
      expression: `at(${local})`,
      target: { function: 'once' },
    });
    expect(at.json.nextFireAt).toBe(`${local}.000Z`);
    clock.advance(3 * MINUTE);
    await passBoth();
    expect((await ticksOf(a.accountKey, 'once')).map((x) => x.tick)).toEqual([`${local}.000Z`]);
    clock.advance(3 * MINUTE);
    await passBoth();
    expect(await ticksOf(a.accountKey, 'once')).toHaveLength(1);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/schedules/once')).json.nextFireAt).toBeNull();

    const bad = async (body: Record<string, unknown>) =>
      (
        await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
          name: 'bad',
          target: { function: 'once' },
          expression: 'rate(1 hour)',
          ...body,
        })
      ).json.error;
    expect(await bad({ expression: 'cron(0 12 * * * *)' })).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await bad({ expression: 'cron(0 12 * * * *)' })).message).toMatch(/^expression: cron: one of day-of-month/);
    expect((await bad({ timezone: 'Mars/Olympus' })).message).toMatch(/^timezone:/);
    expect((await bad({ target: { function: 'nope' } })).message).toMatch(/^target.function:/);
    expect((await bad({ expression: 'at(2026-03-08T02:30:00)', timezone: 'America/New_York' })).message).toMatch(/clocks skip it/);
    expect(
      (
        await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
          name: 'once',
          expression: 'rate(1 hour)',
          target: { function: 'once' },
        })
      ).status,
    ).toBe(409);
    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/schedules/once')).status).toBe(204);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/schedules/once')).json.error.code).toBe('SCHEDULE_NOT_FOUND');
  });
});

describe('schedules with a flexible time window', () => {
  it("runs a tick drawn later in its window than the target's maximumEventAgeS, its age counted from when it was to run", async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'flex', zip);
    await call(t.base, a.accountKey, 'PUT', '/v1/functions/flex/event-invoke-config', { maximumEventAgeS: 60 });
    const created = await call(t.base, a.accountKey, 'POST', '/v1/schedules', {
      name: 'flexible',
      expression: 'rate(1 hour)',
      target: { function: 'flex' },
      flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 15 },
    });
    expect(created.status).toBe(201);
    const tick = new Date(created.json.nextFireAt);
    // The draw within the window (random): 10 minutes after the tick, as random() = 2/3 gives.
    const runAt = new Date(tick.getTime() + 10 * MINUTE);
    await sql`update schedules set next_run_at = ${runAt} where account_id = ${a.id} and name = 'flexible'`.execute(t.db.db);
    await passBoth();
    expect(await ticksOf(a.accountKey, 'flexible')).toEqual([]);

    clock.advance(runAt.getTime() - clock.now().getTime() + 1_000);
    await passBoth();
    const ticks = (await ticksOf(a.accountKey, 'flexible')) as { tick: string; requestId: string }[];
    expect(ticks.map((x) => x.tick)).toEqual([tick.toISOString()]);
    const done = await until('the tick ran', async () => {
      const d = (await call(t.base, a.accountKey, 'GET', `/v1/invocations/${ticks[0]!.requestId}`)).json;
      return ['succeeded', 'failed', 'expired'].includes(d.status) ? d : null;
    });
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, queuedAt: runAt.toISOString() });
    expect(new Date(done.expiresAt).getTime() - runAt.getTime()).toBe(MINUTE);
  });
});
