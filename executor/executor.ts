import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { LocalInvoker } from '../src/contracts/executor.js';
import { ApiError, createApiClient, type ApiClient } from './api-client.js';
import { trustCachesOfThisBoot } from './boot-trust.js';
import { writeDurably } from './durable-file.js';
import { CodeCache } from './code-cache.js';
import { ImageCache } from './image-cache.js';
import { answerClockOff } from './runtime/answer-clock.js';
import { buildJavaRuntime } from './runtime/java-runtime.js';
import type { ExecutorOptions } from './config.js';
import { createExecutorMetrics, createInvokeServer } from './invoke-server.js';
import { FunctionPool, resolvePython, type PoolStats } from './runtime/pool.js';
import type { Isolation } from './sandbox/isolation.js';
import { KernelSandbox } from './sandbox/sandbox.js';
import { unsandboxed } from './sandbox/unsandboxed.js';
import { UsageSpool, type SpoolRecord } from './spool.js';
import { UsageReporter } from './usage-reporter.js';
import { createLogShipper } from './log-shipper.js';
import { holdFolder } from './folder-hold.js';

export interface Executor {
  id: string;
  /** Where the api reaches it. */
  url: string;
  stats(): PoolStats & {
    inFlight: number;
    usageAcknowledged: number;
    usageHeld: number;
    usageQuarantined: number;
    usageQuarantineWaiting: number;
    sandbox: 'on' | 'off';
  };
  /** The invocation as a function call, for an api running in this same process. */
  local: LocalInvoker;
  /** Bounded graceful stop: leave the rotation, let running invocations finish, send the usage. */
  stop(): Promise<void>;
}

export interface StartOptions extends ExecutorOptions {
  logger?: Logger;
  /** The machine's boot, as the kernel names it (tests): the caches are trusted only within the boot that wrote them. */
  bootId?: string | null;
  /** Where the Java runtime client is built, once per version of its sources (default: under `dir`). */
  javaRuntimeCache?: string;
  /** An unpacked container image no instance used for this long is removed (default one hour). */
  imageIdleMs?: number;
  /**
   * Where usage and log lines go instead of `POST /v1/usage` and `POST /v1/logs`: an api running this
   * executor in its own process passes its services (src/modules/executors/local-ingest.ts).
   */
  ingest?: Pick<ApiClient, 'postUsage' | 'postLogs'>;
  /** How long after receiving an invocation a cold instance may still launch its runtime (tests; default COLD_START_PREPARE_MS). */
  prepareLimitMs?: number;
}

/** The kernel sandbox, or (TALLY_SANDBOX=off, a developer switch) nothing at all, said loudly. */
async function startIsolation(options: StartOptions, id: string, pythonPath: string, log: Logger): Promise<Isolation> {
  const config = options.sandbox;
  if (!config.enabled) {
    log.warn(
      "TALLY_SANDBOX=off: FUNCTIONS RUN UNSANDBOXED, as the executor's own user, and can read its files and keys. Never run untrusted code like this.",
    );
    return unsandboxed({ pythonPath });
  }
  return KernelSandbox.start({
    dir: path.join(options.dir, 'sandbox'),
    executorKey: id.slice(0, 8),
    network: config.network,
    denyCidrs: config.denyCidrs,
    tmp: config.tmp,
    uidBase: config.uidBase,
    uidCount: config.uidCount,
    spares: config.spares,
    cpu: config.cpu,
    pidsLimit: config.pids,
    diskReserveBytes: config.diskReserveBytes,
    pythonPath,
    log,
  });
}

/** Room kept for usage records when the disk fills; about 10,000 records. */
const DEFAULT_SPOOL_RESERVE_BYTES = 4 * 1024 * 1024;
/** Below this much free space on the spool's disk, no new invocation starts. */
const DEFAULT_SPOOL_MIN_FREE_BYTES = 64 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** The executor's identity survives restarts, so the api sees a restart, not a new machine. */
async function executorId(dir: string): Promise<string> {
  const file = path.join(dir, 'executor-id');
  const known = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f-]{36}$/.test(known)) return known;
  const id = randomUUID();
  // Durably: the spool's records are signed for this id, and an id file left empty by a power loss would make the
  // next start take another id, under which the api refuses them all (quarantined, billed nothing until replayed).
  await writeDurably(file, `${id}\n`);
  return id;
}

/** Keeps the executor registered: heartbeats with its load; registers (again) when the api does not know it. */
function startHeartbeat(opts: {
  api: ApiClient;
  register: () => Promise<number>;
  registered: boolean;
  stats: () => PoolStats;
  id: string;
  log: Logger;
  everyMs: number;
}) {
  const { api, log } = opts;
  let registered = opts.registered;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let failing = false;
  let interval = opts.everyMs;
  const beat = async () => {
    try {
      if (!registered) {
        interval = await opts.register();
        registered = true;
        log.info('registered with the api');
      } else {
        const { instances, busy } = opts.stats();
        await api.heartbeat(opts.id, { instances, busy });
      }
      if (failing) log.info('api reachable again');
      failing = false;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) registered = false;
      if (err instanceof ApiError && err.status === 409) {
        // Its key is bound to another live executor (or its id runs under another key): each executor needs its own key.
        if (!failing)
          log.error({ err: err.message }, 'the api refused to register this executor; retrying until the other holder goes stale');
      } else if (!failing) log.warn({ err: String(err) }, 'heartbeat failed; the api routes no work here until it succeeds');
      failing = true;
    }
    if (!stopped) timer = setTimeout(() => void beat(), registered ? interval : Math.min(interval, 1_000)).unref();
  };
  timer = setTimeout(() => void beat(), registered ? interval : 500).unref();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/**
 * Starts an executor: its usage spool (replaying what a previous run left), code cache, instance
 * pool and HTTP server, then registers with the api. Throws when the api refuses the key for good.
 */
export async function startExecutor(options: StartOptions): Promise<Executor> {
  const log = options.logger ?? pino({ level: options.logLevel, base: { process: 'executor' } });
  // Spool, code cache, keys and sandbox state: nothing in here is for a function's uid to read.
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  await chmod(options.dir, 0o700);
  // One executor per folder (folder-hold.ts): held until it has stopped, or let go if it cannot start.
  const hold = await holdFolder(options.dir);
  try {
    const executor = await startHolding(options, log);
    let stopped: Promise<void> | null = null;
    return { ...executor, stop: () => (stopped ??= executor.stop().finally(() => hold.release())) };
  } catch (err) {
    await hold.release();
    throw err;
  }
}

async function startHolding(options: StartOptions, log: Logger): Promise<Executor> {
  const id = await executorId(options.dir);
  const pythonPath = await resolvePython();
  const isolation = await startIsolation(options, id, pythonPath, log);
  const token = randomBytes(32).toString('base64url');
  const api = createApiClient({ apiUrl: options.apiUrl, key: options.key });

  const spool = await UsageSpool.open<SpoolRecord>({
    dir: path.join(options.dir, 'spool'),
    log,
    reserveBytes: options.spoolReserveBytes ?? DEFAULT_SPOOL_RESERVE_BYTES,
    minFreeBytes: options.spoolMinFreeBytes ?? DEFAULT_SPOOL_MIN_FREE_BYTES,
  });
  // Unpacked code and images are not fsync'd: after a power loss they could hold empty files (executor/boot-trust.ts).
  await trustCachesOfThisBoot(options.dir, ['code', 'images'], log, options.bootId);
  const code = new CodeCache(path.join(options.dir, 'code'), api, log, { budgetBytes: options.caches?.codeCacheBytes });
  await code.init();
  const images = new ImageCache({
    dir: path.join(options.dir, 'images'),
    api,
    log,
    idleMs: options.imageIdleMs,
    budgetBytes: options.caches?.imageCacheBytes,
  });
  await images.init();
  const metrics = createExecutorMetrics(spool, { code, images });
  const ingest = options.ingest ?? api;
  const reporter = new UsageReporter({
    spool,
    api: { postUsage: ingest.postUsage, postQuarantine: api.postQuarantine },
    log,
    flushIntervalMs: options.flushIntervalMs,
    logs: createLogShipper({ api: ingest, log }),
    onQuarantined: (n) => metrics.usageQuarantined.inc(n),
  });
  const imageIdleMs = options.imageIdleMs ?? 3_600_000;
  const imageSweep = setInterval(
    () => void images.sweep().catch((err: unknown) => log.warn({ err }, 'could not remove unused container images')),
    Math.max(1_000, Math.min(imageIdleMs / 4, 600_000)),
  );
  imageSweep.unref();
  const javaRuntimeCache = options.javaRuntimeCache ?? path.join(options.dir, 'runtimes', 'java');
  const pool = new FunctionPool({
    log,
    capacity: options.capacity,
    idleTimeoutMs: options.idleTimeoutMs,
    maxAgeMs: options.maxInstanceAgeMs,
    instance: { isolation, pythonPath, images, code },
    javaRuntime: () => buildJavaRuntime({ cacheRoot: javaRuntimeCache }),
  });
  const front = createInvokeServer({ token, pool, images, spool, metrics, log, prepareLimitMs: options.prepareLimitMs });

  await new Promise<void>((resolve, reject) => {
    front.server.once('error', reject);
    front.server.listen(options.port, options.host, () => resolve());
  });
  const { port } = front.server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? os.hostname() : options.host;
  const url = options.advertisedUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  // Usage is sent once the key is bound to this executor: before that the api would refuse its dispatch tokens.
  const register = async () => {
    const { heartbeatIntervalMs } = await api.register({
      id,
      url,
      capacity: options.capacity,
      token,
      sandbox: isolation.mode === 'sandbox' ? 'on' : 'off',
    });
    reporter.start();
    return heartbeatIntervalMs;
  };
  let heartbeatMs = 2_000;
  let registered = false;
  try {
    heartbeatMs = await register();
    registered = true;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      clearInterval(imageSweep);
      await Promise.all([pool.close(), reporter.stop(Date.now()), new Promise((r) => front.server.close(r))]);
      await isolation.close();
      await spool.close();
      throw new Error(`the api refused TALLY_EXECUTOR_KEY (${err.message}); it must be a platform-wide executor key of its own`);
    }
    log.warn({ err: String(err) }, 'could not register with the api yet; retrying with the heartbeat');
  }
  const stopHeartbeat = startHeartbeat({ api, register, registered, stats: () => pool.stats(), id, log, everyMs: heartbeatMs });
  log.info(
    {
      executorId: id,
      url,
      capacity: options.capacity,
      dir: options.dir,
      sandbox: isolation.mode,
      answerClock: answerClockOff ? 'off' : 'on',
    },
    'executor started',
  );
  if (answerClockOff && process.env.TALLY_ANSWER_CLOCK !== 'off')
    log.warn(
      { reason: answerClockOff },
      "the answer clock is off: a function's billed time ends where this executor's event loop reads its answer, which a busy executor does late (docs/billing-clock.md)",
    );

  let stopping: Promise<void> | null = null;
  async function stop(): Promise<void> {
    const deadline = Date.now() + options.shutdownTimeoutMs;
    stopHeartbeat();
    clearInterval(imageSweep);
    front.drain();
    await api.deregister(id).catch((err: unknown) => log.warn({ err: String(err) }, 'could not deregister'));
    // Running invocations may finish, keeping a few seconds to kill the rest and send usage.
    const killAt = deadline - Math.min(5_000, options.shutdownTimeoutMs / 2);
    while (front.inFlight() > 0 && Date.now() < killAt) await sleep(25);
    if (front.inFlight() > 0)
      log.warn({ inFlight: front.inFlight() }, 'shutdown deadline: killing running invocations (they are still billed)');
    await pool.close();
    await isolation.close();
    for (let i = 0; i < 40 && front.inFlight() > 0; i++) await sleep(25);
    front.closeConnections();
    await new Promise((resolve) => front.server.close(resolve));
    await front.flushHeld(Math.max(deadline, Date.now() + 1_000));
    await reporter.stop(Math.max(deadline, Date.now() + 1_000));
    await spool.close();
    log.info({ executorId: id }, 'executor stopped');
  }

  return {
    id,
    url,
    stats: () => {
      const { quarantined, quarantineWaiting } = spool.stats();
      return {
        ...pool.stats(),
        inFlight: front.inFlight(),
        usageAcknowledged: reporter.acknowledged,
        usageHeld: front.held(),
        usageQuarantined: quarantined,
        usageQuarantineWaiting: quarantineWaiting,
        sandbox: isolation.mode === 'sandbox' ? ('on' as const) : ('off' as const),
      };
    },
    local: front.local,
    stop: () => (stopping ??= stop()),
  };
}
