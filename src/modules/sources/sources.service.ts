import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { mappingArn } from '../../lib/arns.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import type { OutboundHttp } from '../../lib/outbound-http.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { uuid7 } from '../../lib/uuid7.js';
import { SIGNING_SECRET_CONTEXT, newSigningSecret, openSigningSecret } from '../../lib/webhooks.js';
import type { Destination } from '../async/async.repository.js';
import type { AsyncService } from '../async/async.service.js';
import type { FunctionsService } from '../functions/functions.service.js';
import type { InvokeOptions } from '../functions/invoke.service.js';
import { LATEST, storedQualifier, type VersionsService } from '../functions/versions.service.js';
import type { BrokerAddressCheck } from './broker-address.js';
import { checkBrokerUrl } from './broker-url.js';
import { forgetMqtt } from './pollers/mqtt.js';
import { forgetNats } from './pollers/nats.js';
import { forgetRedis } from './pollers/redis.js';
import { defaultSlotName, dropSlot, prepareSlot, validName } from './postgres-slot.js';
import type { Mapping, MappingChange, SourceSettings, SourceType, SourcesRepository } from './sources.repository.js';

/** The settings of a mapping that may change after it is made (Lambda's UpdateEventSourceMapping). */
export type MappingOptions = Pick<
  MappingInput,
  'batchSize' | 'maximumBatchingWindowS' | 'maximumConcurrency' | 'maximumRetryAttempts' | 'functionResponseTypes' | 'destinations'
>;

/**
 * A change: any of these; `functionName` without `qualifier` names the function's $LATEST. `source` is refused: the
 * queue, stream or URL is what the mapping is (a new source is a new mapping, as on Lambda).
 */
export type MappingChangeInput = MappingOptions &
  Partial<Pick<MappingInput, 'functionName' | 'qualifier' | 'enabled'>> & {
    source?: unknown;
  };

export interface MappingInput {
  functionName: string;
  /** An alias name or a published version number of the function; absent or `$LATEST`: its latest version. */
  qualifier?: string;
  source: {
    type: SourceType;
    url?: string;
    queue?: string;
    topic?: string;
    qos?: 0 | 1;
    stream?: string;
    subject?: string;
    group?: string;
    startingPosition?: 'TRIM_HORIZON' | 'LATEST';
    publication?: string;
    slot?: string;
  };
  batchSize?: number;
  maximumBatchingWindowS?: number;
  maximumConcurrency?: number;
  maximumRetryAttempts?: number;
  enabled?: boolean;
  functionResponseTypes?: 'ReportBatchItemFailures'[];
  destinations?: { onFailure?: Destination };
}

/** Lambda's limit on an asynchronous event: one S3 notification is queued as one. */
const MAX_NOTIFICATION_BYTES = 256 * 1024;

/** Fields each source type needs, and those it may carry. */
const FIELDS: Record<SourceType, { needs: string[]; may: string[] }> = {
  rabbitmq: { needs: ['url', 'queue'], may: [] },
  mqtt: { needs: ['url', 'topic'], may: ['qos'] },
  nats: { needs: ['url', 'stream'], may: ['subject', 'group', 'startingPosition'] },
  redis: { needs: ['url', 'stream'], may: ['group', 'startingPosition'] },
  postgres: { needs: ['url', 'publication'], may: ['slot', 'startingPosition'] },
  's3-webhook': { needs: [], may: [] },
};

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Event source mappings (docs/sources.md): the CRUD that the /v1 routes (and later the Lambda API's
 * CreateEventSourceMapping) translate onto, returning plain objects; the lease operations the
 * poller job runs on; and the s3-webhook intake.
 */
/**
 * Takes out of `change` what the mapping already has, so that a request restating its settings (Terraform sends them
 * all on every apply; `enabled: true` on an enabled mapping) writes nothing and leaves the poller running: a change
 * makes the poller finish its batches in flight and start again.
 */
function dropUnchanged(m: Mapping, change: MappingChange): void {
  const fn = change.function;
  if (fn !== undefined && fn.id === m.functionId && fn.name === m.functionName && fn.qualifier === m.qualifier) delete change.function;
  if (change.batchSize === m.batchSize) delete change.batchSize;
  if (change.batchingWindowMs === m.batchingWindowMs) delete change.batchingWindowMs;
  if (change.maximumConcurrency === m.maximumConcurrency) delete change.maximumConcurrency;
  if (change.maximumRetryAttempts === m.maximumRetryAttempts) delete change.maximumRetryAttempts;
  if (change.reportItemFailures === m.reportItemFailures) delete change.reportItemFailures;
  if (change.enabled === m.enabled) delete change.enabled;
  const dest = change.onFailure;
  if (
    dest !== undefined &&
    isDeepStrictEqual(dest?.destination ?? null, m.onFailure) &&
    (dest?.webhookSecretSealed ?? null) === m.webhookSecretSealed
  )
    delete change.onFailure;
}

export function createSourcesService(deps: {
  repo: SourcesRepository;
  functions: Pick<FunctionsService, 'get' | 'resolve'>;
  versions: Pick<VersionsService, 'resolve'>;
  events: Pick<AsyncService, 'enqueue'>;
  outbound: Pick<OutboundHttp, 'check'>;
  /** Refuses broker URLs that reach the platform's own services (its database, the api, metadata addresses). */
  brokerAddress: BrokerAddressCheck;
  secretBox: SecretBox;
  clock: Clock;
  /** The region mapping ARNs name (TALLY_REGION); the pollers' records name it too (src/jobs/event-sources.ts). */
  region: string;
}) {
  const { repo, clock, region } = deps;
  let changed: () => void = () => {};

  const notFound = (id: string) => new AppError('NOT_FOUND', 404, `Event source mapping ${id} was not found`);

  function toDto(m: Mapping) {
    const { queue, topic, qos, stream, subject, group, startingPosition, publication, slot } = m.source;
    return {
      id: m.id,
      eventSourceMappingArn: mappingArn({ region, accountId: m.accountId }, m.id),
      functionName: m.functionName,
      qualifier: m.qualifier ?? LATEST,
      source: {
        type: m.sourceType,
        ...(m.urlRedacted ? { url: m.urlRedacted } : {}),
        ...(queue !== undefined ? { queue } : {}),
        ...(topic !== undefined ? { topic } : {}),
        ...(qos !== undefined ? { qos } : {}),
        ...(stream !== undefined ? { stream } : {}),
        ...(subject !== undefined ? { subject } : {}),
        ...(group !== undefined ? { group } : {}),
        ...(startingPosition !== undefined ? { startingPosition } : {}),
        ...(publication !== undefined ? { publication } : {}),
        ...(slot !== undefined ? { slot } : {}),
      },
      batchSize: m.batchSize,
      maximumBatchingWindowS: m.batchingWindowMs / 1000,
      maximumConcurrency: m.maximumConcurrency,
      maximumRetryAttempts: m.maximumRetryAttempts,
      functionResponseTypes: m.reportItemFailures ? ['ReportBatchItemFailures'] : [],
      destinations: m.onFailure ? { onFailure: m.onFailure } : {},
      enabled: m.enabled,
      state: m.state,
      lastProcessingResult: m.lastProcessingResult,
      lag: m.lag === null ? null : Number(m.lag),
      lagMeasuredAt: m.lagAt?.toISOString() ?? null,
      lastModified: m.updatedAt.toISOString(),
      ...(m.sourceType === 's3-webhook' ? { endpointPath: `/v1/event-source-mappings/${m.id}/notifications` } : {}),
    };
  }

  /** The source's fields for its type; answers what the poller subscribes to beside the URL. Checked at creation only: a source never changes. */
  function checkSource(input: MappingInput): SourceSettings {
    const s = input.source;
    const { needs, may } = FIELDS[s.type];
    for (const f of needs) {
      if (s[f as keyof typeof s] === undefined)
        throw errors.validation(`source.${f} is required for a ${s.type} source`, [{ field: `source.${f}` }]);
    }
    for (const [f, v] of Object.entries(s)) {
      if (v !== undefined && f !== 'type' && !needs.includes(f) && !may.includes(f)) {
        throw errors.validation(`source.${f} does not apply to a ${s.type} source`, [{ field: `source.${f}` }]);
      }
    }
    for (const f of ['publication', 'slot'] as const) {
      const v = s[f];
      if (v !== undefined && !validName(v)) {
        throw errors.validation(`source.${f}: lower-case letters, digits and underscores, at most 63`, [{ field: `source.${f}` }]);
      }
    }
    checkOptions(s.type, input);
    const { type: _type, url: _url, ...settings } = s;
    return settings;
  }

  /**
   * The settings a source type allows, given at creation or in a change: the same rules for both, on the values
   * given (an absent one is the default, or what the mapping has, which passed them already).
   */
  function checkOptions(type: SourceType, input: MappingOptions): void {
    const reportItems = input.functionResponseTypes?.includes('ReportBatchItemFailures') ?? false;
    if (reportItems && type !== 'nats' && type !== 'redis' && type !== 'postgres') {
      throw errors.validation('functionResponseTypes: ReportBatchItemFailures applies to stream sources (nats, redis, postgres)', [
        { field: 'functionResponseTypes' },
      ]);
    }
    if (type === 'mqtt' && input.batchSize !== undefined && input.batchSize !== 1) {
      throw errors.validation('batchSize: an mqtt source invokes once per message (batchSize 1)', [{ field: 'batchSize' }]);
    }
    if (input.maximumConcurrency !== undefined && input.maximumConcurrency > 1 && type !== 'rabbitmq' && type !== 'redis') {
      throw errors.validation('maximumConcurrency: only rabbitmq and redis sources run batches at once (other streams keep their order)', [
        { field: 'maximumConcurrency' },
      ]);
    }
    if (type === 'redis' && (input.maximumConcurrency ?? 1) > 16) {
      throw errors.validation('maximumConcurrency: a redis source runs at most 16 batches at once (a connection each)', [
        { field: 'maximumConcurrency' },
      ]);
    }
    if (type === 's3-webhook' && (input.batchSize !== undefined || input.maximumBatchingWindowS !== undefined || input.destinations)) {
      throw errors.validation(
        "s3-webhook: each notification is one asynchronous invocation; its retries and destinations are the event-invoke-config of the mapping's qualifier (the function's $LATEST, or its alias or version)",
        [{ field: 'source.type' }],
      );
    }
  }

  async function checkDestination(accountId: string, d: Destination | undefined): Promise<void> {
    if (d?.type === 'function') {
      await deps.functions.get(accountId, d.function).catch(() => {
        throw errors.validation(`destinations.onFailure.function: no function named ${d.function} in this account`, [
          { field: 'destinations.onFailure' },
        ]);
      });
    }
    if (d?.type === 'webhook') await deps.outbound.check('destinations.onFailure.url', d.url);
  }

  /**
   * The mapping's alias or version, checked when it is made: it must exist in the function (404 otherwise, nothing
   * written). Whether it still does when a batch runs is `targetOf`'s question.
   */
  async function checkQualifier(accountId: string, functionName: string, qualifier: string | undefined): Promise<string | null> {
    if (qualifier === undefined || qualifier === LATEST) return null;
    await deps.versions.resolve(accountId, functionName, qualifier, { route: false }).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'FUNCTION_NOT_FOUND') {
        throw new AppError(
          'FUNCTION_NOT_FOUND',
          404,
          `qualifier: function ${functionName} has no alias or published version ${qualifier}`,
          [{ field: 'qualifier' }],
        );
      }
      throw err;
    });
    // `01` is version 1, kept as `1`, as schedules and event-invoke configurations keep it (and as a list by `f:1` finds it).
    return storedQualifier(qualifier);
  }

  /**
   * What one invocation of the mapping runs, resolved when it runs (not when the mapping was made): an alias moved
   * since takes effect for the next batch, and a weighted alias draws its version per invocation, as every invoke
   * path does. The function sees the qualifier in context.invokedFunctionArn, and the version that ran is the one
   * billed. An alias deleted since throws FUNCTION_NOT_FOUND: the batch fails, it never runs $LATEST instead.
   */
  async function targetOf(
    m: Pick<Mapping, 'accountId' | 'functionName' | 'qualifier'>,
  ): Promise<Pick<InvokeOptions, 'version' | 'qualifier'>> {
    if (m.qualifier === null) return {};
    const { version } = await deps.versions.resolve(m.accountId, m.functionName, m.qualifier);
    return { version, qualifier: m.qualifier };
  }

  async function find(accountId: string, id: string): Promise<Mapping> {
    const m = await repo.find(accountId, id);
    if (!m) throw notFound(id);
    return m;
  }

  /**
   * Removes what Tally made on the broker for a deleted mapping: a NATS durable consumer, a Redis consumer
   * group (each only if Tally named it) or an MQTT persistent session. Idempotent; answers a problem to
   * report, or null. (A Postgres slot is dropped by `remove`; a RabbitMQ queue is the user's own.)
   */
  async function forgetBroker(m: Mapping): Promise<string | null> {
    const forget = { nats: forgetNats, redis: forgetRedis, mqtt: forgetMqtt }[m.sourceType as 'nats' | 'redis' | 'mqtt'];
    if (!forget) return null;
    try {
      await forget(m, deps.secretBox.open(m.urlSealed!, m.id));
      return null;
    } catch (err) {
      return `PROBLEM: what Tally made on the broker for this mapping was not removed (${err instanceof Error ? err.message : String(err)})`;
    }
  }
  return {
    toDto,
    /** TALLY_REGION, for the pollers' records: one setting names every ARN of a mapping. */
    region,

    async create(accountId: string, input: MappingInput) {
      const settings = checkSource(input);
      const type = input.source.type;
      const fn = await deps.functions.get(accountId, input.functionName);
      const qualifier = await checkQualifier(accountId, input.functionName, input.qualifier);
      const onFailure = input.destinations?.onFailure ?? null;
      await checkDestination(accountId, onFailure ?? undefined);
      const id = uuid7();
      const broker = type === 's3-webhook' ? null : checkBrokerUrl(type, input.source.url!);
      if (broker) await deps.brokerAddress.check('source.url', broker.url);
      const token = type === 's3-webhook' ? `tsk_${randomBytes(32).toString('base64url')}` : null;
      const webhookSecret = onFailure?.type === 'webhook' ? newSigningSecret() : null;
      const enabled = input.enabled ?? true;
      if (type === 'postgres') {
        // The slot is made now, not by the poller: a bad URL, publication or role is answered here, the
        // stream starts at the mapping's creation even if it is created disabled, and a poller never
        // makes again a slot that the mapping's deletion dropped.
        settings.slot ??= defaultSlotName(id);
        const { created } = await prepareSlot(broker!.url, {
          publication: settings.publication!,
          slot: settings.slot,
          startingPosition: settings.startingPosition ?? 'TRIM_HORIZON',
        });
        settings.slotOwned = created;
      }
      const now = clock.now();
      const inserting = repo.insert({
        accountId,
        id,
        functionId: fn.id,
        functionName: input.functionName,
        qualifier,
        sourceType: type,
        // Bound to the mapping's id: a sealed URL copied onto another mapping does not open.
        urlSealed: broker ? deps.secretBox.seal(broker.url, id) : null,
        urlRedacted: broker?.redacted ?? null,
        source: settings,
        batchSize: type === 'mqtt' || type === 's3-webhook' ? 1 : (input.batchSize ?? 100),
        batchingWindowMs: Math.round((input.maximumBatchingWindowS ?? (type === 'rabbitmq' ? 0.5 : 0)) * 1000),
        maximumConcurrency: input.maximumConcurrency ?? 1,
        maximumRetryAttempts: input.maximumRetryAttempts ?? 2,
        reportItemFailures: input.functionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
        onFailure,
        webhookSecretSealed: webhookSecret ? deps.secretBox.seal(webhookSecret, SIGNING_SECRET_CONTEXT.mapping(id)) : null,
        tokenHash: token ? hashToken(token) : null,
        enabled,
        state: type === 's3-webhook' ? (enabled ? 'Enabled' : 'Disabled') : enabled ? 'Creating' : 'Disabled',
        createdAt: now,
        updatedAt: now,
      });
      // A slot made for a mapping that was not stored would keep the user's WAL forever.
      const m = await inserting.catch(async (err: unknown) => {
        if (settings.slotOwned) await dropSlot(broker!.url, settings.slot!);
        throw err;
      });
      changed();
      return { ...toDto(m), ...(token ? { token } : {}), ...(webhookSecret ? { webhookSecret } : {}) };
    },

    get: async (accountId: string, id: string) => toDto(await find(accountId, id)),

    /** `qualifier`: only the mappings on that alias or version (`$LATEST`: those on none), as Lambda lists `f:live`. */
    async list(accountId: string, q: { functionName?: string; qualifier?: string; limit: number; after?: string }) {
      const qualifier = q.qualifier === undefined ? undefined : storedQualifier(q.qualifier);
      const rows = await repo.list(accountId, q.functionName ?? null, qualifier, q.limit, q.after ?? null);
      return { eventSourceMappings: rows.map(toDto), next: rows.length === q.limit ? rows[rows.length - 1]!.id : null };
    },

    /**
     * Changes a mapping (docs/sources.md, "Changing a mapping"): each field given is checked as creation checks it,
     * then all are written in one statement, or nothing is. The poller follows at its lease pass: its batches in
     * flight end under the old settings, and the next batch runs with the new ones (state Updating until then;
     * Enabling or Disabling for `enabled`). Answers the mapping with `webhookSecret` when a webhook failure
     * destination was added (shown once; changing its URL keeps the secret).
     */
    async update(accountId: string, id: string, input: MappingChangeInput) {
      if (input.source !== undefined) {
        throw errors.validation(
          'source: the queue, topic, stream, URL or starting position of a mapping cannot change; create a new mapping for another source',
          [{ field: 'source' }],
        );
      }
      const m = await find(accountId, id);
      checkOptions(m.sourceType, input);
      const change: MappingChange = {};
      if (input.functionName !== undefined || input.qualifier !== undefined) {
        // A function named without a qualifier is its $LATEST (as Lambda reads FunctionName); a qualifier alone stays on the function.
        const name = input.functionName ?? m.functionName;
        const fn = await deps.functions.get(accountId, name);
        change.function = { id: fn.id, name, qualifier: await checkQualifier(accountId, name, input.qualifier) };
      }
      if (input.batchSize !== undefined) change.batchSize = input.batchSize;
      if (input.maximumBatchingWindowS !== undefined) change.batchingWindowMs = Math.round(input.maximumBatchingWindowS * 1000);
      if (input.maximumConcurrency !== undefined) change.maximumConcurrency = input.maximumConcurrency;
      if (input.maximumRetryAttempts !== undefined) change.maximumRetryAttempts = input.maximumRetryAttempts;
      if (input.functionResponseTypes !== undefined)
        change.reportItemFailures = input.functionResponseTypes.includes('ReportBatchItemFailures');
      let webhookSecret: string | null = null;
      if (input.destinations !== undefined) {
        const onFailure = input.destinations.onFailure;
        await checkDestination(accountId, onFailure);
        let sealed: string | null = null;
        if (onFailure?.type === 'webhook') {
          if (m.onFailure?.type === 'webhook' && m.webhookSecretSealed !== null) sealed = m.webhookSecretSealed;
          else {
            webhookSecret = newSigningSecret();
            sealed = deps.secretBox.seal(webhookSecret, SIGNING_SECRET_CONTEXT.mapping(id));
          }
        }
        change.onFailure = onFailure ? { destination: onFailure, webhookSecretSealed: sealed } : null;
      }
      if (input.enabled !== undefined) change.enabled = input.enabled;
      dropUnchanged(m, change);
      if (Object.keys(change).length === 0) return toDto(m);
      const updated = await repo.update(accountId, id, m.updatedAt, change, clock.now());
      if (!updated) {
        if (!(await repo.find(accountId, id))) throw notFound(id);
        throw new AppError('CONFLICT', 409, `Event source mapping ${id} was changed by another request meanwhile; read it and try again`);
      }
      changed();
      return { ...toDto(updated), ...(webhookSecret ? { webhookSecret } : {}) };
    },

    /**
     * Deletes at once; the poller holding it stops at its next lease pass, leaving what it had not
     * acknowledged to the broker. A postgres mapping's slot is dropped here if Tally made it (a
     * forgotten slot keeps the user's WAL forever); when that fails the answer says so.
     */
    async remove(accountId: string, id: string) {
      const m = await repo.remove(accountId, id);
      if (!m) throw notFound(id);
      changed();
      let result = m.lastProcessingResult;
      // What Tally made on the broker goes too: here when no poller runs it, else where one does, once it stopped
      // (so that it cannot make it again); jobs/event-sources.ts.
      if (!m.leaseHolder || !m.leaseExpiresAt || m.leaseExpiresAt <= clock.now()) {
        const problem = await forgetBroker(m);
        if (problem) result = problem;
      }
      if (m.sourceType === 'postgres' && m.source.slotOwned && m.source.slot) {
        let err: Error | null;
        try {
          err = await dropSlot(deps.secretBox.open(m.urlSealed!, m.id), m.source.slot);
        } catch (e) {
          err = e instanceof Error ? e : new Error(String(e)); // the URL does not open with this replica's key
        }
        if (err) {
          result = `PROBLEM: replication slot ${m.source.slot} was not dropped (${err.message}); drop it with SELECT pg_drop_replication_slot('${m.source.slot}')`;
        }
      }
      return { ...toDto(m), lastProcessingResult: result, state: 'Deleting' as const };
    },

    /**
     * The s3-webhook mapping `token` opens, or null (no such mapping, not an s3-webhook, no or
     * another token): the route counts a null as a failed authentication of the caller's address.
     */
    async webhookMapping(id: string, token: string | null): Promise<Mapping | null> {
      const m = await repo.findById(id);
      const ok =
        m?.sourceType === 's3-webhook' &&
        m.tokenHash !== null &&
        token !== null &&
        timingSafeEqual(Buffer.from(hashToken(token)), Buffer.from(m.tokenHash));
      return ok ? m : null;
    },

    /**
     * An S3 event notification POSTed to an s3-webhook mapping (whose token webhookMapping checked):
     * checked (JSON with a `Records` array), then queued as received as one asynchronous invocation;
     * durable when this resolves.
     */
    async notify(m: Mapping, body: Buffer): Promise<{ requestId: string }> {
      if (!m.enabled) throw new AppError('CONFLICT', 409, `Event source mapping ${m.id} is disabled`);
      if (body.length > MAX_NOTIFICATION_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', 413, 'A notification is at most 256 KB');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw errors.validation('The body is not JSON: an S3 event notification is expected');
      }
      if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as { Records?: unknown }).Records)) {
        throw errors.validation('An S3 event notification has a Records array');
      }
      // Resolved per notification, as an asynchronous invoke of an alias is: the queue keeps the version it named.
      const target = await targetOf(m).catch(async (err: unknown) => {
        if (err instanceof AppError && err.code === 'FUNCTION_NOT_FOUND') {
          await repo.reportWebhook(m.id, `PROBLEM: Function not found (${err.message})`).catch(() => {});
        }
        throw err;
      });
      const r = await deps.events.enqueue(m.accountId, m.functionName, body, target.version, target.qualifier);
      await repo.reportWebhook(m.id, 'OK').catch(() => {});
      return r;
    },

    // For the poller job.
    targetOf,
    /** The job of this replica runs a lease pass at once after a change made here (others find it at their next pass). */
    onChanged(fn: () => void): void {
      changed = fn;
    },
    acquire: (holder: string, leaseMs: number) => repo.acquire(holder, leaseMs),
    release: (holder: string, ids: string[]) => repo.release(holder, ids),
    heldDisabled: (holder: string) => repo.heldDisabled(holder),
    markSubscribed: (holder: string, id: string) => repo.markSubscribed(holder, id),
    report: (holder: string, id: string, r: { result?: string; lag?: bigint | null }) => repo.report(holder, id, r),
    openUrl: (m: Mapping) => deps.secretBox.open(m.urlSealed!, m.id),
    /** Before each connection a poller opens: throws when the URL (its host resolved now) reaches the platform's own services. */
    guardUrl: (url: string) => deps.brokerAddress.guard(url),
    /** The failure webhook's signing secret, for the mapping's batch runner. */
    openWebhookSecret: (m: Mapping): string | null =>
      m.webhookSecretSealed === null
        ? null
        : openSigningSecret(deps.secretBox, m.webhookSecretSealed, SIGNING_SECRET_CONTEXT.mapping(m.id)),
    existing: (ids: string[]) => repo.existing(ids),
    forgetBroker,
  };
}

export type SourcesService = ReturnType<typeof createSourcesService>;
