import http from 'node:http';
import { invokeHeaders, type InvokeAnswer, type LocalInvoker } from '../../contracts/executor.js';
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

/**
 * Forwards invocations over kept-alive HTTP/1.1 connections (node:http: the fastest client here).
 * Node closes an idle socket a second before the executor's keep-alive hint expires, so a reused
 * socket is rarely reset under us; a reset after the request left is not retried (it may have run).
 */
export function createExecutorClient() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' });
  const targets = new Map<string, URL>();
  const locals = new Map<string, LocalInvoker>();
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
    },

    close(): void {
      locals.clear();
      agent.destroy();
    },
  };
}

export type ExecutorClient = ReturnType<typeof createExecutorClient>;
