import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { createBatcher } from '../../lib/batcher.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { OutboundHttp } from '../../lib/outbound-http.js';
import { uuid7 } from '../../lib/uuid7.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { SIGNING_SECRET_CONTEXT, describeFailure, newSigningSecret, openSigningSecret, postWebhook } from '../../lib/webhooks.js';
import type { BudgetsService } from '../budgets/budgets.service.js';
import type { FunctionsService } from '../functions/functions.service.js';
import { storedQualifier, type VersionsService } from '../functions/versions.service.js';
import type { InvokeService } from '../functions/invoke.service.js';
import type { UsageService } from '../usage/usage.service.js';
import {
  type AsyncRepository,
  type AsyncStatus,
  type ClaimedDelivery,
  type ClaimedEvent,
  ConfigAliasMissing,
  DEFAULT_MAX_EVENT_AGE_S,
  DEFAULT_MAX_RETRIES,
  type Destination,
  type EventInvokeConfig,
  type NewEvent,
  type Settlement,
} from './async.repository.js';
import { type Condition, destinationRecord, type OutcomeForRecord } from './destination-record.js';
import { configQualifier, qualifierName } from './config-qualifier.js';
import { CAP_RECHECK_MS, DEFAULT_RETRY_BASE_MS, errorRetryDelayMs, throttleDelayMs } from './retry-policy.js';

/** Lambda's limit on an asynchronous event. */
export const MAX_ASYNC_PAYLOAD_BYTES = 256 * 1024;
/** A destination function's own destinations are followed this deep, then dropped: a loop between functions ends. */
export const MAX_DESTINATION_CHAIN = 16;
/** The error payload kept for a later destination record is cut here (it is usually a few hundred bytes). */
const MAX_KEPT_RESPONSE = 256 * 1024;

export interface AsyncOptions {
  /** The first retry's delay after a function error (TALLY_ASYNC_RETRY_BASE_MS); the second waits about twice as long. */
  retryBaseMs?: number;
  /** How long a claim lasts unless its worker renews it: a dead replica's events run again after this. */
  leaseMs?: number;
}

export interface EventInvokeConfigInput {
  maximumRetryAttempts?: number;
  maximumEventAgeS?: number;
  destinations?: { onSuccess?: Destination; onFailure?: Destination };
}

/** How one claimed event ended, with the destination record to write in the same transaction. */
interface Outcome {
  settlement: Settlement;
  functionDestination?: NewEvent;
  webhook?: { accountId: string; requestId: string; functionId: string; qualifier: string | null; url: string; body: string };
}

/**
 * Asynchronous invocation (docs/events.md): events queued durably before the 202, run by workers on
 * every replica through the ordinary invoke path (metered, billed, capped, concurrency-limited),
 * retried as Lambda does, and reported once to their destinations.
 */
export function createAsyncService(deps: {
  repo: AsyncRepository;
  functions: Pick<FunctionsService, 'resolve' | 'get'>;
  /** Whether the alias or published version a configuration names exists. */
  versions: Pick<VersionsService, 'resolve'>;
  invoke: Pick<InvokeService, 'invoke'>;
  budgets: Pick<BudgetsService, 'assertNotCapped' | 'capsInForce'>;
  usage: Pick<UsageService, 'findInvocation'>;
  outbound: OutboundHttp;
  /** Seals the webhook signing secrets stored (configs, deliveries), and opens them to sign. */
  secretBox: SecretBox;
  clock: Clock;
  log: Logger;
  /** The region destination records' `functionArn` names (TALLY_REGION). */
  region: string;
  options?: AsyncOptions;
}) {
  const { repo, clock, log } = deps;
  const retryBaseMs = deps.options?.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const leaseMs = deps.options?.leaseMs ?? 30_000;
  let wake: () => void = () => {};

  const enqueueBatch = createBatcher((events: NewEvent[]) => repo.enqueue(null, events));
  const settleBatch = createBatcher(async (outcomes: Outcome[]) => {
    const queuedDestinations = await repo.transaction(async (tx) => {
      const settled = await repo.settle(
        tx,
        outcomes.map((o) => o.settlement),
      );
      const mine = outcomes.filter((o) => settled.has(o.settlement.id));
      const fnDestinations = mine.flatMap((o) => (o.functionDestination ? [o.functionDestination] : []));
      await repo.enqueue(tx, fnDestinations);
      for (const o of mine) if (o.webhook) await repo.insertDelivery(tx, o.webhook, clock.now());
      return fnDestinations.length;
    });
    if (queuedDestinations > 0) wake();
    return outcomes.map(() => undefined);
  });

  /** The plaintext a claimed delivery is signed with: its own secret, else its function's current one. */
  function secretOf(c: ClaimedDelivery): string | null {
    if (c.deliverySecret !== null)
      return openSigningSecret(deps.secretBox, c.deliverySecret, SIGNING_SECRET_CONTEXT.delivery(c.accountId, c.requestId));
    if (c.configSecret !== null)
      return openSigningSecret(deps.secretBox, c.configSecret, SIGNING_SECRET_CONTEXT.invokeConfig(c.accountId, c.functionId, c.qualifier));
    return null;
  }

  /**
   * The record for the outcome's destination, if it has one: a queued event for a function, a delivery for a webhook.
   * The destinations are those in force now, as the run ends (its configuration may have changed while it ran).
   */
  async function withDestination(
    e: ClaimedEvent,
    settlement: Settlement,
    condition: Condition,
    response: OutcomeForRecord['response'],
  ): Promise<Outcome> {
    const config = await repo.config(e.accountId, e.functionId, e.qualifier);
    const destination = (condition === 'Success' ? config?.onSuccess : config?.onFailure) ?? null;
    if (!destination) return { settlement };
    const now = clock.now();
    if (e.chainDepth >= MAX_DESTINATION_CHAIN) {
      return { settlement: { ...settlement, destination: `skipped: destinations chained ${MAX_DESTINATION_CHAIN} deep (a loop?)` } };
    }
    const body = destinationRecord({
      requestId: e.id,
      region: deps.region,
      accountId: e.accountId,
      functionName: e.functionName,
      // The alias or version the event was queued for, as the function's own ARN names it.
      ...(e.qualifier !== null ? { qualifier: e.qualifier } : e.functionVersion !== null ? { qualifier: String(e.functionVersion) } : {}),
      condition,
      dispatches: e.dispatches,
      at: now,
      requestPayload: e.payload,
      response,
    });
    if (destination.type === 'webhook') {
      return {
        settlement: { ...settlement, destination: `webhook ${destination.url}` },
        // Signed with the secret of the configuration the destination came from: the event's qualifier's.
        webhook: { accountId: e.accountId, requestId: e.id, functionId: e.functionId, qualifier: e.qualifier, url: destination.url, body },
      };
    }
    try {
      const target = await deps.functions.resolve(e.accountId, destination.function);
      const id = uuid7();
      return {
        settlement: { ...settlement, destination: `function ${destination.function} (request ${id})` },
        functionDestination: {
          accountId: e.accountId,
          id,
          functionId: target.config.id,
          functionName: destination.function,
          payload: Buffer.from(body),
          source: 'destination',
          sourceKey: e.id,
          chainDepth: e.chainDepth + 1,
          createdAt: now,
          dueAt: now,
        },
      };
    } catch (err) {
      if (err instanceof AppError && err.code === 'FUNCTION_NOT_FOUND') {
        return { settlement: { ...settlement, destination: `skipped: function ${destination.function} not found` } };
      }
      throw err;
    }
  }

  const base = (e: ClaimedEvent): Omit<Settlement, 'status' | 'attempts' | 'dueAt' | 'finishedAt'> => ({
    accountId: e.accountId,
    id: e.id,
    claimId: e.claimId,
    throttled: false,
    undispatched: false,
    lastError: null,
    lastResponse: null,
    lastVersion: null,
    destination: null,
  });

  /** Runs one claimed event through the invoke path and says how it ended. */
  async function outcomeOf(e: ClaimedEvent): Promise<Outcome> {
    const now = () => clock.now();
    const requeue = (s: Partial<Settlement>, dueInMs: number): Outcome => ({
      settlement: {
        ...base(e),
        status: 'queued',
        attempts: e.attempts,
        dueAt: new Date(now().getTime() + dueInMs),
        finishedAt: null,
        ...s,
      },
    });
    const finish = (status: 'succeeded' | 'failed' | 'expired', s: Partial<Settlement> = {}): Settlement => ({
      ...base(e),
      status,
      attempts: e.attempts,
      dueAt: null,
      finishedAt: now(),
      ...s,
    });
    const lastResponse =
      e.lastResponse && e.lastVersion !== null ? { version: e.lastVersion, functionError: true, payload: e.lastResponse } : null;
    if (e.expired) {
      return withDestination(
        e,
        finish('expired', { lastError: e.lastError ?? 'the event was older than maximumEventAgeS' }),
        'EventAgeExceeded',
        lastResponse,
      );
    }
    try {
      // A function deleted (and perhaps made again) since the event was queued drops it, as Lambda does.
      const target = await deps.functions.resolve(e.accountId, e.functionName);
      if (target.config.id !== e.functionId) throw errors.functionNotFound(e.functionName);
      const r = await deps.invoke.invoke(e.accountId, e.functionName, e.payload, {
        logTail: false,
        requestId: e.claimId,
        version: e.functionVersion ?? undefined,
        // The version an alias named when the event was queued runs; the function's ARN names what the caller named
        // (the alias, as on Lambda), or the version for events queued before the queue kept it.
        ...(e.qualifier !== null ? { qualifier: e.qualifier } : e.functionVersion !== null ? { qualifier: String(e.functionVersion) } : {}),
      });
      const attempts = e.attempts + 1;
      const response = { version: r.version, functionError: r.status !== 'success', payload: r.payload };
      if (r.status === 'success') return withDestination(e, finish('succeeded', { attempts }), 'Success', response);
      const lastError = `${r.errorType ?? (r.status === 'timeout' ? 'Sandbox.Timedout' : 'Unhandled')}: ${errorMessage(r.payload)}`;
      if (attempts > e.maxRetries) {
        return withDestination(e, finish('failed', { attempts, lastError }), 'RetriesExhausted', response);
      }
      return requeue(
        { attempts, lastError, lastResponse: r.payload.subarray(0, MAX_KEPT_RESPONSE), lastVersion: r.version },
        errorRetryDelayMs(retryBaseMs, attempts),
      );
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'BUDGET_EXCEEDED') {
        // This event waits; the rest of the capped queue the next claim holds (repo.hold), unclaimed.
        return requeue({ undispatched: true, lastError: err.message }, CAP_RECHECK_MS);
      }
      if (err.statusCode === 429 || err.statusCode >= 500) {
        return requeue({ throttled: true, undispatched: true, lastError: err.message }, throttleDelayMs(retryBaseMs, e.throttles + 1));
      }
      return withDestination(e, finish('failed', { lastError: err.message }), 'RetriesExhausted', lastResponse);
    }
  }

  /** Resolves a function of the account by name, or a 404 naming it. */
  const functionOf = (accountId: string, name: string) => deps.functions.get(accountId, name);

  /**
   * The function and the qualifier a configuration request names; an alias or version must exist in the
   * caller's account (404 otherwise, as Lambda answers "The function doesn't exist.").
   */
  async function configTarget(accountId: string, functionName: string, qualifier: string | undefined) {
    const q = configQualifier(qualifier);
    const fn = await functionOf(accountId, functionName);
    if (q !== null) {
      await deps.versions.resolve(accountId, functionName, q, { route: false }).catch((err: unknown) => {
        throw err instanceof AppError && err.code === 'FUNCTION_NOT_FOUND' ? qualifierNotFound(functionName, qualifier!) : err;
      });
    }
    return { fn, q };
  }

  /** Where this replica's next claim starts in account order (fairness between accounts; null: from the first). */
  let claimAfter: string | null = null;

  return {
    /** The worker calls this when it should look for work now (an event queued on this replica). */
    onQueued(fn: () => void): void {
      wake = fn;
    },

    /**
     * Queues an event for the function (X-Tally-Invocation-Type: Event): durable before it
     * answers. A hard cap refuses it (402) as it refuses a synchronous call.
     */
    async enqueue(
      accountId: string,
      functionName: string,
      payload: Buffer,
      version?: number,
      /** The alias or version the caller named, for the function's ARN (`$LATEST`: none). */
      qualifier?: string,
    ): Promise<{ requestId: string }> {
      const target = await deps.functions.resolve(accountId, functionName, version);
      deps.budgets.assertNotCapped(accountId, { id: target.config.id, name: target.config.name });
      const now = clock.now();
      const id = uuid7();
      await enqueueBatch.add({
        accountId,
        id,
        functionId: target.config.id,
        functionName,
        payload,
        source: 'api',
        sourceKey: null,
        chainDepth: 0,
        createdAt: now,
        dueAt: now,
        functionVersion: version ?? null,
        // Also the configuration it takes (its retries and age limit now, its destinations when it ends).
        qualifier: storedQualifier(qualifier),
      });
      wake();
      return { requestId: id };
    },

    /** Queues events inside the caller's transaction (a schedule's tick); answers which were new. */
    queueIn: (tx: Transaction<Database>, events: NewEvent[]) => repo.enqueue(tx, events),

    /**
     * An event source's failed batch (docs/sources.md): its record goes to the mapping's failure
     * destination once per `key` (the mapping and the batch): a function gets it as an asynchronous
     * event, a webhook as a signed delivery. Durable when this resolves.
     */
    async queueSourceFailure(f: {
      accountId: string;
      functionId: string;
      /** The mapping the batch came from: its claim is kept while the mapping exists (docs/operations.md, "Record retention"). */
      mappingId: string;
      destination: Destination;
      key: string;
      body: string;
      webhookSecret: string | null;
    }): Promise<string> {
      const now = clock.now();
      // The claim and the record in one transaction: a batch recorded before writes nothing, even once its record is gone.
      const claim = { accountId: f.accountId, id: uuidFromKey(f.key), mappingId: f.mappingId };
      if (f.destination.type === 'webhook') {
        const url = f.destination.url;
        await repo.transaction(async (tx) => {
          if (!(await repo.claimSourceFailure(tx, claim, now))) return;
          await repo.insertDelivery(
            tx,
            {
              accountId: f.accountId,
              requestId: claim.id,
              functionId: f.functionId,
              url,
              body: f.body,
              ...(f.webhookSecret
                ? { webhookSecretSealed: deps.secretBox.seal(f.webhookSecret, SIGNING_SECRET_CONTEXT.delivery(f.accountId, claim.id)) }
                : {}),
            },
            now,
          );
        });
        return `webhook ${url}`;
      }
      const target = await deps.functions.resolve(f.accountId, f.destination.function);
      const event: NewEvent = {
        accountId: f.accountId,
        id: uuid7(),
        functionId: target.config.id,
        functionName: f.destination.function,
        payload: Buffer.from(f.body),
        source: 'event-source',
        sourceKey: f.key,
        chainDepth: 1,
        createdAt: now,
        dueAt: now,
      };
      const queued = await repo.transaction(
        async (tx) => (await repo.claimSourceFailure(tx, claim, now)) && (await repo.enqueue(tx, [event]))[0],
      );
      if (queued) wake();
      return `function ${f.destination.function}`;
    },

    /** After queueIn's transaction committed: run them soon. */
    nudge: () => wake(),

    /** DryRun: the function exists and the account may invoke it. */
    async dryRun(accountId: string, functionName: string): Promise<void> {
      const target = await deps.functions.resolve(accountId, functionName);
      deps.budgets.assertNotCapped(accountId, { id: target.config.id, name: target.config.name });
    },

    /** Claims up to `limit` due events for this replica's worker. */
    async claim(limit: number): Promise<ClaimedEvent[]> {
      const now = clock.now();
      // Events a hard cap holds wait unclaimed: rechecked every CAP_RECHECK_MS while the cap lasts.
      await repo.hold(deps.budgets.capsInForce(), now, new Date(now.getTime() + CAP_RECHECK_MS));
      const { events, next } = await repo.claim(now, leaseMs, limit, claimAfter);
      claimAfter = next;
      return events;
    },

    leaseMs,

    renew: (events: ClaimedEvent[]) => repo.extendLeases(events, new Date(clock.now().getTime() + leaseMs)),

    /**
     * Runs one claimed event and writes how it ended (with its destination record, once). A failure
     * to write leaves the claim to expire: the event then runs again, which at-least-once allows.
     */
    async run(e: ClaimedEvent): Promise<void> {
      const outcome = await outcomeOf(e).catch((err: unknown) => {
        log.error({ err, requestId: e.id }, 'async invocation failed before an outcome; it runs again once its claim expires');
        return null;
      });
      if (outcome) await settleBatch.add(outcome);
    },

    /** One pass of the destination webhook deliveries: signed as budget alerts, retried with backoff for 3 days. */
    async deliverDue(limit = 20): Promise<{ attempted: number; delivered: number }> {
      const now = clock.now();
      const claimed = await repo.claimDeliveries(now, limit);
      let delivered = 0;
      await Promise.all(
        claimed.map(async (c) => {
          let secret: string | null;
          try {
            secret = secretOf(c);
          } catch (err) {
            // Every start checks that every sealed value opens: only a replica on another key gets here.
            log.error({ err, requestId: c.requestId }, 'a destination signing secret does not open with this key; retried later');
            return repo.recordDelivery(c.accountId, c.requestId, false, now, 'the signing secret does not open with this replica key');
          }
          if (secret === null)
            return repo.cancelDelivery(
              c.accountId,
              c.requestId,
              'the event-invoke-config the record came from (or its function or alias) was deleted',
            );
          let status: number | null = null;
          let error: string | null = null;
          try {
            status = await postWebhook(
              deps.outbound,
              { url: c.url, secret, idempotencyKey: c.requestId, body: c.body, at: now, attempt: c.attempt },
              10_000,
            );
          } catch (err) {
            error = describeFailure(err);
          }
          const ok = status !== null && status >= 200 && status < 300;
          if (ok) delivered += 1;
          await repo.recordDelivery(c.accountId, c.requestId, ok, now, ok ? null : (error ?? `HTTP ${status}`));
        }),
      );
      return { attempted: claimed.length, delivered };
    },

    /** GET /v1/invocations/:id: an async event (by its request id, or an attempt's invocation id), else a synchronous one from its usage. */
    async describe(accountId: string, id: string) {
      const inv =
        (await repo.find(accountId, id)) ?? (await repo.requestOfAttempt(accountId, id).then((r) => (r ? repo.find(accountId, r) : null)));
      if (inv) {
        const [attempts, delivery] = await Promise.all([repo.attemptsOf(accountId, inv.id), repo.deliveryOf(accountId, inv.id)]);
        return {
          requestId: inv.id,
          functionName: inv.functionName,
          type: 'async' as const,
          status: inv.status,
          attempts: inv.attempts,
          ...(inv.lastError ? { lastError: inv.lastError } : {}),
          source: inv.source,
          throttles: inv.throttles,
          queuedAt: inv.createdAt.toISOString(),
          expiresAt: inv.expiresAt.toISOString(),
          nextAttemptAt: inv.status === 'queued' ? inv.dueAt.toISOString() : null,
          finishedAt: inv.finishedAt?.toISOString() ?? null,
          invocationIds: attempts.map((a) => a.invocationId),
          destination: inv.destination,
          ...(delivery ? { destinationDelivery: { ...delivery, deliveredAt: delivery.deliveredAt?.toISOString() ?? null } } : {}),
        };
      }
      const sync = await deps.usage.findInvocation(accountId, id);
      if (!sync) throw errors.invocationNotFound(id);
      return {
        requestId: id.toLowerCase(),
        functionName: sync.functionId,
        type: 'sync' as const,
        status: sync.status === 'success' ? ('succeeded' as const) : ('failed' as const),
        attempts: 1,
        ...(sync.status === 'success' ? {} : { lastError: sync.status === 'timeout' ? 'timeout' : 'function error' }),
      };
    },

    async list(accountId: string, functionName: string, q: { status?: AsyncStatus; limit: number; before?: string }) {
      await functionOf(accountId, functionName);
      const rows = await repo.list({ accountId, functionName, status: q.status ?? null, limit: q.limit, before: q.before ?? null });
      return {
        invocations: rows.map((r) => ({
          requestId: r.id,
          status: r.status,
          source: r.source,
          attempts: r.attempts,
          ...(r.lastError ? { lastError: r.lastError } : {}),
          queuedAt: r.createdAt.toISOString(),
          finishedAt: r.finishedAt?.toISOString() ?? null,
        })),
        next: rows.length === q.limit ? rows[rows.length - 1]!.id : null,
      };
    },

    /** One qualifier's configuration (`$LATEST`'s when absent); the defaults, `lastModified` null, until it is set. */
    async getConfig(accountId: string, functionName: string, qualifier?: string) {
      const { fn, q } = await configTarget(accountId, functionName, qualifier);
      return toConfigDto(functionName, q, await repo.config(accountId, fn.id, q));
    },

    /**
     * The age limit an event queued now for the function's `qualifier` (null: `$LATEST`) takes, as `enqueue` reads
     * it: that qualifier's own configuration, else the default (no fallback to `$LATEST`'s).
     */
    async maximumEventAgeS(accountId: string, functionId: string, qualifier: string | null): Promise<number> {
      return (await repo.config(accountId, functionId, qualifier))?.maximumEventAgeS ?? DEFAULT_MAX_EVENT_AGE_S;
    },

    /** Every configuration set on the function: `$LATEST`'s, its versions', its aliases'. */
    async listConfigs(accountId: string, functionName: string) {
      const fn = await functionOf(accountId, functionName);
      return (await repo.configs(accountId, fn.id)).map((c) => toConfigDto(functionName, c.qualifier, c));
    },

    /**
     * Replaces the configuration of the function's `qualifier` (absent: `$LATEST`), which must exist. A
     * function destination must exist; a webhook is checked against the same address rules as budget alerts.
     * Each configuration has its own signing secret, made the first time a webhook destination is set on it
     * and shown in that answer only.
     */
    async putConfig(accountId: string, functionName: string, input: EventInvokeConfigInput, qualifier?: string) {
      const { fn, q } = await configTarget(accountId, functionName, qualifier);
      const dests = [
        ['destinations.onSuccess', input.destinations?.onSuccess],
        ['destinations.onFailure', input.destinations?.onFailure],
      ] as const;
      for (const [field, d] of dests) {
        // The function itself (any of its versions or aliases), as Lambda refuses it: each run would queue the next,
        // one event running (and billed) 17 times until the chain's depth limit.
        if (d?.type === 'function' && d.function === functionName)
          throw errors.validation(`${field}.function: a function cannot be its own destination`, [{ field }]);
        if (d?.type === 'function') {
          await functionOf(accountId, d.function).catch(() => {
            throw errors.validation(`${field}.function: no function named ${d.function} in this account`, [{ field }]);
          });
        }
        if (d?.type === 'webhook') await deps.outbound.check(`${field}.url`, d.url);
      }
      const current = await repo.config(accountId, fn.id, q);
      const needsSecret = dests.some(([, d]) => d?.type === 'webhook') && !current?.webhookSecret;
      const made = needsSecret ? newSigningSecret() : null;
      // Shown only if it is the one stored: a write racing this one may have stored its own first.
      const stored = await repo
        .putConfig(
          accountId,
          {
            functionId: fn.id,
            qualifier: q,
            // Left out: unset (null), and the default applies; stored as such so the Lambda API answers only what was set.
            maximumRetryAttempts: input.maximumRetryAttempts ?? null,
            maximumEventAgeS: input.maximumEventAgeS ?? null,
            onSuccess: input.destinations?.onSuccess ?? null,
            onFailure: input.destinations?.onFailure ?? null,
            webhookSecret: made ? deps.secretBox.seal(made, SIGNING_SECRET_CONTEXT.invokeConfig(accountId, fn.id, q)) : null,
          },
          clock.now(),
        )
        .catch((err: unknown) => {
          throw err instanceof ConfigAliasMissing ? qualifierNotFound(functionName, qualifier ?? '') : err;
        });
      const dto = toConfigDto(functionName, q, await repo.config(accountId, fn.id, q));
      return made && stored ? { ...dto, webhookSecret: made } : dto;
    },

    async deleteConfig(accountId: string, functionName: string, qualifier?: string): Promise<void> {
      const { fn, q } = await configTarget(accountId, functionName, qualifier);
      if (!(await repo.deleteConfig(accountId, fn.id, q))) {
        const whose = q === null ? `Function ${functionName}` : `${functionName}:${q}`;
        throw new AppError('NOT_FOUND', 404, `${whose} has no event-invoke-config`);
      }
    },
  };
}

/**
 * A uuid made from a key (sha-256, version 8 bits): the same batch's claim and webhook delivery row each
 * time. Migration 0098 computes the same in SQL for the records written before it.
 */
export function uuidFromKey(key: string): string {
  const h = createHash('sha256').update(key).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const qualifierNotFound = (functionName: string, qualifier: string) =>
  new AppError('FUNCTION_NOT_FOUND', 404, `qualifier: function ${functionName} has no alias or published version ${qualifier}`, [
    { field: 'qualifier' },
  ]);

function toConfigDto(functionName: string, qualifier: string | null, c: EventInvokeConfig | null) {
  return {
    functionName,
    qualifier: qualifierName(qualifier),
    maximumRetryAttempts: c?.maximumRetryAttempts ?? DEFAULT_MAX_RETRIES,
    maximumEventAgeS: c?.maximumEventAgeS ?? DEFAULT_MAX_EVENT_AGE_S,
    /** The limits set (the others are the defaults): the Lambda API answers these only; /v1's schema leaves it out. */
    set: { maximumRetryAttempts: (c?.maximumRetryAttempts ?? null) !== null, maximumEventAgeS: (c?.maximumEventAgeS ?? null) !== null },
    destinations: {
      ...(c?.onSuccess ? { onSuccess: c.onSuccess } : {}),
      ...(c?.onFailure ? { onFailure: c.onFailure } : {}),
    },
    lastModified: c?.updatedAt.toISOString() ?? null,
  };
}

/** The errorMessage of a function's error JSON, for lastError; never more than a line. */
function errorMessage(payload: Buffer): string {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 500);
  } catch {
    /* not JSON */
  }
  return payload.toString('utf8', 0, 200);
}

export type AsyncService = ReturnType<typeof createAsyncService>;
