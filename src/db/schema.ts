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
  /** The operator's concurrency limit for this account; null: the deployment's default. */
  concurrency_limit: Generated<number | null>;
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

export interface UsageEventsTable {
  account_id: string;
  invocation_id: string;
  /** The month the invocation id was made in (migration 0092): the partition, and part of the primary key. */
  id_month: number;
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
  init_ephemeral_mb_ms: Int8;
  errors: Int8;
  timeouts: Int8;
  /** One of up to 8 rows per key (migration 0090): a key's totals are the sum of its shards. */
  shard: Generated<number>;
}

export interface UsageMonthlyTable {
  account_id: string;
  period: string;
  architecture: 'x86_64' | 'arm64';
  requests: Int8;
  mb_ms: Int8;
  ephemeral_mb_ms: Int8;
  init_mb_ms: Int8;
  init_ephemeral_mb_ms: Int8;
  shard: Generated<number>;
}

export interface PriceVersionsTable {
  id: string;
  effective_from: ColumnType<string, string, never>;
  currency: ColumnType<string, string | undefined, never>;
  request_price_per_million: Numeric;
  ephemeral_per_gb_second: Numeric;
  free_requests: Int8;
  free_gb_seconds: Numeric;
  bills_init: boolean;
  created_at: CreatedAt;
}

export interface PriceTiersTable {
  price_version_id: string;
  architecture: 'x86_64' | 'arm64';
  tier: number;
  up_to_gb_seconds: Numeric | null;
  unit_price: Numeric;
}

export type InvoiceStatus = 'draft' | 'finalized' | 'void';

export interface InvoicesTable {
  id: Generated<string>;
  account_id: string;
  period: ColumnType<string, string, string>;
  status: InvoiceStatus;
  currency: ColumnType<string, string | undefined, string>;
  price_version_id: string;
  free_tier: boolean;
  total: Numeric;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  finalized_at: Timestamp | null;
  voided_at: Timestamp | null;
  void_reason: string | null;
}

export interface InvoiceLinesTable {
  id: Generated<string>;
  invoice_id: string;
  account_id: string;
  position: number;
  kind: 'requests' | 'compute' | 'ephemeral_storage' | 'adjustment';
  architecture: 'x86_64' | 'arm64' | null;
  tier: number | null;
  adjusts_period: string | null;
  description: string;
  quantity: Numeric;
  free_quantity: Numeric;
  billable_quantity: Numeric;
  unit_price: Numeric;
  amount: Numeric;
}

export interface InvoiceUsageSnapshotsTable {
  invoice_id: string;
  account_id: string;
  period: string;
  requests: Int8;
  x86_mb_ms: Int8;
  arm_mb_ms: Int8;
  ephemeral_mb_ms: Int8;
  amount: Numeric;
  price_version_id: string;
  free_tier: boolean;
}

export interface BillingLedgerTable {
  account_id: string;
  usage_period: string;
  seq: number;
  from_seq: number | null;
  kind: 'month' | 'adjustment' | 'release';
  invoice_id: string;
  releases_seq: number | null;
  month_invoice_id: string | null;
  requests: Int8;
  x86_mb_ms: Int8;
  arm_mb_ms: Int8;
  ephemeral_mb_ms: Int8;
  amount: Numeric;
  price_version_id: string;
  free_tier: boolean;
  created_at: CreatedAt;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: CreatedAt;
  actor: string;
  action: string;
  account_id: string | null;
  subject: string | null;
  reason: string | null;
  details: ColumnType<unknown, string | undefined, never>;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  usage_events: UsageEventsTable;
  usage_hourly: UsageHourlyTable;
  usage_monthly: UsageMonthlyTable;
  price_versions: PriceVersionsTable;
  price_tiers: PriceTiersTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  invoice_usage_snapshots: InvoiceUsageSnapshotsTable;
  billing_ledger: BillingLedgerTable;
  audit_log: AuditLogTable;
}
