import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutorMetrics, createInvokeServer } from '../../executor/invoke-server.js';
import type { InvocationResult } from '../../executor/runtime/types.js';
import { INVOKE_STREAM_PROTOCOL } from '../../src/contracts/invoke-stream.js';
import { createExecutorClient, NotDeliveredError, STREAM_MAX_EVENT_BYTES } from '../../src/modules/executors/executors.client.js';
import type { Route } from '../../src/modules/executors/executors.service.js';
import { freePort } from '../../src/lib/free-port.js';
import { invokeSpec, silentLog } from './helpers.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const TOKEN = 't'.repeat(40);
const spec = invokeSpec();
const specBytes = Buffer.from(JSON.stringify(spec));

/**
 * A real invoke server (an executor's front) over a pool that "runs" an event `{ "wait": ms }` by
 * waiting that long and answering the event back (or `bytes` bytes, when the event names a size), and a spool that takes every record. Counts the
 * TCP connections it accepts and the plain HTTP requests it serves.
 */
async function executor() {
  const records: unknown[] = [];
  const front = createInvokeServer({
    token: TOKEN,
    pool: {
      invoke: async (_fn: unknown, event: Buffer, requestId: string): Promise<InvocationResult> => {
        const { wait, bytes } = JSON.parse(event.toString()) as { wait: number; bytes?: number };
        await new Promise((resolve) => setTimeout(resolve, wait));
        return {
          requestId,
          status: 'success',
          payload: bytes === undefined ? event : Buffer.alloc(bytes, 'x'),
          durationMs: wait,
          billedDurationMs: wait,
          maxMemoryUsedMb: 10,
          log: 'REPORT',
        };
      },
      stats: () => ({ instances: 0, busy: 0 }),
    },
    spool: { append: async (r: unknown[]) => void records.push(...r), accepting: () => true },
    metrics: createExecutorMetrics(),
    log: silentLog,
  });
  const seen = { connections: 0, httpRequests: 0 };
  front.server.on('connection', () => (seen.connections += 1));
  front.server.on('request', () => (seen.httpRequests += 1));
  await new Promise<void>((resolve) => front.server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise((resolve) => {
        front.closeConnections();
        front.server.close(resolve);
      }),
  );
  return { front, seen, records, url: `http://127.0.0.1:${(front.server.address() as AddressInfo).port}` };
}

function client() {
  const c = createExecutorClient();
  cleanup.push(() => c.close());
  return c;
}

const route = (url: string, token = TOKEN): Route => ({
  id: 'executor-1',
  url,
  capacity: 100,
  authorization: `Bearer ${token}`,
  startedAt: 0,
  inFlight: 0,
  downUntil: 0,
});

const call = (wait: number, timeoutMs = 5_000) => ({
  requestId: randomUUID(),
  spec: specBytes,
  event: Buffer.from(JSON.stringify({ wait })),
  logTail: false,
  timeoutMs,
});

/** The executor's answer to a raw upgrade request: its status line. */
function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/invoke`, { method: 'GET', agent: false, headers: { connection: 'Upgrade', ...headers } });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode!);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the invoke stream between the api and an executor', () => {
  it('carries concurrent invocations over one connection and matches each answer to its request, in any order', async () => {
    const e = await executor();
    const c = client();
    const waits = [60, 5, 40, 0, 25, 10, 50, 15, 30, 20];
    const calls = waits.map((wait) => call(wait));
    const finished: number[] = [];
    const answers = await Promise.all(
      calls.map((r, i) =>
        c.forward(route(e.url), r).then((a) => {
          finished.push(waits[i]!);
          return a;
        }),
      ),
    );
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      expect(a.body.toString()).toBe(calls[i]!.event.toString());
      expect(a.headers['x-tally-request-id']).toBe(calls[i]!.requestId);
      expect(a.headers['x-tally-status']).toBe('success');
    });
    // Answered as each finished, not in the order sent.
    expect(finished).not.toEqual(waits);
    expect(finished).toEqual([...waits].sort((a, b) => a - b));
    // Each invocation's usage went to the spool before its answer.
    expect(e.records).toHaveLength(waits.length);

    await c.forward(route(e.url), call(0));
    expect(e.seen).toEqual({ connections: 1, httpRequests: 0 });
    // The executor counts its open streams.
    const metrics = await (await fetch(`${e.url}/metrics`)).text();
    expect(metrics).toMatch(/^tally_executor_invoke_streams 1$/m);
  });

  it('refuses an upgrade with a wrong token (401), another protocol (404), or while draining (503); the api then meets the same answer over POST /invoke', async () => {
    const e = await executor();
    expect(await upgrade(e.url, { upgrade: INVOKE_STREAM_PROTOCOL, authorization: 'Bearer wrong' })).toBe(401);
    expect(await upgrade(e.url, { upgrade: 'websocket', authorization: `Bearer ${TOKEN}` })).toBe(404);
    expect(await upgrade(e.url, { upgrade: INVOKE_STREAM_PROTOCOL, authorization: `Bearer ${TOKEN}` })).toBe(101);

    const c = client();
    // 401 is what tells the api that the executor restarted with a token it has not read yet.
    expect((await c.forward(route(e.url, 'w'.repeat(40)), call(0))).status).toBe(401);
    e.front.drain();
    expect(await upgrade(e.url, { upgrade: INVOKE_STREAM_PROTOCOL, authorization: `Bearer ${TOKEN}` })).toBe(503);
    const answer = await c.forward(route(e.url), call(0));
    expect([answer.status, JSON.parse(answer.body.toString()).error.code]).toEqual([503, 'SHUTTING_DOWN']);
    expect(e.records).toHaveLength(0);
  });

  it('uses POST /invoke with an executor that does not offer the stream, without asking again at every call', async () => {
    const seen: string[] = [];
    const old = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.method !== 'POST' || req.url !== '/invoke') {
        res.writeHead(404).end('{"error":{"code":"ROUTE_NOT_FOUND","message":"no such route"}}');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const event = body.subarray(Number(req.headers['x-tally-spec-length']));
        res.writeHead(200, { 'x-tally-request-id': String(req.headers['x-tally-request-id']) }).end(event);
      });
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => old.close(resolve)));
    const url = `http://127.0.0.1:${(old.address() as AddressInfo).port}`;
    const c = client();
    for (let i = 0; i < 3; i++) {
      const r = call(i);
      const answer = await c.forward(route(url), r);
      expect([answer.status, answer.body.toString(), answer.headers['x-tally-request-id']]).toEqual([200, r.event.toString(), r.requestId]);
    }
    expect(seen).toEqual(['GET /invoke', 'POST /invoke', 'POST /invoke', 'POST /invoke']);
  });

  it('fails the invocations in flight when the connection is lost (they may have run), and opens a new stream for the next', async () => {
    const e = await executor();
    const c = client();
    await c.forward(route(e.url), call(0));
    const inFlight = c.forward(route(e.url), call(2_000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    e.front.closeConnections();
    const err = await inFlight.then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(NotDeliveredError);
    expect(String(err)).toMatch(/closed before it answered/);

    expect((await c.forward(route(e.url), call(0))).status).toBe(200);
    expect(e.seen.connections).toBe(2);
  });

  it('fails an invocation past its deadline and keeps the stream for the others; a late answer is dropped', async () => {
    const e = await executor();
    const c = client();
    const started = Date.now();
    await expect(c.forward(route(e.url), call(1_500, 200))).rejects.toThrow('no answer from executor executor-1 within 200 ms');
    expect(Date.now() - started).toBeLessThan(1_200);
    const r = call(0);
    expect((await c.forward(route(e.url), r)).body.toString()).toBe(r.event.toString());
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await c.forward(route(e.url), call(0))).status).toBe(200);
    expect(e.seen.connections).toBe(1);
  });

  it('carries a 6 MiB answer, and answers 500 (keeping the stream) for one too big for a frame', async () => {
    const e = await executor();
    const c = client();
    const big = await c.forward(route(e.url), { ...call(0), event: Buffer.from(JSON.stringify({ wait: 0, bytes: 6 * 1024 * 1024 })) });
    expect([big.status, big.body.length]).toEqual([200, 6 * 1024 * 1024]);
    const tooBig = await c.forward(route(e.url), { ...call(0), event: Buffer.from(JSON.stringify({ wait: 0, bytes: 9 * 1024 * 1024 })) });
    expect([tooBig.status, JSON.parse(tooBig.body.toString()).error.code]).toEqual([500, 'INTERNAL_ERROR']);
    expect((await c.forward(route(e.url), call(0))).status).toBe(200);
    expect(e.seen.connections).toBe(1);
  });

  it('sends an event over 256 KiB by POST /invoke, so that it holds no invocation behind it on the stream', async () => {
    const e = await executor();
    const c = client();
    await c.forward(route(e.url), call(0));
    const big = { ...call(0), event: Buffer.from(JSON.stringify({ wait: 0, pad: 'x'.repeat(STREAM_MAX_EVENT_BYTES) })) };
    const answer = await c.forward(route(e.url), big);
    expect([answer.status, answer.body.equals(big.event)]).toEqual([200, true]);
    expect(e.seen).toEqual({ connections: 2, httpRequests: 1 });
  });

  it('closes a stream that sends something other than frames', async () => {
    const e = await executor();
    const { port } = new URL(e.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    cleanup.push(() => socket.destroy());
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `GET /invoke HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: ${INVOKE_STREAM_PROTOCOL}\r\nauthorization: Bearer ${TOKEN}\r\n\r\n`,
    );
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toMatch(/^HTTP\/1.1 101 /);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0]));
    await closed;
    expect(e.records).toHaveLength(0);
  });

  it('says an executor that refuses connections never got the invocation (it can go elsewhere)', async () => {
    const c = client();
    await expect(c.forward(route(`http://127.0.0.1:${await freePort()}`), call(0))).rejects.toBeInstanceOf(NotDeliveredError);
  });
});
