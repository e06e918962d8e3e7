import http from 'node:http';
import type { Socket } from 'node:net';
import { invokeHeaders, type InvokeAnswer, type LocalInvoker } from '../../contracts/executor.js';
import {
  encodeFrame,
  frameWriter,
  INVOKE_STREAM_PROTOCOL,
  readFrames,
  type AnswerMeta,
  type RequestMeta,
} from '../../contracts/invoke-stream.js';
import type { Route } from './executors.service.js';

export interface ForwardRequest {
  requestId: string;
  spec: Buffer;
  event: Buffer;
  logTail: boolean;
  /** Base64 JSON for the function's context.clientContext (the Lambda API's X-Amz-Client-Context). */
  clientContext?: string;
  /** Give up waiting for the executor after this long (the function's timeout plus init and slack). */
  timeoutMs: number;
}

export type ForwardAnswer = InvokeAnswer;

/** The request never reached the executor: safe to send it elsewhere. */
export class NotDeliveredError extends Error {
  override readonly name = 'NotDeliveredError';
}

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

/** An executor that refused the invoke stream (an older one) is asked again after this long; meanwhile, POST /invoke. */
const STREAM_RETRY_MS = 60_000;
/**
 * An event bigger than this goes by POST /invoke, on a connection of its own: on the stream it would
 * hold every invocation behind it for as long as it takes to send (tens of ms for 6 MiB on 1 Gb/s).
 */
export const STREAM_MAX_EVENT_BYTES = 256 * 1024;

interface Pending {
  resolve: (answer: ForwardAnswer) => void;
  reject: (err: Error) => void;
  deadline: number;
  timeoutMs: number;
}

/**
 * One executor's invoke stream (src/contracts/invoke-stream.ts): requests go out as frames, answers
 * come back by id in any order. A request's deadline is checked every 250 ms; a late answer is dropped.
 * If the connection is lost, every request still waiting fails as a reset HTTP request would (it may
 * have run), and the next invocation opens a new stream.
 */
class InvokeStream {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly write: (frame: Buffer[]) => void;
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    head: Buffer,
    private readonly executorId: string,
    private readonly onClose: () => void,
  ) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    this.write = frameWriter(socket);
    readFrames(socket, head, (frame) => {
      const waiting = this.pending.get(frame.id);
      if (!waiting) return; // timed out already
      this.pending.delete(frame.id);
      const meta = frame.meta as AnswerMeta;
      waiting.resolve({ status: meta.s, headers: meta.h, body: frame.payload });
    });
    socket.on('error', () => undefined); // 'close' follows, and fails what is pending
    socket.on('close', () => {
      clearInterval(this.sweep);
      this.onClose();
      const lost = new Error(`the invoke stream to executor ${this.executorId} closed before it answered`);
      for (const waiting of this.pending.values()) waiting.reject(lost);
      this.pending.clear();
    });
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const [id, waiting] of this.pending)
        if (waiting.deadline <= now) {
          this.pending.delete(id);
          waiting.reject(new Error(`no answer from executor ${this.executorId} within ${waiting.timeoutMs} ms`));
        }
    }, 250);
    this.sweep.unref();
  }

  get open(): boolean {
    return !this.socket.destroyed;
  }

  send(r: ForwardRequest): Promise<ForwardAnswer> {
    if (this.socket.destroyed) return Promise.reject(new NotDeliveredError(`the invoke stream to executor ${this.executorId} is closed`));
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const meta: RequestMeta = { r: r.requestId, s: r.spec.length };
    if (r.logTail) meta.t = 1;
    if (r.clientContext) meta.c = r.clientContext;
    let frame: Buffer[];
    try {
      frame = encodeFrame(id, meta, [r.spec, r.event]);
    } catch (err) {
      // The api refuses an event over 6 MiB before it gets here: only a bug does, and it is not the executor's fault.
      return Promise.reject(err as Error);
    }
    return new Promise<ForwardAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, deadline: Date.now() + r.timeoutMs, timeoutMs: r.timeoutMs });
      this.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Where an executor's invocations go: its stream, a stream being opened, or (refused) POST /invoke until `httpUntil`. */
interface StreamState {
  stream: InvokeStream | null;
  opening: Promise<InvokeStream | null> | null;
  httpUntil: number;
}

/**
 * Forwards invocations to an executor in another process over its invoke stream (one connection,
 * framed, src/contracts/invoke-stream.ts), or, to an executor that does not offer one, over kept-alive
 * HTTP/1.1 connections (node:http: the fastest client here). Node closes an idle socket a second
 * before the executor's keep-alive hint expires, so a reused socket is rarely reset under us; a reset
 * after the request left is not retried (it may have run). `streams: false` keeps to HTTP.
 */
export function createExecutorClient(options: { streams?: boolean } = {}) {
  const useStreams = options.streams ?? true;
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' });
  const targets = new Map<string, URL>();
  const locals = new Map<string, LocalInvoker>();
  const streams = new Map<string, StreamState>();
  let localStarting: Promise<void> | null = null;

  function target(url: string): URL {
    let parsed = targets.get(url);
    if (!parsed) {
      parsed = new URL('invoke', url.endsWith('/') ? url : `${url}/`);
      targets.set(url, parsed);
    }
    return parsed;
  }

  return {
    /** The executor with this id runs in this process (npm start): call it directly, not over loopback HTTP. */
    attachLocal(executorId: string, invoke: LocalInvoker): void {
      locals.set(executorId, invoke);
    },

    /**
     * An executor is starting in this process (npm start builds its sandbox after the api listens):
     * an invocation that finds no executor yet waits for it instead of answering 503.
     */
    expectLocal(started: Promise<unknown>): void {
      const pending: Promise<void> = started.then(
        () => undefined,
        () => undefined,
      );
      localStarting = pending;
      void pending.finally(() => {
        if (localStarting === pending) localStarting = null;
      });
    },

    /** Resolves once the in-process executor started (or failed to), within `ms`; at once when none is starting. */
    async awaitLocal(ms: number): Promise<boolean> {
      if (!localStarting) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([localStarting, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
      return true;
    },

    forward(route: Route, r: ForwardRequest): Promise<ForwardAnswer> {
      const local = locals.get(route.id);
      if (local) return local({ spec: r.spec, event: r.event, requestId: r.requestId, logTail: r.logTail, clientContext: r.clientContext });
      if (!useStreams || r.event.length > STREAM_MAX_EVENT_BYTES) return overHttp(route, r);
      const key = `${route.url} ${route.authorization}`;
      let state = streams.get(key);
      if (state?.stream?.open) return state.stream.send(r);
      if (state && state.httpUntil > Date.now()) return overHttp(route, r);
      if (!state) {
        state = { stream: null, opening: null, httpUntil: 0 };
        streams.set(key, state);
      }
      const s = state;
      s.opening ??= openStream(route, key, s).finally(() => {
        s.opening = null;
      });
      return s.opening.then((stream) => (stream ? stream.send(r) : overHttp(route, r)));
    },

    close(): void {
      locals.clear();
      for (const state of streams.values()) state.stream?.close();
      streams.clear();
      agent.destroy();
    },
  };

  /**
   * Asks the executor to upgrade a fresh connection to the invoke stream. Null when it answers
   * anything but 101: a 404 (it predates the stream) keeps this executor on HTTP for a while; a
   * 401 or 503 is left for POST /invoke to meet and report as it always has.
   */
  function openStream(route: Route, key: string, state: StreamState): Promise<InvokeStream | null> {
    const url = target(route.url);
    return new Promise((resolve, reject) => {
      const req = http.request({
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'GET',
        agent: false,
        headers: { authorization: route.authorization, connection: 'Upgrade', upgrade: INVOKE_STREAM_PROTOCOL },
      });
      req.setTimeout(10_000, () => req.destroy(new Error(`executor ${route.id} did not answer the invoke stream's upgrade`)));
      req.on('upgrade', (res, socket, head) => {
        req.setTimeout(0);
        if (res.headers.upgrade !== INVOKE_STREAM_PROTOCOL) {
          socket.destroy();
          return resolve(null);
        }
        const stream = new InvokeStream(socket, head, route.id, () => {
          if (state.stream === stream) state.stream = null;
          if (!state.stream && !state.opening && streams.get(key) === state) streams.delete(key);
        });
        state.stream = stream;
        resolve(stream);
      });
      req.on('response', (res) => {
        res.resume();
        if (res.statusCode === 404) state.httpUntil = Date.now() + STREAM_RETRY_MS;
        resolve(null);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code && NOT_CONNECTED.has(err.code)) reject(new NotDeliveredError(`${err.code} ${route.url}`));
        else resolve(null);
      });
      req.end();
    });
  }

  function overHttp(route: Route, r: ForwardRequest): Promise<ForwardAnswer> {
    const url = target(route.url);
    const body = r.event.length === 0 ? r.spec : Buffer.concat([r.spec, r.event]);
    const headers: http.OutgoingHttpHeaders = {
      authorization: route.authorization,
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      [invokeHeaders.specLength]: r.spec.length,
      [invokeHeaders.requestId]: r.requestId,
    };
    if (r.logTail) headers[invokeHeaders.log] = 'tail';
    if (r.clientContext) headers[invokeHeaders.clientContext] = r.clientContext;
    return new Promise<ForwardAnswer>((resolve, reject) => {
      const req = http.request(
        { protocol: url.protocol, hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(r.timeoutMs, () => req.destroy(new Error(`no answer from executor ${route.id} within ${r.timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        reject(err.code && NOT_CONNECTED.has(err.code) ? new NotDeliveredError(`${err.code} ${route.url}`) : err);
      });
      req.end(body);
    });
  }
}

export type ExecutorClient = ReturnType<typeof createExecutorClient>;
