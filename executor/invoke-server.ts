import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { allowedEnvironment } from '../src/contracts/environment.js';
import {
  COLD_START_PREPARE_MS,
  invokeHeaders,
  LOG_TAIL_BYTES,
  MAX_SYNC_PAYLOAD_BYTES,
  type InvokeAnswer,
  type InvokeSpec,
  type LocalInvoker,
} from '../src/contracts/executor.js';
import {
  encodeFrame,
  frameWriter,
  INVOKE_STREAM_PROTOCOL,
  readFrames,
  type AnswerMeta,
  type RequestMeta,
} from '../src/contracts/invoke-stream.js';
import { isUuid, type UsageEvent } from '../src/contracts/usage.js';
import type { CacheStats } from './cache-budget.js';
import type { ImageCache } from './image-cache.js';
import { CodeUnavailableError, StartFailedError } from './runtime/instance.js';
import { TooManyRequestsError, type FunctionPool } from './runtime/pool.js';
import { NoDiskRoomError } from './sandbox/scratch.js';
import type { FunctionSpec, InvocationResult, Log } from './runtime/types.js';
import type { SpoolRecord, UsageSpool } from './spool.js';
import { logsOf } from './log-shipper.js';
import { isSpooledLogs } from '../src/contracts/logs.js';

const MAX_SPEC_BYTES = 64 * 1024;
/** Retry delays for usage records the spool could not write: from this, doubling, up to the cap. */
const HELD_RETRY_MS = 250;
const HELD_RETRY_MAX_MS = 10_000;

/** One registry per executor (tests run several in one process), served at the executor's GET /metrics. */
export function createExecutorMetrics(spool?: Pick<UsageSpool, 'stats'>, caches?: Record<'code' | 'images', { stats(): CacheStats }>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tally_executor_' });
  if (caches) cacheMetrics(registry, caches);
  if (spool) {
    new Gauge({
      name: 'tally_executor_usage_quarantine_waiting',
      help: 'Refused usage events in the local quarantine folder, not yet handed to the api',
      registers: [registry],
      collect() {
        this.set(spool.stats().quarantineWaiting);
      },
    });
    // Usage not yet acknowledged by the api: what a crash would replay, and how far billing lags.
    new Gauge({
      name: 'tally_executor_usage_spool_pending_records',
      help: 'Usage records in the spool not yet acknowledged by the api',
      registers: [registry],
      collect() {
        this.set(spool.stats().pendingRecords);
      },
    });
    new Gauge({
      name: 'tally_executor_usage_spool_oldest_record_age_seconds',
      help: 'How long the oldest unacknowledged usage record has waited in the spool (0 when none waits)',
      registers: [registry],
      collect() {
        this.set(spool.stats().oldestPendingAgeMs / 1000);
      },
    });
  }
  return {
    registry,
    usageQuarantined: new Counter({
      name: 'tally_executor_usage_quarantined_total',
      help: 'Usage events the api refused for good, moved to the quarantine folder (the others were sent again)',
      registers: [registry],
    }),
    spoolWriteFailures: new Counter({
      name: 'tally_executor_usage_spool_write_failures_total',
      help: 'Usage records the spool failed to write after their invocation ran (held in memory and retried)',
      registers: [registry],
    }),
    invocationsRefused: new Counter({
      name: 'tally_executor_invocations_refused_total',
      help: 'Invocations refused before running, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}

export type ExecutorMetrics = ReturnType<typeof createExecutorMetrics>;

/** The code and image caches' disk use against their budgets, read from memory at each scrape. */
function cacheMetrics(registry: Registry, caches: Record<'code' | 'images', { stats(): CacheStats }>): void {
  const each = (set: (cache: 'code' | 'image', stats: CacheStats) => void) => {
    set('code', caches.code.stats());
    set('image', caches.images.stats());
  };
  const labelNames = ['cache'] as const;
  new Gauge({
    name: 'tally_executor_cache_bytes',
    help: 'Bytes the code cache (unpacked code) or the image cache (unpacked images and their blobs) takes on disk',
    labelNames,
    registers: [registry],
    collect() {
      each((cache, stats) => this.set({ cache }, stats.bytes));
    },
  });
  new Gauge({
    name: 'tally_executor_cache_budget_bytes',
    help: 'The cache budget (TALLY_EXECUTOR_CODE_CACHE_MB, TALLY_EXECUTOR_IMAGE_CACHE_MB): past it, unused entries are removed',
    labelNames,
    registers: [registry],
    collect() {
      each((cache, stats) => Number.isFinite(stats.budgetBytes) && this.set({ cache }, stats.budgetBytes));
    },
  });
  new Gauge({
    name: 'tally_executor_cache_entries',
    help: 'Code versions or container images the cache keeps unpacked',
    labelNames,
    registers: [registry],
    collect() {
      each((cache, stats) => this.set({ cache }, stats.entries));
    },
  });
  new Counter({
    name: 'tally_executor_cache_evictions_total',
    help: 'Entries removed to bring the cache within its budget (each is fetched again when next needed)',
    labelNames,
    registers: [registry],
    collect() {
      // The caches count; the counter shows their counts.
      this.reset();
      each((cache, stats) => this.inc({ cache }, stats.evicted));
    },
  });
}

export interface InvokeServerDeps {
  token: string;
  pool: Pick<FunctionPool, 'invoke' | 'stats'>;
  /** Container images; without it, image functions are refused. */
  images?: Pick<ImageCache, 'acquire' | 'release'>;
  spool: Pick<UsageSpool<SpoolRecord>, 'append' | 'accepting'>;
  metrics: ExecutorMetrics;
  log: Log;
  /** How long after receiving an invocation a cold instance may still launch its runtime (default COLD_START_PREPARE_MS). */
  prepareLimitMs?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The last 4 KB of the log, cut on a character boundary, base64 (Lambda's LogResult). */
export function tailOf(log: string): string {
  let bytes = Buffer.from(log, 'utf8');
  if (bytes.length > LOG_TAIL_BYTES) {
    bytes = bytes.subarray(bytes.length - LOG_TAIL_BYTES);
    let skip = 0;
    while (skip < bytes.length && (bytes[skip]! & 0xc0) === 0x80) skip += 1;
    bytes = bytes.subarray(skip);
  }
  return bytes.toString('base64');
}

export function usageOf(spec: InvokeSpec, result: InvocationResult, startedAt: string): UsageEvent {
  return {
    invocationId: result.requestId,
    accountId: spec.accountId,
    // Usage is reported per function name, as Lambda's metrics and cost reports are.
    functionId: spec.name,
    architecture: spec.architecture,
    memoryMb: spec.memoryMb,
    durationMs: result.durationMs,
    startedAt,
    status: result.status,
    ...(result.initDurationMs !== undefined ? { initDurationMs: result.initDurationMs } : {}),
    maxMemoryUsedMb: result.maxMemoryUsedMb,
    ephemeralStorageMb: spec.ephemeralStorageMb,
    // The api's signature over this invocation: without it a platform key's usage is refused.
    ...(spec.dispatchToken !== undefined ? { dispatchToken: spec.dispatchToken } : {}),
  };
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request is larger than ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The spec length a request names (a header, or a frame's meta), or a 400. */
function checkedSpecLength(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_SPEC_BYTES)
    throw new HttpError(400, 'BAD_REQUEST', 'bad spec length');
  return value;
}

/** An invoke body: the InvokeSpec JSON, then the event bytes. */
function splitBody(body: Buffer, specLength: number): [spec: Buffer, event: Buffer] {
  if (body.length < specLength) throw new HttpError(400, 'BAD_REQUEST', 'the body is shorter than its spec');
  return [body.subarray(0, specLength), body.subarray(specLength)];
}

function send(res: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, ...headers });
  res.end(body);
}

/**
 * The executor's face: `POST /invoke` from the api (bearer token handed over at registration),
 * `GET /healthz`, `GET /metrics`, and the same invocation as an in-process call for an api in this
 * process. Every invocation's usage is fsync'd to the spool before it is answered. An invocation
 * starts only when the spool can take its record; should the write still fail after it ran, the
 * record is held in memory and retried, and no new invocation starts until it is written.
 */
export function createInvokeServer(deps: InvokeServerDeps) {
  const expected = Buffer.from(`Bearer ${deps.token}`);
  const specs = new Map<string, FunctionSpec>();
  let inFlight = 0;
  let draining = false;
  /** Usage of invocations that ran but is not on disk yet: billing data, never dropped. */
  let held: SpoolRecord[] = [];
  let retryTimer: NodeJS.Timeout | null = null;
  let retryDelay = HELD_RETRY_MS;
  let retrying: Promise<void> | null = null;
  new Gauge({
    name: 'tally_executor_usage_unspooled',
    help: 'Usage records of invocations that ran, held in memory because the spool could not write them',
    registers: [deps.metrics.registry],
    collect() {
      this.set(usageHeld());
    },
  });

  /** Usage records among those held (their log lines are held beside them). */
  const usageHeld = () => held.filter((r) => !isSpooledLogs(r)).length;

  /** Writes the held records; on failure tries again later, each time waiting longer. */
  function writeHeld(): Promise<void> {
    retrying ??= (async () => {
      const batch = held;
      try {
        await deps.spool.append(batch);
        held = held.filter((r) => !batch.includes(r));
        retryDelay = HELD_RETRY_MS;
        deps.log.warn({ records: batch.length }, 'held usage records are now in the spool; taking invocations again');
      } catch (err) {
        retryDelay = Math.min(HELD_RETRY_MAX_MS, retryDelay * 2);
        deps.log.error(
          { err: String(err), held: held.length, retryInMs: retryDelay },
          'usage records still cannot be spooled; invocations stay refused',
        );
      } finally {
        retrying = null;
        scheduleRetry();
      }
    })();
    return retrying;
  }

  function scheduleRetry(): void {
    if (held.length === 0 || retryTimer || retrying) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void writeHeld();
    }, retryDelay);
    retryTimer.unref();
  }

  /** Durable before answered, its log lines in the same write; when the disk fails, held (and retried) rather than lost. */
  async function record(usage: UsageEvent, logs: SpoolRecord | null): Promise<void> {
    const records = logs ? [usage, logs] : [usage];
    try {
      // Alone in flight: no other invocation waits for this event loop, so the spool may write on the spot.
      await deps.spool.append(records, { alone: inFlight === 1 });
    } catch (err) {
      deps.metrics.spoolWriteFailures.inc();
      held.push(...records);
      deps.log.error(
        { err: String(err), invocationId: usage.invocationId, held: held.length },
        "the usage spool could not write an invocation's record; it is held in memory and retried, and no invocation starts until it is written",
      );
      scheduleRetry();
    }
  }

  /** Whether a new invocation may start: nothing held, and room in the spool. */
  function spoolReady(): boolean {
    return held.length === 0 && deps.spool.accepting();
  }

  const authorized = (header: string | undefined) => {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  function functionSpec(spec: InvokeSpec): FunctionSpec {
    const key = `${spec.functionId}:${spec.version}`;
    const known = specs.get(key);
    // A version's settings never change, but the reservation is the function's (the api sends the
    // latest one with every call of any version): the cached spec takes the one the call brings.
    const reserved = spec.reservedConcurrency ?? undefined;
    if (known && known.reservedConcurrency === reserved) return known;
    if (known) {
      const { reservedConcurrency: _, ...rest } = known;
      const updated: FunctionSpec = reserved === undefined ? rest : { ...rest, reservedConcurrency: reserved };
      specs.set(key, updated);
      return updated;
    }
    // An image is unpacked by holdImage, on every invocation; a zip's code by each instance as it
    // starts (it holds it while it lives), so a warm invocation never asks the code cache.
    const made: FunctionSpec = {
      functionId: spec.functionId,
      name: spec.name,
      version: String(spec.version),
      runtime: spec.runtime,
      handler: spec.handler,
      memoryMb: spec.memoryMb,
      timeoutS: spec.timeoutS,
      // The api refuses these names; a version stored before a name was refused must not pass them either.
      environment: allowedEnvironment(spec.environment),
      codeDir: '',
      ...(spec.image ? {} : { codeSha256: spec.codeSha256 }),
      ephemeralStorageMb: spec.ephemeralStorageMb,
      accountId: spec.accountId,
      ...(spec.region !== undefined ? { region: spec.region } : {}),
      ...(spec.reservedConcurrency !== null ? { reservedConcurrency: spec.reservedConcurrency } : {}),
      ...(spec.image ? { imageRef: spec.image } : {}),
    };
    if (specs.size >= 10_000) specs.clear();
    specs.set(key, made);
    return made;
  }

  /**
   * An image function's image, fetched and unpacked if need be, and held until the invocation is
   * answered; what gives the hold back (null for a zip function). Held from before the pool chooses an
   * instance: the cache's sweep could otherwise delete an idle image before a new instance takes its own
   * hold, and that instance would fetch it again as it starts, holding a slot of the pool meanwhile.
   * Either way a failure is a 502, and nothing ran (an instance's is a CodeUnavailableError). A zip's
   * code has no such hold, so that a warm invocation never touches the code cache: a new instance
   * takes it as it starts.
   */
  async function holdImage(spec: InvokeSpec): Promise<(() => void) | null> {
    if (!spec.image) return null;
    const { digest } = spec.image;
    const images = deps.images;
    await (images ? images.acquire(digest) : Promise.reject(new Error('this executor runs no container images'))).catch((err: unknown) => {
      throw new HttpError(502, 'CODE_UNAVAILABLE', `could not load code ${digest}: ${String(err)}`);
    });
    return () => images?.release(digest);
  }

  /** One invocation, whatever brought it. */
  async function execute(
    specJson: Buffer,
    event: Buffer,
    requestId: string,
    logTail: boolean,
    clientContext?: string,
  ): Promise<InvokeAnswer> {
    // The api waits for a cold start's preparation this long (with init and timeout on top): no runtime is launched past it.
    const startBy = performance.now() + (deps.prepareLimitMs ?? COLD_START_PREPARE_MS);
    if (draining) throw new HttpError(503, 'SHUTTING_DOWN', 'this executor is shutting down');
    if (!spoolReady()) {
      deps.metrics.invocationsRefused.inc({ reason: 'spool_unavailable' });
      throw new HttpError(
        503,
        'SPOOL_UNAVAILABLE',
        'this executor cannot record usage right now (its disk is full or failing); it runs nothing until it can',
      );
    }
    if (!isUuid(requestId)) throw new HttpError(400, 'BAD_REQUEST', 'a uuid request id is required');
    const spec = JSON.parse(specJson.toString('utf8')) as InvokeSpec;
    const fn = functionSpec(spec);
    const releaseImage = await holdImage(spec);
    const startedAt = new Date().toISOString();
    let result: InvocationResult;
    try {
      result = await deps.pool.invoke(fn, event, requestId, clientContext, spec.qualifier, startBy);
    } catch (err) {
      if (err instanceof TooManyRequestsError)
        throw new HttpError(429, err.code, err.message, { [invokeHeaders.throttleReason]: err.reason });
      if (err instanceof NoDiskRoomError) {
        deps.metrics.invocationsRefused.inc({ reason: 'disk_room' });
        throw new HttpError(429, 'TOO_MANY_REQUESTS', err.message, { [invokeHeaders.throttleReason]: 'executor_capacity' });
      }
      if (err instanceof CodeUnavailableError) throw new HttpError(502, 'CODE_UNAVAILABLE', err.message);
      if (err instanceof StartFailedError) throw new HttpError(502, 'INSTANCE_START_FAILED', err.message);
      throw err;
    } finally {
      releaseImage?.();
    }
    // Durable before answered: a crash from here on replays it, never loses it.
    await record(usageOf(spec, result, startedAt), logsOf(spec, result));
    deps.log.debug({ requestId, function: spec.name, report: result.log.slice(result.log.lastIndexOf('REPORT ')).trim() }, 'invocation');
    const headers: Record<string, string> = {
      [invokeHeaders.requestId]: requestId,
      [invokeHeaders.status]: result.status,
      [invokeHeaders.billedDurationMs]: String(result.billedDurationMs),
      [invokeHeaders.durationMs]: String(result.durationMs),
      [invokeHeaders.maxMemoryUsedMb]: String(result.maxMemoryUsedMb),
    };
    if (result.initDurationMs !== undefined) headers[invokeHeaders.initDurationMs] = String(result.initDurationMs);
    if (result.errorType) headers[invokeHeaders.errorType] = result.errorType;
    if (logTail) headers[invokeHeaders.logResult] = tailOf(result.log);
    return { status: 200, headers, body: result.payload };
  }

  /** Counts it in flight (for a graceful stop) and turns any failure into an answer. */
  async function guarded(run: () => Promise<InvokeAnswer>): Promise<InvokeAnswer> {
    inFlight += 1;
    try {
      return await run();
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'INTERNAL_ERROR', 'the executor failed');
      if (!(err instanceof HttpError)) deps.log.error({ err }, 'invocation failed inside the executor');
      return { status: e.status, headers: e.headers, body: Buffer.from(JSON.stringify({ error: { code: e.code, message: e.message } })) };
    } finally {
      inFlight -= 1;
    }
  }

  async function overHttp(req: http.IncomingMessage): Promise<InvokeAnswer> {
    if (!authorized(req.headers.authorization)) {
      req.resume();
      throw new HttpError(401, 'UNAUTHENTICATED', 'bad or missing invoke token');
    }
    const specLength = checkedSpecLength(Number(req.headers[invokeHeaders.specLength]));
    const [spec, event] = splitBody(await readBody(req, MAX_SPEC_BYTES + MAX_SYNC_PAYLOAD_BYTES), specLength);
    const requestId = req.headers[invokeHeaders.requestId];
    const given = req.headers[invokeHeaders.clientContext];
    const clientContext = typeof given === 'string' ? given : undefined;
    return execute(spec, event, typeof requestId === 'string' ? requestId : '', req.headers[invokeHeaders.log] === 'tail', clientContext);
  }

  const server = http.createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      const status = draining ? 'draining' : spoolReady() ? 'ok' : 'degraded';
      const usage = { unspooled: held.length, spoolAccepting: deps.spool.accepting() };
      return send(res, 200, {}, Buffer.from(JSON.stringify({ status, ...deps.pool.stats(), usage })));
    }
    if (req.method === 'GET' && req.url === '/metrics') {
      void deps.metrics.registry.metrics().then(
        (text) => send(res, 200, { 'content-type': deps.metrics.registry.contentType }, Buffer.from(text)),
        () => send(res, 500, {}, Buffer.from('{"error":{"code":"INTERNAL_ERROR","message":"metrics failed"}}')),
      );
      return;
    }
    if (req.method !== 'POST' || req.url !== '/invoke') {
      req.resume();
      return send(res, 404, {}, Buffer.from('{"error":{"code":"ROUTE_NOT_FOUND","message":"no such route"}}'));
    }
    void guarded(() => overHttp(req)).then((answer) => {
      if (!res.headersSent) send(res, answer.status, answer.headers, answer.body);
    });
  });
  server.headersTimeout = 65_000;

  /** Connections upgraded to the invoke stream: the http server no longer tracks them. */
  const streams = new Set<Socket>();
  new Gauge({
    name: 'tally_executor_invoke_streams',
    help: 'Open invoke streams: one per api process that reaches this executor (0 while the apis use POST /invoke)',
    registers: [deps.metrics.registry],
    collect() {
      this.set(streams.size);
    },
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const refuse = (status: string, body: string) => {
      socket.end(
        `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    };
    if (req.method !== 'GET' || req.url !== '/invoke' || req.headers.upgrade !== INVOKE_STREAM_PROTOCOL)
      return refuse('404 Not Found', '{"error":{"code":"ROUTE_NOT_FOUND","message":"no such route"}}');
    if (!authorized(req.headers.authorization))
      return refuse('401 Unauthorized', '{"error":{"code":"UNAUTHENTICATED","message":"bad or missing invoke token"}}');
    if (draining) return refuse('503 Service Unavailable', '{"error":{"code":"SHUTTING_DOWN","message":"this executor is shutting down"}}');
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${INVOKE_STREAM_PROTOCOL}\r\n\r\n`);
    streams.add(socket);
    socket.on('close', () => streams.delete(socket));
    socket.on('error', (err) => deps.log.warn({ err: String(err) }, 'invoke stream failed; closing it'));
    const write = frameWriter(socket);
    readFrames(socket, head, (frame) => {
      void guarded(() => overStream(frame.meta as Partial<RequestMeta>, frame.payload)).then((answer) => {
        const meta: AnswerMeta = { s: answer.status, h: answer.headers };
        try {
          write(encodeFrame(frame.id, meta, [answer.body]));
        } catch (err) {
          // An answer too big for a frame (the runtime caps a response at 6 MiB, so only a bug gets here).
          deps.log.error({ err: String(err) }, 'an answer did not fit in an invoke stream frame');
          const body = Buffer.from('{"error":{"code":"INTERNAL_ERROR","message":"the answer did not fit in a frame"}}');
          write(encodeFrame(frame.id, { s: 500, h: {} } satisfies AnswerMeta, [body]));
        }
      });
    });
  });

  /** A request frame: the same checks as `POST /invoke` (the token was checked once, at the upgrade). */
  function overStream(meta: Partial<RequestMeta>, payload: Buffer): Promise<InvokeAnswer> {
    const [spec, event] = splitBody(payload, checkedSpecLength(meta.s));
    if (event.length > MAX_SYNC_PAYLOAD_BYTES)
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the event is larger than ${MAX_SYNC_PAYLOAD_BYTES} bytes`);
    return execute(spec, event, typeof meta.r === 'string' ? meta.r : '', meta.t === 1, typeof meta.c === 'string' ? meta.c : undefined);
  }

  const local: LocalInvoker = (r) => guarded(() => execute(r.spec, r.event, r.requestId, r.logTail, r.clientContext));

  return {
    server,
    /** Closes every connection, HTTP and invoke streams (whose answers still due are lost to the api: it sees a reset). */
    closeConnections(): void {
      server.closeAllConnections();
      for (const socket of streams) socket.destroy();
    },
    /** For an api in this same process: no HTTP, no token (it never leaves the process). */
    local,
    inFlight: () => inFlight,
    /** Usage records held in memory (the spool failed them), waiting to be written. */
    held: () => usageHeld(),
    /** New invocations are refused with 503 (the api sends them elsewhere); those running finish. */
    drain(): void {
      draining = true;
    },
    /**
     * At shutdown: writes the held records until the deadline. Whatever is still held then is logged
     * in full, the last place it can be recovered from (billing data, never a payload).
     */
    async flushHeld(deadline: number): Promise<void> {
      while (held.length > 0 && Date.now() < deadline) {
        if (retryTimer) clearTimeout(retryTimer);
        retryTimer = null;
        await writeHeld();
        if (held.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(retryDelay, Math.max(0, deadline - Date.now()))));
      }
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      if (held.length > 0)
        deps.log.error(
          { records: held.filter((r) => !isSpooledLogs(r)) },
          'usage records could not be spooled before shutdown: they are only in this log line',
        );
    },
  };
}
