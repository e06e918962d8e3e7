import type { ColumnType, Generated } from 'kysely';

/** pg hands bigint and numeric back as strings: they stay strings until they become bigint or Decimal. */
type Int8 = ColumnType<string, string | bigint | number, string | bigint | number>;
type Numeric = ColumnType<string, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AccountsTable {
  id: Generated<string>;
  name: string;
  free_tier: Generated<boolean>;
  created_at: CreatedAt;
}

export type KeyRole = 'admin' | 'account' | 'executor';

export interface ApiKeysTable {
  id: Generated<string>;
  account_id: string | null;
  role: KeyRole;
  key_hash: Buffer;
  prefix: string;
  label: string | null;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
}

export interface UsageDedupTable {
  account_id: string;
  invocation_id: string;
  started_at: Timestamp;
}

export interface UsageEventsTable {
  account_id: string;
  invocation_id: string;
  function_id: string;
  architecture: 'x86_64' | 'arm64';
  memory_mb: number;
  duration_ms: Numeric;
  init_duration_ms: Numeric | null;
  billed_ms: Int8;
  duration_capped: Generated<boolean>;
  started_at: Timestamp;
  status: 'success' | 'error' | 'timeout';
  max_memory_used_mb: number | null;
  ephemeral_storage_mb: number;
  ingested_at: CreatedAt;
}

export interface UsageHourlyTable {
  account_id: string;
  hour: Timestamp;
  function_id: string;
  architecture: 'x86_64' | 'arm64';
  requests: Int8;
  billed_ms: Int8;
  mb_ms: Int8;
  ephemeral_mb_ms: Int8;
  init_mb_ms: Int8;
  errors: Int8;
  timeouts: Int8;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  usage_dedup: UsageDedupTable;
  usage_events: UsageEventsTable;
  usage_hourly: UsageHourlyTable;
}
