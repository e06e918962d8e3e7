import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type AnswerWatch, answerClock, type ParkControl } from './answer-clock.js';

/** Lambda's limit on a synchronous response (and on an error body). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

const PREFIX = '/2018-06-01/runtime/';
const NEXT_PATH = `${PREFIX}invocation/next`;
const INIT_ERROR_PATH = `${PREFIX}init/error`;
const INVOCATION_PREFIX = `${PREFIX}invocation/`;
const ACCEPTED = Buffer.from('{"status":"OK"}');
/** A Tally extension header on /response and /error: "answer with the next event instead of 202". */
const THEN_NEXT = 'x-tally-then-next';

/** Lambda hands the runtime the client context as JSON text; only printable ASCII goes into a header. */
function clientContextHeader(base64: string | undefined): Record<string, string> {
  if (!base64) return {};
  const json = Buffer.from(base64, 'base64').toString('utf8');
  return /^[\x20-\x7e]+$/.test(json) ? { 'Lambda-Runtime-Client-Context': json } : {};
}

export interface RuntimeInvocation {
  requestId: string;
  event: Buffer;
  /** The function's timeout; the deadline handed to the runtime counts from the handoff. */
  timeoutMs: number;
  /** An earlier wall-clock deadline (epoch ms) imposed by the caller, if any. */
  deadlineMs?: number;
  functionArn: string;
  traceId: string;
  /** The caller's client context, base64 JSON as Lambda's Invoke takes it; sent decoded, as Lambda does. */
  clientContext?: string;
}

export type RuntimeOutcome = { kind: 'response'; body: Buffer } | { kind: 'error'; body: Buffer; errorType: string };

export interface InvocationHandlers {
  /** The event was written to the runtime's `/next` call at `at` (performance.now()), due by `deadlineMs` (epoch). */
  onHandoff(at: number, deadlineMs: number): void;
  /**
   * The runtime posted a response or error, fully received at `at`. `parkedWith`: what the answer
   * clock's thread wrote to park the instance when it saw the answer whole (null: it did not park it).
   */
  onOutcome(outcome: RuntimeOutcome, at: number, parkedWith: string | null): void;
}

export interface RuntimeApiHooks {
  /** Every `/next` call from the runtime; the first one ends init. */
  onNext(at: number): void;
  /** The runtime posted `/init/error`. `body` is the error JSON. */
  onInitError(errorType: string, body: Buffer): void;
  /** What parks the instance once its answer is whole (the answer clock writes it); null: nothing. */
  parkControl?(): ParkControl | null;
  /**
   * The runtime sent something shaped like its answer before the answer the executor read: billed to
   * the read instead (docs/billing-clock.md). A runtime trying to end its billed time early, or a broken one.
   */
  onForgedAnswer?(requestId: string): void;
}

interface Current {
  invocation: RuntimeInvocation;
  handlers: InvocationHandlers;
  handedOff: boolean;
}

/**
 * The Lambda Runtime API for one function instance, on 127.0.0.1 and a random port.
 * At most one invocation is in flight; the instance drives it with `deliver()` / `cancel()`.
 */
/** Connections one instance may hold to its Runtime API at once (a runtime needs one or two). */
const MAX_CONNECTIONS = 32;
/** How long a request's headers may take to arrive (a runtime writes them at once). */
const HEADERS_TIMEOUT_MS = 10_000;

export class RuntimeApi {
  private current: Current | null = null;
  private parkedNext: http.ServerResponse | null = null;

  private hooks: RuntimeApiHooks = { onNext: () => undefined, onInitError: () => undefined };
  /** When each answer was whole in its socket, seen off the event loop (null: the loop's read). */
  private readonly clock: AnswerWatch | null = answerClock?.watch() ?? null;

  private constructor(
    private readonly servers: http.Server[],
    readonly maxResponseBytes: number,
  ) {}

  /**
   * Listens on 127.0.0.1 and a free port, and on `socketPath` too when given: a sandbox forwards
   * the port into the instance's own network namespace for any runtime, and binds the socket into
   * it for Tally's own bootstraps, which skip the forwarder's extra hop on every invocation. A
   * sandbox prepares it ahead of its instance, so the hooks are bound later.
   */
  static async start(maxResponseBytes = MAX_RESPONSE_BYTES, socketPath?: string): Promise<RuntimeApi> {
    // keepAliveTimeout 0: the runtime's socket may sit idle for a whole invocation (up to 15 min). But a
    // request's headers must come within HEADERS_TIMEOUT_MS, and an instance may hold MAX_CONNECTIONS at
    // once: a function opening thousands of connections and never finishing a request line would
    // otherwise hold a socket each in the executor, shared by every tenant, until it ran out of them.
    const make = () => {
      const server = http.createServer({ keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: HEADERS_TIMEOUT_MS, noDelay: true });
      server.maxConnections = MAX_CONNECTIONS;
      return server;
    };
    const servers = socketPath ? [make(), make()] : [make()];
    const api = new RuntimeApi(servers, maxResponseBytes);
    const listen = (server: http.Server, where: { port: number; host: string } | { path: string }) =>
      new Promise<void>((resolve, reject) => {
        server.on('request', (req, res) => api.route(req, res));
        server.once('error', reject);
        server.listen(where, () => resolve());
      });
    await listen(servers[0]!, { port: 0, host: '127.0.0.1' });
    if (socketPath) await listen(servers[1]!, { path: socketPath });
    return api;
  }

  /** `host:port` on the executor's side (inside a sandbox the runtime sees its own 127.0.0.1:9001). */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get port(): number {
    return (this.servers[0]!.address() as AddressInfo).port;
  }

  /** The instance this API now serves. */
  bind(hooks: RuntimeApiHooks): void {
    this.hooks = hooks;
  }

  /** Queue an invocation; it is handed over as soon as the runtime calls `/next`. */
  deliver(invocation: RuntimeInvocation, handlers: InvocationHandlers): void {
    if (this.current) throw new Error('an invocation is already in flight');
    this.current = { invocation, handlers, handedOff: false };
    const parked = this.parkedNext;
    if (parked) {
      this.parkedNext = null;
      this.handOff(parked);
    }
  }

  /**
   * When the in-flight invocation's answer was whole in its socket (performance.now()), if the answer
   * clock saw it before this event loop read it; null otherwise.
   */
  answeredAt(): number | null {
    return this.current?.handedOff ? (this.clock?.seen() ?? null) : null;
  }

  /** Forget the in-flight invocation (timed out, or its instance is going away). */
  cancel(): void {
    this.current = null;
    this.clock?.take(null);
  }

  async close(): Promise<void> {
    this.current = null;
    this.parkedNext = null;
    this.clock?.release();
    await Promise.all(
      this.servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === NEXT_PATH) {
      this.next(res);
      return;
    }
    if (req.method === 'POST' && url === INIT_ERROR_PATH) return void this.initError(req, res).catch(dropRequest(res));
    if (req.method === 'POST' && url.startsWith(INVOCATION_PREFIX)) {
      const rest = url.slice(INVOCATION_PREFIX.length);
      const slash = rest.lastIndexOf('/');
      const requestId = safeDecode(rest.slice(0, Math.max(0, slash)));
      const action = rest.slice(slash + 1);
      if (slash > 0 && (action === 'response' || action === 'error')) {
        return void this.outcome(requestId, action, req, res).catch(dropRequest(res));
      }
    }
    reply(res, 404, { errorType: 'NotFound', errorMessage: `No route for ${req.method} ${url}` });
  }

  private next(res: http.ServerResponse): void {
    this.hooks.onNext(performance.now());
    if (this.parkedNext) reply(this.parkedNext, 409, { errorType: 'Conflict', errorMessage: 'superseded by another /next' });
    if (this.current && !this.current.handedOff) {
      this.handOff(res);
      return;
    }
    this.parkedNext = res;
    res.on('close', () => {
      if (this.parkedNext === res) this.parkedNext = null;
    });
  }

  private handOff(res: http.ServerResponse): void {
    const current = this.current;
    if (!current) return;
    const { invocation } = current;
    current.handedOff = true;
    const due = Date.now() + invocation.timeoutMs;
    const deadlineMs = invocation.deadlineMs === undefined ? due : Math.min(due, invocation.deadlineMs);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': invocation.event.length,
      'Lambda-Runtime-Aws-Request-Id': invocation.requestId,
      'Lambda-Runtime-Deadline-Ms': String(deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': invocation.functionArn,
      'Lambda-Runtime-Trace-Id': invocation.traceId,
      ...clientContextHeader(invocation.clientContext),
    });
    current.handlers.onHandoff(performance.now(), deadlineMs);
    // Armed before the event goes out, so the answer cannot come first.
    if (res.socket) this.clock?.arm(res.socket, invocation.requestId, this.hooks.parkControl?.() ?? null);
    res.end(invocation.event);
  }

  private async outcome(
    requestId: string,
    action: 'response' | 'error',
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const current = this.current;
    if (!current?.handedOff || current.invocation.requestId !== requestId) {
      req.resume();
      return reply(res, 400, { errorType: 'InvalidRequestID', errorMessage: `Invalid request ID: ${requestId}` });
    }
    const body = await readBody(req, this.maxResponseBytes);
    if (this.current !== current) return reply(res, 400, { errorType: 'InvalidRequestID', errorMessage: 'Invocation is over' });
    this.current = null;
    // The answer was whole in its socket before this turn of the loop came to it: billed time ends there.
    const read = performance.now();
    const seen = this.clock?.take(req.socket) ?? null;
    if (seen === 'forged') this.hooks.onForgedAnswer?.(requestId);
    const at = typeof seen === 'number' ? Math.min(read, seen) : read;
    const parkedWith = typeof seen === 'number' ? (this.clock?.parkedWith() ?? null) : null;
    // An error body that is not JSON is wrapped into the error JSON, which can be several times its
    // size (JSON escapes a control character in six bytes): the limit holds for what is answered.
    const outcome: RuntimeOutcome | null =
      body === null ? null : action === 'response' ? { kind: 'response', body } : errorOutcome(req, body, 'Unhandled');
    if (outcome === null || outcome.body.length > this.maxResponseBytes) {
      const message = `Response payload size exceeded maximum allowed payload size (${this.maxResponseBytes} bytes).`;
      reply(res, 413, { errorType: 'RequestEntityTooLarge', errorMessage: message });
      const errorBody = errorJson('Function.ResponseSizeTooLarge', message);
      return current.handlers.onOutcome({ kind: 'error', body: errorBody, errorType: 'Function.ResponseSizeTooLarge' }, at, parkedWith);
    }
    // Tally's own bootstraps ask for the next event in the same exchange: the answer to their
    // response is the next event (saving a round trip per invocation); any other runtime gets 202.
    if (req.headers[THEN_NEXT] === '1') this.next(res);
    else reply(res, 202, ACCEPTED);
    current.handlers.onOutcome(outcome, at, parkedWith);
  }

  private async initError(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = (await readBody(req, this.maxResponseBytes)) ?? Buffer.alloc(0);
    reply(res, 202, ACCEPTED);
    const { errorType, json } = normalizeError(req, body, 'Runtime.Unknown');
    // It is the first invocation's answer: wrapped, a body within the limit may no longer be.
    this.hooks.onInitError(errorType, json.length > this.maxResponseBytes ? errorJson(errorType, '') : json);
  }
}

/** Reads a request body; null when it is larger than `limit` (the rest is drained). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Longest error type kept: it travels in a header and in the invoke stream's frame meta (64 KiB at most). */
const MAX_ERROR_TYPE = 256;

/**
 * The error type as it may travel: in a response header (`x-tally-error-type`, `X-Amz-Function-Error`'s
 * companion), where anything but printable ASCII makes Node throw, so each other character becomes `?`,
 * and cut to MAX_ERROR_TYPE. The runtime, and so the function, chooses it.
 */
function headerSafe(errorType: string): string {
  const cut = errorType.length > MAX_ERROR_TYPE ? errorType.slice(0, MAX_ERROR_TYPE) : errorType;
  return cut.replace(/[^\x20-\x7e]/g, '?');
}

function errorOutcome(req: http.IncomingMessage, body: Buffer, fallback: string): RuntimeOutcome {
  const { errorType, json } = normalizeError(req, body, fallback);
  return { kind: 'error', body: json, errorType };
}

/** The error type from the header or the body, and a body that is always error JSON. */
function normalizeError(req: http.IncomingMessage, body: Buffer, fallback: string): { errorType: string; json: Buffer } {
  const header = req.headers['lambda-runtime-function-error-type'];
  let errorType = typeof header === 'string' && header !== '' ? header : undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const fromBody = (parsed as { errorType?: unknown }).errorType;
      errorType ??= typeof fromBody === 'string' && fromBody !== '' ? fromBody : undefined;
      return { errorType: headerSafe(errorType ?? fallback), json: body };
    }
  } catch {
    // not JSON: wrapped below
  }
  errorType = headerSafe(errorType ?? fallback);
  return { errorType, json: errorJson(errorType, body.toString('utf8')) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A runtime killed mid-request (timeout, memory) aborts its body: nothing to answer. */
function dropRequest(res: http.ServerResponse): () => void {
  return () => res.destroy();
}

export function errorJson(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

function reply(res: http.ServerResponse, status: number, body: Buffer | object): void {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length });
  res.end(data);
}
