import { randomUUID } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { AsyncService } from '../modules/async/async.service.js';
import type { InvokeService } from '../modules/functions/invoke.service.js';
import { type BatchRunner, createBatchRunner } from '../modules/sources/batch-runner.js';
import { pollMqtt } from '../modules/sources/pollers/mqtt.js';
import { pollNats } from '../modules/sources/pollers/nats.js';
import { pollPostgres } from '../modules/sources/pollers/postgres.js';
import type { Poller } from '../modules/sources/pollers/poller.js';
import { pollRabbitMq } from '../modules/sources/pollers/rabbitmq.js';
import { pollRedis } from '../modules/sources/pollers/redis.js';
import type { Mapping, SourceType } from '../modules/sources/sources.repository.js';
import type { SourcesService } from '../modules/sources/sources.service.js';

const POLLERS: Record<Exclude<SourceType, 's3-webhook'>, Poller> = {
  rabbitmq: pollRabbitMq,
  mqtt: pollMqtt,
  nats: pollNats,
  redis: pollRedis,
  postgres: pollPostgres,
};

export interface EventSourcesOptions {
  /** How long a mapping's lease lasts unless renewed (TALLY_ASYNC_LEASE_S): a dead replica's mappings are taken over after this. */
  leaseMs?: number;
  /** TALLY_ASYNC_RETRY_BASE_MS: the first retry's delay after a function error. */
  retryBaseMs?: number;
}

interface Running {
  mapping: Mapping;
  abort: AbortController;
  /** Absent when the mapping's secrets did not open (no poller runs). */
  runner?: BatchRunner;
  done: Promise<void>;
  /** Reported by the poller, written at the next pass. */
  pending: { result?: string; lag?: bigint | null };
  written: { result?: string };
}

/**
 * The event source pollers of one api replica (docs/sources.md, "Leases"). Every pass (a third of
 * the lease) it takes the enabled mappings nobody holds, renews its own, starts a poller for each
 * it newly holds and stops those it no longer holds (disabled, deleted, or taken by another replica
 * after this one stalled) at once, and those that were changed once their batches in flight are done,
 * then starts them again with the new settings. Postgres decides who holds what, so exactly one
 * poller runs per mapping and a dead replica's mappings move within a lease.
 */
export function startEventSources(deps: {
  sources: SourcesService;
  invoke: Pick<InvokeService, 'invoke'>;
  events: Pick<AsyncService, 'queueSourceFailure'>;
  clock: Clock;
  log: Logger;
  options?: EventSourcesOptions;
}) {
  const log = deps.log.child({ job: 'event-sources' });
  const holder = randomUUID();
  const leaseMs = deps.options?.leaseMs ?? 30_000;
  const retryBaseMs = deps.options?.retryBaseMs ?? 60_000;
  // The records' and failure records' ARNs name the region the mappings' own ARNs do.
  const region = deps.sources.region;
  const running = new Map<string, Running>();
  /** Pollers told to stop that have not yet (their batch in flight finishing), by mapping id. */
  const stopping = new Map<string, { done: Promise<void>; abort: AbortController }>();
  let stopped = false;

  function start(m: Mapping): void {
    const abort = new AbortController();
    const mlog = log.child({ mappingId: m.id, source: m.sourceType });
    const r: Running = { mapping: m, abort, done: Promise.resolve(), pending: {}, written: {} };
    // Only the latest result is written, and only when it differs from what the row already says.
    const report = (result: string) => {
      if (r.written.result === result) delete r.pending.result;
      else r.pending.result = result;
    };
    let url: string;
    let webhookSecret: string | null;
    try {
      url = deps.sources.openUrl(m);
      webhookSecret = deps.sources.openWebhookSecret(m);
    } catch (err) {
      mlog.error({ err }, 'the broker URL or failure webhook secret does not open with this key; the mapping cannot be polled');
      r.pending.result = 'PROBLEM: the broker URL or failure webhook secret does not open with this replica key (TALLY_SECRET_KEY)';
      running.set(m.id, r);
      return;
    }
    const runner = createBatchRunner(
      { invoke: deps.invoke, targetOf: deps.sources.targetOf, events: deps.events, clock: deps.clock, log: mlog, retryBaseMs, region },
      { ...m, webhookSecret },
      abort.signal,
      report,
    );
    r.runner = runner;
    r.done = POLLERS[m.sourceType as Exclude<SourceType, 's3-webhook'>]({
      mapping: m,
      region,
      url,
      holder,
      leaseMs,
      runner,
      signal: abort.signal,
      log: mlog,
      subscribed: () => {
        // A poller finishing its batches for a change is not the one the change made Enabled.
        if (running.get(m.id) !== r) return;
        deps.sources.markSubscribed(holder, m.id).catch((err: unknown) => mlog.warn({ err }, 'marking a mapping Enabled failed'));
      },
      lag: (n) => {
        r.pending.lag = n;
      },
      report,
      checkAddress: () => deps.sources.guardUrl(url),
    }).catch((err: unknown) => mlog.error({ err }, 'an event source poller ended with an error'));
    running.set(m.id, r);
  }

  /**
   * Stops a poller without the pass waiting for it: its batch in flight may run for as long as its
   * function may (15 minutes), and meanwhile the pass must go on renewing this replica's other leases,
   * or another replica would take them and run their batches a second time. Until it has stopped, the
   * mapping is not started again here; once it has, a pass runs at once (to give back a disabled one,
   * start a changed one again, or clean up after a deleted one).
   *
   * `finishBatches` (the mapping was changed): its batches in flight end under the settings they started with and
   * are acknowledged, and no new one starts; then the poller is stopped. Without it (disabled, deleted, lease lost,
   * shutdown) it stops at once and its batch in flight is left unacknowledged to the broker.
   */
  function stopOne(id: string, finishBatches = false): Promise<void> {
    const r = running.get(id);
    if (!r) return stopping.get(id)?.done ?? Promise.resolve();
    running.delete(id);
    if (finishBatches && r.runner) void r.runner.finish().then(() => r.abort.abort());
    else r.abort.abort();
    const done = r.done
      .then(() => writePending(id, r))
      .then(() => afterStop(r.mapping))
      .finally(() => {
        stopping.delete(id);
        if (!stopped) void tick();
      });
    stopping.set(id, { done, abort: r.abort });
    return done;
  }

  /**
   * Writes what a poller reported since the last write, if this replica still holds the mapping (a deleted one or a
   * lost lease writes nothing). Each pass does it for the running pollers, and a stopped poller's last reports (the
   * outcome of the batches a change let it finish, a function that failed among them included) are written before
   * the next poller of the mapping starts.
   */
  async function writePending(id: string, r: Running): Promise<void> {
    const p = r.pending;
    if (p.result === undefined && p.lag === undefined) return;
    r.pending = {};
    if (p.result !== undefined) r.written.result = p.result;
    await deps.sources.report(holder, id, p).catch((err: unknown) => log.warn({ err }, 'writing a mapping status failed'));
  }

  /** A deleted mapping's poller stopped: what Tally made on the broker goes, now that it cannot be made again. */
  async function afterStop(m: Mapping): Promise<void> {
    try {
      if ((await deps.sources.existing([m.id])).has(m.id)) return;
      const problem = await deps.sources.forgetBroker(m);
      if (problem) log.warn({ mappingId: m.id, problem }, 'a deleted mapping left state on its broker');
    } catch (err) {
      log.warn({ err, mappingId: m.id }, 'could not clean up after a deleted mapping');
    }
  }

  async function pass(): Promise<void> {
    const held = await deps.sources.acquire(holder, leaseMs);
    if (stopped) return;
    const byId = new Map(held.map((m) => [m.id, m]));
    for (const id of [...running.keys()]) {
      const now = byId.get(id);
      if (!now) void stopOne(id);
      else if (now.updatedAt.getTime() !== running.get(id)!.mapping.updatedAt.getTime()) void stopOne(id, true);
    }
    // One finishing its batches for a change, since disabled, deleted or lost: it stops now.
    for (const [id, s] of stopping) if (!byId.has(id)) s.abort.abort();
    // Disabled ones this replica held are given back (and become Disabled) once their poller stopped.
    const disabled = (await deps.sources.heldDisabled(holder)).filter((id) => !stopping.has(id));
    await deps.sources.release(holder, disabled);
    for (const m of held) if (!running.has(m.id) && !stopping.has(m.id) && !stopped) start(m);
    for (const [id, r] of running) await writePending(id, r);
  }

  let passing: Promise<void> = Promise.resolve();
  const tick = () => {
    passing = passing.then(() =>
      pass().catch((err: unknown) => log.error({ err }, 'event source lease pass failed; the next pass retries')),
    );
    return passing;
  };
  deps.sources.onChanged(() => void tick());
  const timer = setInterval(tick, Math.max(100, Math.floor(leaseMs / 3)));
  timer.unref();
  void tick();

  return {
    holder,
    /** Runs a lease pass now (tests). */
    pass: tick,
    /** The mappings with a poller on this replica, running or still stopping. */
    running: () => [...new Set([...running.keys(), ...stopping.keys()])],
    /** Stops every poller (their unfinished batches stay with the brokers) and gives the leases back. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      deps.sources.onChanged(() => {});
      await passing;
      const ids = [...new Set([...running.keys(), ...stopping.keys()])];
      for (const id of [...running.keys()]) void stopOne(id);
      for (const s of stopping.values()) s.abort.abort();
      await Promise.all([...stopping.values()].map((s) => s.done));
      await deps.sources.release(holder, ids).catch((err: unknown) => log.warn({ err }, 'giving back mapping leases failed'));
    },
  };
}

export type EventSources = ReturnType<typeof startEventSources>;
