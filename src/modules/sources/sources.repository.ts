import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Destination } from '../async/async.repository.js';

export type SourceType = 'rabbitmq' | 'mqtt' | 'nats' | 'redis' | 'postgres' | 's3-webhook';
export type MappingState = 'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';

/** What a poller subscribes to, beside the broker URL. */
export interface SourceSettings {
  queue?: string;
  topic?: string;
  qos?: 0 | 1;
  stream?: string;
  subject?: string;
  group?: string;
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** postgres: the publication streamed, and the logical replication slot (default tally_<mapping id without dashes>). */
  publication?: string;
  slot?: string;
  /** postgres: Tally made the slot at creation, and drops it with the mapping. */
  slotOwned?: boolean;
}

export interface Mapping {
  accountId: string;
  id: string;
  functionId: string;
  functionName: string;
  /** The alias or published version the mapping runs (resolved per batch); null: the latest version ($LATEST). */
  qualifier: string | null;
  sourceType: SourceType;
  urlSealed: string | null;
  urlRedacted: string | null;
  source: SourceSettings;
  batchSize: number;
  batchingWindowMs: number;
  maximumConcurrency: number;
  maximumRetryAttempts: number;
  reportItemFailures: boolean;
  onFailure: Destination | null;
  /** The failure webhook's signing secret as stored: sealed (SIGNING_SECRET_CONTEXT.mapping), or plain if an earlier release wrote it. */
  webhookSecretSealed: string | null;
  tokenHash: string | null;
  enabled: boolean;
  state: MappingState;
  lastProcessingResult: string;
  lag: string | null;
  lagAt: Date | null;
  leaseHolder: string | null;
  leaseExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What an update changes; an absent field stays as it is. */
export interface MappingChange {
  function?: { id: string; name: string; qualifier: string | null };
  batchSize?: number;
  batchingWindowMs?: number;
  maximumConcurrency?: number;
  maximumRetryAttempts?: number;
  reportItemFailures?: boolean;
  /** null: no failure destination (and no signing secret). */
  onFailure?: { destination: Destination; webhookSecretSealed: string | null } | null;
  enabled?: boolean;
}

export type NewMapping = Omit<Mapping, 'state' | 'lastProcessingResult' | 'lag' | 'lagAt' | 'leaseHolder' | 'leaseExpiresAt'> & {
  state: MappingState;
};

// biome-ignore lint/suspicious/noExplicitAny: rows of the hand-written SQL below, mapped by toMapping
type Row = Record<string, any>;

const toMapping = (r: Row): Mapping => ({
  accountId: r.account_id,
  id: r.id,
  functionId: r.function_id,
  functionName: r.function_name,
  qualifier: r.qualifier,
  sourceType: r.source_type,
  urlSealed: r.url_sealed,
  urlRedacted: r.url_redacted,
  source: r.source,
  batchSize: r.batch_size,
  batchingWindowMs: r.batching_window_ms,
  maximumConcurrency: r.maximum_concurrency,
  maximumRetryAttempts: r.maximum_retry_attempts,
  reportItemFailures: r.report_item_failures,
  onFailure: r.on_failure,
  webhookSecretSealed: r.webhook_secret,
  tokenHash: r.token_hash,
  enabled: r.enabled,
  state: r.state,
  lastProcessingResult: r.last_processing_result,
  lag: r.lag,
  lagAt: r.lag_at,
  leaseHolder: r.lease_holder,
  leaseExpiresAt: r.lease_expires_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function createSourcesRepository(db: Db) {
  return {
    async insert(m: NewMapping): Promise<Mapping> {
      const { rows } = await sql<Row>`
        insert into event_source_mappings (account_id, id, function_id, function_name, qualifier, source_type, url_sealed, url_redacted, source,
                                           batch_size, batching_window_ms, maximum_concurrency, maximum_retry_attempts,
                                           report_item_failures, on_failure, webhook_secret, token_hash, enabled, state,
                                           created_at, updated_at)
        values (${m.accountId}, ${m.id}, ${m.functionId}, ${m.functionName}, ${m.qualifier}, ${m.sourceType}, ${m.urlSealed}, ${m.urlRedacted},
                ${JSON.stringify(m.source)}::jsonb, ${m.batchSize}, ${m.batchingWindowMs}, ${m.maximumConcurrency},
                ${m.maximumRetryAttempts}, ${m.reportItemFailures},
                ${m.onFailure ? JSON.stringify(m.onFailure) : null}::jsonb, ${m.webhookSecretSealed}, ${m.tokenHash}, ${m.enabled},
                ${m.state}, ${m.createdAt}, ${m.updatedAt})
        returning *`.execute(db);
      return toMapping(rows[0]!);
    },

    async find(accountId: string, id: string): Promise<Mapping | null> {
      const { rows } = await sql<Row>`select * from event_source_mappings where account_id = ${accountId} and id = ${id}`.execute(db);
      return rows[0] ? toMapping(rows[0]) : null;
    },

    /** By id alone: the s3-webhook endpoint names only the mapping (its token proves the rest). */
    async findById(id: string): Promise<Mapping | null> {
      const { rows } = await sql<Row>`select * from event_source_mappings where id = ${id}`.execute(db);
      return rows[0] ? toMapping(rows[0]) : null;
    },

    /** `qualifier`: undefined lists every qualifier; null only the mappings on $LATEST. */
    async list(
      accountId: string,
      functionName: string | null,
      qualifier: string | null | undefined,
      limit: number,
      after: string | null,
    ): Promise<Mapping[]> {
      const { rows } = await sql<Row>`
        select * from event_source_mappings
         where account_id = ${accountId}
           and (${functionName}::text is null or function_name = ${functionName})
           and (${qualifier === undefined} or qualifier is not distinct from ${qualifier ?? null}::text)
           and (${after}::uuid is null or id > ${after}::uuid)
         order by id limit ${limit}`.execute(db);
      return rows.map(toMapping);
    },

    /**
     * Changes a mapping in one statement, if nobody changed it since it was read at `readAt` (null: it is gone or was
     * changed meanwhile). `updated_at` always moves forward, even on a clock that stands still: the pollers' lease
     * pass restarts a poller whose mapping's `updated_at` differs from the one it started with. The state says what
     * the pollers still have to do: a live lease means a poller runs (it must stop, or start again with the change).
     */
    async update(accountId: string, id: string, readAt: Date, c: MappingChange, now: Date): Promise<Mapping | null> {
      const sets = [
        c.function ? sql`function_id = ${c.function.id}, function_name = ${c.function.name}, qualifier = ${c.function.qualifier}` : null,
        c.batchSize !== undefined ? sql`batch_size = ${c.batchSize}` : null,
        c.batchingWindowMs !== undefined ? sql`batching_window_ms = ${c.batchingWindowMs}` : null,
        c.maximumConcurrency !== undefined ? sql`maximum_concurrency = ${c.maximumConcurrency}` : null,
        c.maximumRetryAttempts !== undefined ? sql`maximum_retry_attempts = ${c.maximumRetryAttempts}` : null,
        c.reportItemFailures !== undefined ? sql`report_item_failures = ${c.reportItemFailures}` : null,
        c.onFailure !== undefined
          ? sql`on_failure = ${c.onFailure ? JSON.stringify(c.onFailure.destination) : null}::jsonb,
                webhook_secret = ${c.onFailure?.webhookSecretSealed ?? null}`
          : null,
      ].filter((x) => x !== null);
      const enabled = sql`coalesce(${c.enabled ?? null}::boolean, enabled)`;
      const live = sql`(lease_holder is not null and lease_expires_at > now())`;
      // Only `enabled` given: Lambda keeps an Enabled mapping Enabled; any other change is Updating while a poller
      // restarts with it (markSubscribed then makes it Enabled).
      const settings = sets.length > 0;
      const { rows } = await sql<Row>`
        update event_source_mappings
           set ${sql.join([...sets, sql`enabled = ${enabled}`], sql`, `)},
               updated_at = greatest(${now}::timestamptz, updated_at + interval '1 millisecond'),
               state = case
                 when source_type = 's3-webhook' then case when ${enabled} then 'Enabled' else 'Disabled' end
                 when ${enabled} then case
                   when state in ('Enabled', 'Updating') and ${live} then case when ${settings} then 'Updating' else state end
                   else 'Enabling' end
                 when ${live} then 'Disabling'
                 else 'Disabled' end
         where account_id = ${accountId} and id = ${id} and date_trunc('milliseconds', updated_at) = ${readAt}
         returning *`.execute(db);
      return rows[0] ? toMapping(rows[0]) : null;
    },

    /** Which of these mappings still exist (a poller stopped for one that does not was stopped by its deletion). */
    async existing(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const { rows } = await sql<{ id: string }>`select id from event_source_mappings where id = any(${ids}::uuid[])`.execute(db);
      return new Set(rows.map((r) => r.id));
    },

    async remove(accountId: string, id: string): Promise<Mapping | null> {
      const { rows } = await sql<Row>`delete from event_source_mappings where account_id = ${accountId} and id = ${id} returning *`.execute(
        db,
      );
      return rows[0] ? toMapping(rows[0]) : null;
    },

    /**
     * Takes every enabled mapping that nobody holds (or whose holder stopped renewing) and renews
     * the ones `holder` holds, for `leaseMs` of the database's time. Row locks serialise replicas:
     * a second replica re-reads the row after the first committed and finds it held.
     */
    async acquire(holder: string, leaseMs: number): Promise<Mapping[]> {
      const { rows } = await sql<Row>`
        update event_source_mappings
           set lease_holder = ${holder}, lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
         where enabled and source_type <> 's3-webhook'
           and (lease_holder = ${holder} or lease_holder is null or lease_expires_at < now())
         returning *`.execute(db);
      return rows.map(toMapping);
    },

    /** Gives back the holder's leases on these mappings; a disabled one is then Disabled. */
    async release(holder: string, ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await sql`
        update event_source_mappings
           set lease_holder = null, lease_expires_at = null,
               state = case when enabled then state else 'Disabled' end
         where lease_holder = ${holder} and id = any(${ids}::uuid[])`.execute(db);
    },

    /** Mappings this holder held that were disabled since (the acquire pass no longer returns them). */
    async heldDisabled(holder: string): Promise<string[]> {
      const { rows } = await sql<{ id: string }>`
        select id from event_source_mappings where lease_holder = ${holder} and not enabled`.execute(db);
      return rows.map((r) => r.id);
    },

    async markSubscribed(holder: string, id: string): Promise<void> {
      await sql`
        update event_source_mappings set state = 'Enabled'
         where id = ${id} and lease_holder = ${holder} and enabled and state <> 'Enabled'`.execute(db);
    },

    async report(holder: string, id: string, r: { result?: string; lag?: bigint | null }): Promise<void> {
      await sql`
        update event_source_mappings
           set last_processing_result = coalesce(${r.result ?? null}::text, last_processing_result),
               lag = case when ${r.lag !== undefined} then ${r.lag === undefined || r.lag === null ? null : r.lag.toString()}::bigint else lag end,
               lag_at = case when ${r.lag !== undefined} then now() else lag_at end
         where id = ${id} and lease_holder = ${holder}`.execute(db);
    },

    /** The s3-webhook's last processing result (no lease: any replica answers its POSTs). */
    async reportWebhook(id: string, result: string): Promise<void> {
      await sql`update event_source_mappings set last_processing_result = ${result} where id = ${id}
                  and last_processing_result <> ${result}`.execute(db);
    },
  };
}

export type SourcesRepository = ReturnType<typeof createSourcesRepository>;
