import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Two hours: Lambda, too, replaces its execution environments "every few hours", busy ones included. */
export const DEFAULT_MAX_INSTANCE_AGE_S = 7200;

/** Everything an executor needs; `executor/main.ts` builds it from the environment, `src/server.ts` directly. */
export interface ExecutorOptions {
  /** The api's base URL, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  /** This executor's own platform executor key (POST /v1/keys { role: "executor" }): bound to it at registration. */
  key: string;
  host: string;
  /** 0: any free port. */
  port: number;
  /** Where the api reaches this executor; default http://HOST:PORT (the machine's name when HOST is 0.0.0.0). */
  advertisedUrl?: string;
  /** Spool, code cache and identity live here; keep it across restarts (unsent usage is replayed from it). */
  dir: string;
  /** Most function instances at once. */
  capacity: number;
  idleTimeoutMs: number;
  /** An instance that has lived this long is retired once idle, and a fresh one takes its calls; 0: never. */
  maxInstanceAgeMs?: number;
  /** How often spooled usage is sent to the api when it answers. */
  flushIntervalMs: number;
  /** Longest graceful stop: in-flight invocations get this long, then are killed (and still billed). */
  shutdownTimeoutMs: number;
  logLevel: string;
  /** Disk space kept aside for usage records when the disk fills (default 4 MiB). */
  spoolReserveBytes?: number;
  /** Below this much free space on the spool's disk, no new invocation starts (default 64 MiB). */
  spoolMinFreeBytes?: number;
  sandbox: SandboxConfig;
  /** Disk budgets of the code and image caches (default: unlimited; both entrypoints pass parseCacheBudgets). */
  caches?: CacheBudgets;
}

/** Most bytes the caches keep on disk: least recently used entries nobody runs go beyond (executor/cache-budget.ts). */
export interface CacheBudgets {
  codeCacheBytes: number;
  imageCacheBytes: number;
}

/** How function instances are contained (docs/sandbox.md). */
export interface SandboxConfig {
  /** `off` is a developer switch only: functions then run unisolated, as the executor's user. */
  enabled: boolean;
  network: 'outbound' | 'none';
  denyCidrs: string[];
  tmp: 'disk' | 'memory';
  uidBase: number;
  uidCount: number;
  spares: number;
  /** `shares`: a weight proportional to memory; `quota`: also a hard ceiling of memory / 1,769 MB of a CPU. */
  cpu: 'quota' | 'shares';
  pids: number;
  /** Disk kept free beyond what the live /tmp disks may still write (TALLY_EXECUTOR_DISK_RESERVE_MB). */
  diskReserveBytes: number;
}

export class ExecutorConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ExecutorConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MIB = 1024 * 1024;

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ExecutorConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ExecutorConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function httpUrl(env: NodeJS.ProcessEnv, name: string, fallback?: string): string {
  const raw = env[name]?.trim() || fallback;
  if (!raw) throw new ExecutorConfigError(name, 'is required (e.g. http://127.0.0.1:3000)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ExecutorConfigError(name, `is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ExecutorConfigError(name, `must start with http:// or https://, got ${url.protocol}//`);
  return raw.replace(/\/+$/, '');
}

/** A key kept in a file (a mounted secret); read once at start-up. */
function keyFromFile(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (err) {
    throw new ExecutorConfigError('TALLY_EXECUTOR_KEY_FILE', `cannot be read: ${(err as Error).message}`);
  }
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw new ExecutorConfigError(name, `must be one of ${allowed.join(', ')}, got "${env[name]}"`);
  return raw as T;
}

const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;

/** The sandbox settings, shared by the executor process and the api's in-process executor. */
export function parseSandboxConfig(env: NodeJS.ProcessEnv): SandboxConfig {
  const sandbox = oneOf(env, 'TALLY_SANDBOX', ['on', 'off'], 'on');
  const denyCidrs = (env.TALLY_FUNCTION_DENY_CIDRS ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const bad = denyCidrs.find((c) => !CIDR.test(c));
  if (bad)
    throw new ExecutorConfigError('TALLY_FUNCTION_DENY_CIDRS', `must be IPv4 ranges like 10.0.0.0/8, separated by commas; got "${bad}"`);
  const uidBase = int(env, 'TALLY_SANDBOX_UID_BASE', 1_000_000_000, 10_000, 4_000_000_000);
  return {
    enabled: sandbox === 'on',
    network: oneOf(env, 'TALLY_FUNCTION_NETWORK', ['outbound', 'none'], 'outbound'),
    denyCidrs,
    tmp: oneOf(env, 'TALLY_SANDBOX_TMP', ['disk', 'memory'], 'disk'),
    uidBase,
    uidCount: int(env, 'TALLY_SANDBOX_UID_COUNT', 65_536, 16, Math.min(16_777_216, 4_294_967_294 - uidBase)),
    spares: int(env, 'TALLY_SANDBOX_SPARES', 2, 0, 64),
    cpu: oneOf(env, 'TALLY_SANDBOX_CPU', ['quota', 'shares'], 'shares'),
    pids: int(env, 'TALLY_SANDBOX_PIDS', 1024, 16, 65_536),
    diskReserveBytes: int(env, 'TALLY_EXECUTOR_DISK_RESERVE_MB', 1024, 0, 1_048_576) * MIB,
  };
}

/**
 * The caches' budgets, shared by the executor process and the api's in-process executor. Code: the
 * largest version unpacks to 250 MB, so 2 GB keeps at least 8 of those, and hundreds of the usual few
 * MB. Images: the largest unpacks to 4 GB beside at most 256 MB of blobs, so 10 GB keeps at least two
 * of those, and about eight of a typical 1 GB base image with its blobs. 12 GB in all, a small share
 * of an executor's disk, which the usage spool needs too.
 */
export function parseCacheBudgets(env: NodeJS.ProcessEnv): CacheBudgets {
  return {
    codeCacheBytes: int(env, 'TALLY_EXECUTOR_CODE_CACHE_MB', 2048, 16, 1_048_576) * MIB,
    imageCacheBytes: int(env, 'TALLY_EXECUTOR_IMAGE_CACHE_MB', 10_240, 64, 1_048_576) * MIB,
  };
}

/** Half the machine's memory in 128 MB instances, within [2, 256]. */
export const defaultCapacity = () => Math.max(2, Math.min(256, Math.floor(os.totalmem() / 2 / (128 * MIB))));

/** Parsed once by executor/main.ts; a bad value stops start-up naming the variable. */
export function parseExecutorConfig(env: NodeJS.ProcessEnv): ExecutorOptions {
  const key = env.TALLY_EXECUTOR_KEY?.trim() || keyFromFile(env.TALLY_EXECUTOR_KEY_FILE?.trim());
  if (!key) {
    throw new ExecutorConfigError(
      'TALLY_EXECUTOR_KEY',
      'is required (or TALLY_EXECUTOR_KEY_FILE): a platform-wide executor key of its own (POST /v1/keys {"role":"executor"})',
    );
  }
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ExecutorConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const advertised = env.TALLY_EXECUTOR_URL?.trim();
  const port = int(env, 'PORT', 3100, 0, 65535);
  return {
    apiUrl: httpUrl(env, 'TALLY_API_URL'),
    key,
    host: env.HOST?.trim() || '127.0.0.1',
    port,
    advertisedUrl: advertised ? httpUrl(env, 'TALLY_EXECUTOR_URL') : undefined,
    // One folder per executor: two on one machine must not share a spool or an identity.
    dir: path.resolve(env.TALLY_EXECUTOR_DIR?.trim() || `./.tally/executor-${port}`),
    capacity: int(env, 'TALLY_EXECUTOR_CAPACITY', defaultCapacity(), 1, 10_000),
    idleTimeoutMs: int(env, 'TALLY_EXECUTOR_IDLE_TIMEOUT_S', 300, 1, 86_400) * 1000,
    maxInstanceAgeMs: int(env, 'TALLY_EXECUTOR_MAX_INSTANCE_AGE_S', DEFAULT_MAX_INSTANCE_AGE_S, 0, 604_800) * 1000,
    flushIntervalMs: int(env, 'TALLY_USAGE_FLUSH_MS', 1000, 10, 3_600_000),
    shutdownTimeoutMs: int(env, 'TALLY_EXECUTOR_SHUTDOWN_TIMEOUT_S', 30, 1, 900) * 1000,
    logLevel,
    spoolReserveBytes: int(env, 'TALLY_SPOOL_RESERVE_MB', 4, 0, 1024) * MIB,
    spoolMinFreeBytes: int(env, 'TALLY_SPOOL_MIN_FREE_MB', 64, 0, 1_048_576) * MIB,
    sandbox: parseSandboxConfig(env),
    caches: parseCacheBudgets(env),
  };
}
