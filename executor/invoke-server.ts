import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { invokeHeaders, LOG_TAIL_BYTES, MAX_SYNC_PAYLOAD_BYTES, type InvokeAnswer, type InvokeSpec, type LocalInvoker } from '../src/contracts/executor.js';
import type { UsageEvent } from '../src/contracts/usage.js';
import type { CodeCache } from './code-cache.js';
import { TooManyRequestsError, type FunctionPool } from './runtime/pool.js';
import type { FunctionSpec, InvocationResult, Log } from './runtime/types.js';
import type { UsageSpool } from './spool.js';

const MAX_SPEC_BYTES = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface InvokeServerDeps {
  token: string;
  pool: Pick<FunctionPool, 'invoke' | 'stats'>;
  code: Pick<CodeCache, 'folder'>;
  spool: Pick<UsageSpool, 'append'>;
  log: Log;
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

function send(res: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, ...headers });
  res.end(body);
}

/**
 * The executor's face: `POST /invoke` from the api (bearer token handed over at registration),
 * `GET /healthz`, and the same invocation as an in-process call for an api in this process.
 * Every invocation's usage is fsync'd to the spool before it is answered.
 */
export function createInvokeServer(deps: InvokeServerDeps) {
  const expected = Buffer.from(`Bearer ${deps.token}`);
  const specs = new Map<string, FunctionSpec>();
  let inFlight = 0;
  let draining = false;

  const authorized = (header: string | undefined) => {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  async function functionSpec(spec: InvokeSpec): Promise<FunctionSpec> {
    const key = `${spec.functionId}:${spec.version}`;
    const known = specs.get(key);
    if (known) return known;
    const codeDir = await deps.code.folder(spec.codeSha256).catch((err: unknown) => {
      throw new HttpError(502, 'CODE_UNAVAILABLE', `could not load code ${spec.codeSha256}: ${String(err)}`);
    });
    const made: FunctionSpec = {
      functionId: spec.functionId,
      name: spec.name,
      version: String(spec.version),
      runtime: spec.runtime,
      handler: spec.handler,
      memoryMb: spec.memoryMb,
      timeoutS: spec.timeoutS,
      environment: spec.environment,
      codeDir,
      ...(spec.reservedConcurrency !== null ? { reservedConcurrency: spec.reservedConcurrency } : {}),
    };
    if (specs.size >= 10_000) specs.clear();
    specs.set(key, made);
    return made;
  }

  /** One invocation, whatever brought it. */
  async function execute(specJson: Buffer, event: Buffer, requestId: string, logTail: boolean): Promise<InvokeAnswer> {
    if (draining) throw new HttpError(503, 'SHUTTING_DOWN', 'this executor is shutting down');
    if (!UUID.test(requestId)) throw new HttpError(400, 'BAD_REQUEST', 'a uuid request id is required');
    const spec = JSON.parse(specJson.toString('utf8')) as InvokeSpec;
    const fn = await functionSpec(spec);
    const startedAt = new Date().toISOString();
    let result: InvocationResult;
    try {
      result = await deps.pool.invoke(fn, event, requestId);
    } catch (err) {
      if (err instanceof TooManyRequestsError) throw new HttpError(429, err.code, err.message, { [invokeHeaders.throttleReason]: err.reason });
      throw err;
    }
    // Durable before answered: a crash from here on replays it, never loses it.
    await deps.spool.append([usageOf(spec, result, startedAt)]);
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
    const specLength = Number(req.headers[invokeHeaders.specLength]);
    if (!Number.isInteger(specLength) || specLength <= 0 || specLength > MAX_SPEC_BYTES) throw new HttpError(400, 'BAD_REQUEST', 'bad spec length');
    const body = await readBody(req, MAX_SPEC_BYTES + MAX_SYNC_PAYLOAD_BYTES);
    if (body.length < specLength) throw new HttpError(400, 'BAD_REQUEST', 'the body is shorter than its spec');
    const requestId = req.headers[invokeHeaders.requestId];
    return execute(body.subarray(0, specLength), body.subarray(specLength), typeof requestId === 'string' ? requestId : '', req.headers[invokeHeaders.log] === 'tail');
  }

  const server = http.createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      return send(res, 200, {}, Buffer.from(JSON.stringify({ status: draining ? 'draining' : 'ok', ...deps.pool.stats() })));
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

  const local: LocalInvoker = (r) => guarded(() => execute(r.spec, r.event, r.requestId, r.logTail));

  return {
    server,
    /** For an api in this same process: no HTTP, no token (it never leaves the process). */
    local,
    inFlight: () => inFlight,
    /** New invocations are refused with 503 (the api sends them elsewhere); those running finish. */
    drain(): void {
      draining = true;
    },
  };
}
