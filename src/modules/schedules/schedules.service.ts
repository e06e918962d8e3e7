import { randomUUID } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { uuid7 } from '../../lib/uuid7.js';
import type { NewEvent } from '../async/async.repository.js';
import type { AsyncService } from '../async/async.service.js';
import type { FunctionsService } from '../functions/functions.service.js';
import { LATEST, pickVersion, type ResolvedQualifier, storedQualifier, type VersionsService } from '../functions/versions.service.js';
import { atInstant, ExpressionError, nextTick, parseExpression, type ScheduleExpression, validTimeZone } from './schedule-expression.js';
import type { Schedule, SchedulesRepository, ScheduleWrite } from './schedules.repository.js';

export interface ScheduleInput {
  expression: string;
  timezone?: string;
  /** `qualifier`: an alias or published version number of the function; absent or `$LATEST`: the latest version. */
  target: { function: string; qualifier?: string; input?: unknown };
  enabled?: boolean;
  flexibleTimeWindow?: { mode: 'OFF' | 'FLEXIBLE'; maximumWindowInMinutes?: number };
}

/** At most this many missed ticks of one schedule fire in one pass (the rest in the next). */
const MAX_TICKS_PER_PASS = 500;

/** EventBridge's scheduled event, what a target gets when the schedule names no input; `region` is TALLY_REGION, as AWS_REGION is. */
export function scheduledEvent(s: Pick<Schedule, 'accountId' | 'name'>, tick: Date, region: string): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'tally.scheduler',
    account: s.accountId,
    time: tick.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [s.name],
    detail: {},
  });
}

const toDto = (s: Schedule) => ({
  name: s.name,
  expression: s.expression,
  timezone: s.timezone,
  target: {
    function: s.functionName,
    qualifier: s.qualifier ?? LATEST,
    ...(s.input === null ? {} : { input: JSON.parse(s.input) as unknown }),
  },
  enabled: s.enabled,
  flexibleTimeWindow:
    s.flexibleWindowMin === null ? { mode: 'OFF' as const } : { mode: 'FLEXIBLE' as const, maximumWindowInMinutes: s.flexibleWindowMin },
  nextFireAt: s.enabled ? (s.nextFireAt?.toISOString() ?? null) : null,
  lastFiredAt: s.lastFiredAt?.toISOString() ?? null,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

/**
 * Schedules (EventBridge Scheduler, docs/events.md): each tick becomes an asynchronous invocation
 * of the target, fired once across every replica (a row per tick, unique), catching up the ticks
 * missed while Tally was down as long as they are younger than the target's maximumEventAgeS.
 */
export function createSchedulesService(deps: {
  repo: SchedulesRepository;
  events: Pick<AsyncService, 'queueIn' | 'nudge' | 'maximumEventAgeS'>;
  functions: Pick<FunctionsService, 'get' | 'resolve'>;
  /** Resolves a target's alias or version: when it is written (it must exist) and at every tick (what runs). */
  versions: Pick<VersionsService, 'resolve'>;
  clock: Clock;
  log: Logger;
  /** The region the scheduled event names (TALLY_REGION). */
  region: string;
  random?: () => number;
}) {
  const { repo, clock } = deps;
  const random = deps.random ?? Math.random;

  function parse(field: string, text: string): ScheduleExpression {
    try {
      return parseExpression(text);
    } catch (err) {
      if (err instanceof ExpressionError) throw errors.validation(`${field}: ${err.message}`, [{ field, message: err.message }]);
      throw err;
    }
  }

  /** The tick's run time: the tick itself, or a moment within its flexible window. */
  const runAt = (tick: Date | null, windowMin: number | null) =>
    tick === null || windowMin === null ? tick : new Date(tick.getTime() + Math.floor(random() * windowMin * 60_000));

  /**
   * The target's alias or version as stored (null: $LATEST), which must exist now. It is looked up again at
   * every tick (fire): an alias moved since runs its new version, one deleted since fails the tick.
   */
  async function qualifierOf(accountId: string, fn: string, qualifier: string | undefined): Promise<string | null> {
    const stored = storedQualifier(qualifier);
    if (stored === null) return null;
    await deps.versions.resolve(accountId, fn, stored, { route: false }).catch((err: unknown) => {
      if (!(err instanceof AppError) || err.statusCode >= 500) throw err;
      throw errors.validation(`target.qualifier: function ${fn} has no alias or published version named ${qualifier}`, [
        { field: 'target.qualifier' },
      ]);
    });
    return stored;
  }

  /**
   * Settings as stored, with the first tick counted from now. `kept`: the stored qualifier, not checked
   * again (a change that does not name the target can still disable a schedule whose alias is gone).
   */
  async function prepare(accountId: string, input: ScheduleInput, kept?: { qualifier: string | null }): Promise<ScheduleWrite> {
    const expr = parse('expression', input.expression);
    const timezone = input.timezone ?? 'UTC';
    if (!validTimeZone(timezone)) throw errors.validation(`timezone: ${timezone} is not an IANA time zone`, [{ field: 'timezone' }]);
    await deps.functions.get(accountId, input.target.function).catch(() => {
      throw errors.validation(`target.function: no function named ${input.target.function} in this account`, [
        { field: 'target.function' },
      ]);
    });
    const now = clock.now();
    const anchorAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    let first: Date | null;
    if (expr.kind === 'at') {
      first = atInstant(expr, timezone);
      if (first === null) throw errors.validation(`expression: ${input.expression} does not exist in ${timezone} (the clocks skip it)`);
    } else first = expr.kind === 'rate' ? anchorAt : nextTick(expr, timezone, anchorAt, new Date(now.getTime() - 1));
    const qualifier = kept ? kept.qualifier : await qualifierOf(accountId, input.target.function, input.target.qualifier);
    const window = input.flexibleTimeWindow?.mode === 'FLEXIBLE' ? (input.flexibleTimeWindow.maximumWindowInMinutes ?? null) : null;
    if (input.flexibleTimeWindow?.mode === 'FLEXIBLE' && window === null) {
      throw errors.validation('flexibleTimeWindow.maximumWindowInMinutes: required when the mode is FLEXIBLE');
    }
    return {
      expression: input.expression.trim(),
      timezone,
      functionName: input.target.function,
      qualifier,
      input: input.target.input === undefined ? null : JSON.stringify(input.target.input),
      enabled: input.enabled ?? true,
      flexibleWindowMin: window,
      anchorAt,
      nextFireAt: first,
      nextRunAt: runAt(first, window),
    };
  }

  async function mustFind(accountId: string, name: string): Promise<Schedule> {
    const s = await repo.find(accountId, name);
    if (!s) throw errors.scheduleNotFound(name);
    return s;
  }

  /** Fires the due ticks of one locked schedule inside the pass's transaction; answers how many fired. */
  async function fire(tx: Parameters<Parameters<SchedulesRepository['transaction']>[0]>[0], s: Schedule, now: Date): Promise<number> {
    const expr = parseExpression(s.expression);
    let target: Awaited<ReturnType<typeof deps.functions.resolve>> | null = null;
    try {
      target = await deps.functions.resolve(s.accountId, s.functionName);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      deps.log.warn({ schedule: s.name, accountId: s.accountId }, 'schedule target function not found; its ticks pass without firing');
    }
    // The alias or version, read once for this pass (a weighted alias draws per tick below). One that is gone
    // fails its ticks, visibly: running $LATEST instead would run code nobody chose.
    let version: ResolvedQualifier | null = null;
    let gone: string | null = null;
    if (target && s.qualifier !== null) {
      try {
        version = await deps.versions.resolve(s.accountId, s.functionName, s.qualifier, { route: false });
      } catch (err) {
        if (!(err instanceof AppError) || err.statusCode >= 500) throw err;
        gone =
          `Schedule ${s.name} targets ${s.functionName}:${s.qualifier}, which was not found when the tick fired ` +
          `(an alias deleted since?): the tick did not run, and a schedule never falls back to $LATEST`;
        deps.log.warn({ schedule: s.name, accountId: s.accountId, qualifier: s.qualifier }, 'schedule target alias or version not found');
      }
    }
    // Ticks older than the event age limit would be dropped at once: skip to the first one still young enough. The
    // limit is that of the configuration the events take (the qualifier's own, as `enqueue` reads it), not $LATEST's.
    const maxAgeS = target ? await deps.events.maximumEventAgeS(s.accountId, target.config.id, s.qualifier) : 21_600;
    // A tick is as old as the moment it was to run: the next one's is drawn within its flexible window (and may be
    // later than the age limit after it), the others' is the tick (missed ticks run at once).
    const ranAt = (tick: Date) => (s.nextRunAt !== null && tick.getTime() === s.nextFireAt?.getTime() ? s.nextRunAt : tick);
    const oldest = new Date(now.getTime() - maxAgeS * 1000);
    let tick = s.nextFireAt;
    if (tick !== null && ranAt(tick) < oldest) tick = nextTick(expr, s.timezone, s.anchorAt, new Date(oldest.getTime() - 1));
    const due: Date[] = [];
    while (tick !== null && tick <= now && due.length < MAX_TICKS_PER_PASS) {
      due.push(tick);
      tick = nextTick(expr, s.timezone, s.anchorAt, tick);
    }
    let fired = 0;
    if (target && due.length > 0) {
      const planned = due.map((t) => ({ tick: t, requestId: uuid7() }));
      const fresh = await repo.recordTicks(tx, s, planned, now);
      const events: NewEvent[] = planned
        .filter((p) => fresh.has(p.tick.getTime()))
        .map((p) => ({
          accountId: s.accountId,
          id: p.requestId,
          functionId: target!.config.id,
          functionName: s.functionName,
          payload: Buffer.from(s.input ?? scheduledEvent(s, p.tick, deps.region)),
          source: 'schedule',
          sourceKey: `${s.id}/${p.tick.toISOString()}`,
          chainDepth: 0,
          createdAt: ranAt(p.tick),
          dueAt: now,
          // Queued as an asynchronous invoke through an alias is: the version it names now runs and is billed.
          functionVersion: version ? (pickVersion(version, random).version ?? null) : null,
          qualifier: s.qualifier,
          failure: gone,
        }));
      await deps.events.queueIn(tx, events);
      fired = events.length;
    }
    const more = tick !== null && tick <= now;
    await repo.advance(tx, s, { fireAt: tick, runAt: more ? tick : runAt(tick, s.flexibleWindowMin), firedAt: fired > 0 ? now : null });
    return fired;
  }

  return {
    async create(accountId: string, name: string, input: ScheduleInput) {
      const created = await repo.insert(accountId, name, await prepare(accountId, input), clock.now());
      if (!created) throw errors.scheduleExists(name);
      return toDto(created);
    },

    get: async (accountId: string, name: string) => toDto(await mustFind(accountId, name)),

    async list(accountId: string, limit: number, after: string | null) {
      const rows = await repo.list(accountId, limit, after);
      return { schedules: rows.map(toDto), next: rows.length === limit ? rows[rows.length - 1]!.name : null };
    },

    /** Changes any setting; the next tick is counted afresh from now (a re-enabled schedule does not catch up). */
    async update(accountId: string, name: string, patch: Partial<ScheduleInput>) {
      const s = await mustFind(accountId, name);
      const merged: ScheduleInput = {
        expression: patch.expression ?? s.expression,
        timezone: patch.timezone ?? s.timezone,
        target: patch.target ?? { function: s.functionName, ...(s.input === null ? {} : { input: JSON.parse(s.input) as unknown }) },
        enabled: patch.enabled ?? s.enabled,
        flexibleTimeWindow:
          patch.flexibleTimeWindow ??
          (s.flexibleWindowMin === null ? { mode: 'OFF' } : { mode: 'FLEXIBLE', maximumWindowInMinutes: s.flexibleWindowMin }),
      };
      // A new target is checked whole; without one the stored alias or version is kept as it is.
      const write = await prepare(accountId, merged, patch.target ? undefined : { qualifier: s.qualifier });
      const unchanged = merged.expression === s.expression && merged.timezone === s.timezone && s.enabled && write.enabled;
      // Only a change of when it fires moves its ticks: a new target or input keeps the rate's anchor and the next tick.
      const updated = await repo.update(
        accountId,
        name,
        unchanged ? { ...write, anchorAt: s.anchorAt, nextFireAt: s.nextFireAt, nextRunAt: s.nextRunAt } : write,
        clock.now(),
      );
      if (!updated) throw errors.scheduleNotFound(name);
      return toDto(updated);
    },

    async remove(accountId: string, name: string): Promise<void> {
      if (!(await repo.remove(accountId, name))) throw errors.scheduleNotFound(name);
    },

    async ticks(accountId: string, name: string, limit: number) {
      const s = await mustFind(accountId, name);
      return (await repo.ticksOf(accountId, s.id, limit)).map((t) => ({
        tick: t.tick.toISOString(),
        firedAt: t.firedAt.toISOString(),
        requestId: t.requestId,
      }));
    },

    /**
     * One pass of the scheduler: claims due schedules (SKIP LOCKED) and fires their ticks in one
     * transaction with the events they queue. Answers how many ticks fired.
     */
    async fireDue(limit = 50): Promise<number> {
      const now = clock.now();
      const fired = await repo.transaction(async (tx) => {
        let n = 0;
        for (const s of await repo.claimDue(tx, now, limit)) n += await fire(tx, s, now);
        return n;
      });
      if (fired > 0) deps.events.nudge();
      return fired;
    },
  };
}

export type SchedulesService = ReturnType<typeof createSchedulesService>;
