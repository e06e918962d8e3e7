import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseSecretKey } from './lib/secret-box.js';
import {
  DEFAULT_MAX_INSTANCE_AGE_S,
  ExecutorConfigError,
  parseCacheBudgets,
  parseSandboxConfig,
  type CacheBudgets,
  type SandboxConfig,
} from '../executor/config.js';

export interface Config {
  port: number;
  host: string;
  /** A second listener for /metrics and /docs (then 404 on the public one); null: both on the public listener. */
  adminPort: number | null;
  adminHost: string;
  /** The owner's connection: migrations run with it. Unset: the embedded server. */
  databaseUrl: string | null;
  /** The api's own, least-privileged connection; null: derived from databaseUrl (user tally_api). */
  appDatabaseUrl: string | null;
  dataDir: string;
  adminKey: string | null;
  logLevel: string;
  /** `pretty`: short human lines; `json`: one JSON object per line; `auto`: pretty on a terminal, else JSON. */
  logFormat: 'auto' | 'pretty' | 'json';
  /** Largest accepted request body, bytes; usage batches of 10,000 events need a few MB. */
  bodyLimitBytes: number;
  /**
   * How many api processes serve the port (node:cluster, src/cluster.ts): one JavaScript thread each,
   * so more than one lets the api use more than one core. 1: this process alone.
   */
  apiProcesses: number;
  /** The dispatch tokens this api signs: 2 (AES-CMAC), or 1 (HMAC) during a rolling upgrade from a version that knows only v1. */
  dispatchTokenVersion: 1 | 2;
  /** Run one executor inside this process (npm start); off when executors run as their own services. */
  localExecutor: boolean;
  /** Invocations to executors in other processes over one framed connection each (off: an HTTP request each). */
  invokeStreams: boolean;
  /** Most function instances of the local executor; null: its default (half the memory in 128 MB instances). */
  executorCapacity: number | null;
  executorIdleTimeoutS: number;
  /** The local executor retires an instance this old once idle; 0: never. */
  executorMaxInstanceAgeS: number;
  /** SIGTERM: drain and stop within this long, whatever the database does (keep it under the orchestrator's grace period). */
  shutdownTimeoutMs: number;
  /**
   * The api's database sessions: a statement running longer is cancelled (0: none set), so a blocked or
   * runaway one gives its pooled connection back; work that may take longer lifts it (docs/operations.md).
   */
  dbStatementTimeoutMs: number;
  /** A session left idle inside a transaction this long is ended by the server (0: none set). */
  dbIdleInTransactionTimeoutMs: number;
  /** How the local executor contains functions (TALLY_SANDBOX, TALLY_FUNCTION_NETWORK, ...). */
  sandbox: SandboxConfig;
  /** The local executor's code and image cache budgets (TALLY_EXECUTOR_CODE_CACHE_MB, TALLY_EXECUTOR_IMAGE_CACHE_MB). */
  executorCaches: CacheBudgets;
  /** Usage that started more than this many months before the current one is refused at ingest. */
  billingLookbackMonths: number;
  /** Tenants' webhooks may reach loopback and private addresses (off: only public ones). */
  allowPrivateWebhooks: boolean;
  /** Most invocations of one account running at once, across every api replica. */
  accountConcurrency: number;
  /**
   * What functions' reservations must leave to the account's other functions (Lambda keeps 100 of 1,000);
   * null when unset: a tenth of each account's own limit, at most 100.
   */
  minUnreservedConcurrency: number | null;
  /** Most log followers (SSE) of one account each api process serves at once. */
  logFollowersPerAccount: number;
  /** Log lines older than this many days are refused at ingest, whatever the account's retention. */
  logMaxAgeDays: number;
  /**
   * Finished records (async invocations and their attempts and deliveries, schedule ticks, budget alerts
   * and their deliveries) are deleted this many days after they finished; billing records never are.
   */
  recordRetentionDays: number;
  /** Failed authentications per source address per minute (0: unlimited). */
  authFailuresPerMinute: number;
  /** Calls to expensive routes per API key, and per source address, per minute (0: unlimited). */
  expensivePerMinute: number;
  /** Mean event-loop delay above which requests are shed with 503 (0: never). */
  shedEventLoopDelayMs: number;
  /** Which proxies' X-Forwarded-For to believe for the client's address: none, any, or these addresses/CIDRs. */
  trustProxy: boolean | string;
  /** Asynchronous invocation: the first retry's delay after a function error (the second waits about twice as long). */
  asyncRetryBaseMs: number;
  /** How long an async event's claim lasts without renewal: a dead replica's events run again after this. */
  asyncLeaseMs: number;
  /** Most asynchronous events one api replica runs at once. */
  asyncConcurrency: number;
  /** The base URL function URLs are given under (`<publicUrl>/url/<id>/`); null: the request's own host. */
  publicUrl: string | null;
  /** TALLY_SECRET_KEY: seals secrets stored for reading back; null: a key file in dataDir (one replica only). */
  secretKey: Buffer | null;
  /**
   * TALLY_SECRET_KEY_PREVIOUS: earlier keys (comma-separated), used only to open; what one of them
   * sealed is sealed again with secretKey at start (docs/operations.md, "Rotating TALLY_SECRET_KEY").
   */
  previousSecretKeys: Buffer[];
  /** TALLY_REGION: the region the Lambda API's ARNs name (signatures are accepted for any region). */
  region: string;
}

/** Each follower polls the database every second: a handful per account serves terminals and a console. */
export const DEFAULT_LOG_FOLLOWERS_PER_ACCOUNT = 10;

/** How late a log line may arrive: as long as an account keeps its lines unless it chose otherwise. */
export const DEFAULT_LOG_MAX_AGE_DAYS = 30;

/** A month of finished async invocations, ticks and alerts to look back on, as logs are kept by default. */
export const DEFAULT_RECORD_RETENTION_DAYS = 30;

/** A year: an executor offline for longer than that has bigger problems than its spool. */
export const DEFAULT_BILLING_LOOKBACK_MONTHS = 12;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['on', 'true', '1'].includes(raw)) return true;
  if (['off', 'false', '0'].includes(raw)) return false;
  throw new ConfigError(name, `must be on or off, got "${env[name]}"`);
}

function postgresUrl(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim() || null;
  if (raw === null) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a URL (expected postgres://user:pass@host:5432/db)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must start with postgres:// or postgresql://, got ${url.protocol}//`);
  }
  return raw;
}

/**
 * The configuration of a process started from the command line (`npm start`, `npm run migrate`): a bad setting ends
 * it with one line naming the variable and status 2, not a stack trace.
 */
export function configOrExit(env: NodeJS.ProcessEnv): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`tally: bad configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

/** Parsed once at start-up (src/server.ts) and passed down; nothing else reads the environment. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const databaseUrl = postgresUrl(env, 'DATABASE_URL');
  const appDatabaseUrl = postgresUrl(env, 'TALLY_APP_DATABASE_URL');
  if (appDatabaseUrl !== null && databaseUrl === null) {
    throw new ConfigError(
      'TALLY_APP_DATABASE_URL',
      'needs DATABASE_URL (the owner, for migrations); the embedded database makes its own roles',
    );
  }
  const adminKey = env.TALLY_ADMIN_KEY?.trim() || null;
  if (adminKey !== null && adminKey.length < 16) {
    throw new ConfigError('TALLY_ADMIN_KEY', 'must be at least 16 characters long');
  }
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = env.LOG_FORMAT?.trim() || 'auto';
  if (logFormat !== 'auto' && logFormat !== 'pretty' && logFormat !== 'json')
    throw new ConfigError('LOG_FORMAT', 'must be auto, pretty or json');
  const host = env.HOST?.trim() || '127.0.0.1';
  const port = int(env, 'PORT', 3000, 0, 65535);
  const adminPort = env.TALLY_ADMIN_PORT?.trim() ? int(env, 'TALLY_ADMIN_PORT', 0, 0, 65535) : null;
  const adminHost = env.TALLY_ADMIN_HOST?.trim() || '127.0.0.1';
  // Said here: the listen would fail with "address already in use" on a port nothing else holds.
  const anyAddress = (h: string) => h === '0.0.0.0' || h === '::';
  if (adminPort !== null && adminPort !== 0 && adminPort === port && (adminHost === host || anyAddress(host) || anyAddress(adminHost)))
    throw new ConfigError('TALLY_ADMIN_PORT', `is PORT's ${port} on the same address: the admin listener needs a port of its own`);
  return {
    port,
    host,
    adminPort,
    adminHost,
    databaseUrl,
    appDatabaseUrl,
    dataDir: resolve(env.TALLY_DATA_DIR?.trim() || './.tally'),
    adminKey,
    logLevel,
    logFormat,
    bodyLimitBytes: int(env, 'TALLY_BODY_LIMIT_BYTES', 16 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    apiProcesses: apiProcesses(env.TALLY_API_PROCESSES?.trim() ?? ''),
    dispatchTokenVersion: dispatchTokenVersion(env.TALLY_DISPATCH_TOKENS?.trim() ?? ''),
    localExecutor: onOff(env, 'TALLY_EXECUTOR', true),
    invokeStreams: onOff(env, 'TALLY_INVOKE_STREAM', true),
    executorCapacity: env.TALLY_EXECUTOR_CAPACITY?.trim() ? int(env, 'TALLY_EXECUTOR_CAPACITY', 0, 1, 10_000) : null,
    executorIdleTimeoutS: int(env, 'TALLY_EXECUTOR_IDLE_TIMEOUT_S', 300, 1, 86_400),
    executorMaxInstanceAgeS: int(env, 'TALLY_EXECUTOR_MAX_INSTANCE_AGE_S', DEFAULT_MAX_INSTANCE_AGE_S, 0, 604_800),
    shutdownTimeoutMs: int(env, 'TALLY_SHUTDOWN_TIMEOUT_S', 20, 2, 600) * 1000,
    dbStatementTimeoutMs: int(env, 'TALLY_DB_STATEMENT_TIMEOUT_MS', 30_000, 0, 86_400_000),
    dbIdleInTransactionTimeoutMs: int(env, 'TALLY_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 60_000, 0, 86_400_000),
    sandbox: executorSetting(() => parseSandboxConfig(env)),
    executorCaches: executorSetting(() => parseCacheBudgets(env)),
    billingLookbackMonths: int(env, 'TALLY_BILLING_LOOKBACK_MONTHS', DEFAULT_BILLING_LOOKBACK_MONTHS, 1, 1200),
    allowPrivateWebhooks: onOff(env, 'TALLY_ALLOW_PRIVATE_WEBHOOKS', false),
    accountConcurrency: int(env, 'TALLY_ACCOUNT_CONCURRENCY', 1000, 1, 1_000_000),
    // Unset, it follows each account's limit (an operator may give one account its own).
    minUnreservedConcurrency: env.TALLY_UNRESERVED_CONCURRENCY_MIN?.trim()
      ? int(env, 'TALLY_UNRESERVED_CONCURRENCY_MIN', 0, 0, 1_000_000)
      : null,
    logFollowersPerAccount: int(env, 'TALLY_LOG_FOLLOWERS_PER_ACCOUNT', DEFAULT_LOG_FOLLOWERS_PER_ACCOUNT, 1, 100_000),
    logMaxAgeDays: int(env, 'TALLY_LOG_MAX_AGE_DAYS', DEFAULT_LOG_MAX_AGE_DAYS, 1, 3653),
    // At least a day: the database refuses a shorter one (the unique keys these rows carry stop duplicates for up to a day).
    recordRetentionDays: int(env, 'TALLY_RECORD_RETENTION_DAYS', DEFAULT_RECORD_RETENTION_DAYS, 1, 3653),
    authFailuresPerMinute: int(env, 'TALLY_RATE_LIMIT_AUTH_FAILURES', 30, 0, 1_000_000),
    expensivePerMinute: int(env, 'TALLY_RATE_LIMIT_EXPENSIVE', 120, 0, 1_000_000),
    shedEventLoopDelayMs: int(env, 'TALLY_SHED_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
    trustProxy: trustProxy(env.TALLY_TRUST_PROXY?.trim() ?? ''),
    asyncRetryBaseMs: int(env, 'TALLY_ASYNC_RETRY_BASE_MS', 60_000, 10, 3_600_000),
    asyncLeaseMs: int(env, 'TALLY_ASYNC_LEASE_S', 30, 1, 3_600) * 1000,
    asyncConcurrency: int(env, 'TALLY_ASYNC_CONCURRENCY', 16, 1, 10_000),
    publicUrl: publicUrl(env.TALLY_PUBLIC_URL?.trim() ?? ''),
    secretKey: secretKey(env.TALLY_SECRET_KEY?.trim() ?? ''),
    previousSecretKeys: previousSecretKeys(env.TALLY_SECRET_KEY_PREVIOUS?.trim() ?? ''),
    region: region(env.TALLY_REGION?.trim() || 'us-east-1'),
  };
}

function apiProcesses(raw: string): number {
  if (raw === '') return 1;
  if (raw.toLowerCase() === 'auto') return Math.min(64, availableParallelism());
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= 64))
    throw new ConfigError('TALLY_API_PROCESSES', `must be a whole number from 1 to 64, or auto (one per core), got "${raw}"`);
  return n;
}

function dispatchTokenVersion(raw: string): 1 | 2 {
  if (raw === '' || raw.toLowerCase() === 'v2') return 2;
  if (raw.toLowerCase() === 'v1') return 1;
  throw new ConfigError('TALLY_DISPATCH_TOKENS', `must be v2 (the default) or v1 (during a rolling upgrade), got "${raw}"`);
}

/**
 * A switch, or the proxies' addresses and CIDRs: checked here, as Fastify would check them only once the app is
 * built (after the migrations, its error naming no variable), and it reads some a person would not (`1` as 0.0.0.1).
 */
function trustProxy(raw: string): boolean | string {
  if (['', 'off', 'false', '0'].includes(raw.toLowerCase())) return false;
  if (['on', 'true', '1'].includes(raw.toLowerCase())) return true;
  for (const entry of raw.split(',').map((e) => e.trim())) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || rest.length > 0)
      throw new ConfigError(
        'TALLY_TRUST_PROXY',
        `must be on, off, or the proxies' addresses/CIDRs separated by commas; "${entry}" is none, in "${raw}"`,
      );
  }
  return raw;
}

function secretKey(raw: string): Buffer | null {
  if (raw === '') return null;
  try {
    return parseSecretKey(raw);
  } catch (err) {
    throw new ConfigError('TALLY_SECRET_KEY', (err as Error).message);
  }
}

function previousSecretKeys(raw: string): Buffer[] {
  const parts = raw === '' ? [] : raw.split(',').map((p) => p.trim());
  return parts.map((p, i) => {
    try {
      return parseSecretKey(p);
    } catch (err) {
      throw new ConfigError('TALLY_SECRET_KEY_PREVIOUS', `key ${i + 1} of ${parts.length}: ${(err as Error).message}`);
    }
  });
}

function region(raw: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(raw))
    throw new ConfigError('TALLY_REGION', `must be a region name such as us-east-1, got "${raw}"`);
  return raw;
}

function publicUrl(raw: string): string | null {
  if (raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('TALLY_PUBLIC_URL', `is not a URL (expected https://tally.example.com), got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('TALLY_PUBLIC_URL', 'must start with http:// or https://');
  return raw.replace(/\/+$/, '');
}

/** A setting the api's in-process executor shares with the executor process, its error named as the api's own. */
function executorSetting<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ExecutorConfigError) throw new ConfigError(err.variable, err.message.slice(err.variable.length + 2));
    throw err;
  }
}
