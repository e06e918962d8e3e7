import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { InvocationLogs } from '../../src/contracts/logs.js';
import { newTenant, useTestApp } from '../helpers/app.js';

// Found by a review on 2026-12-07: a follower (Accept: text/event-stream) whose client reads nothing must not make the api
// buffer the whole replayed range in memory: the replay writes without waiting for 'drain'.
const t = useTestApp(new Date().toISOString());
const sockets: Socket[] = [];
afterAll(() => {
  for (const s of sockets) s.destroy();
});

describe('following a log', () => {
  it('does not buffer an unbounded replay for a client that reads nothing (backpressure)', async () => {
    const a = await newTenant(t.app);
    const now = t.clock.now().getTime();
    // 30 MB of stored lines: 120 invocations of 4 lines of 64 KB (each line a row of its own).
    const big = 'x'.repeat(64 * 1024);
    const invocations: InvocationLogs[] = Array.from({ length: 120 }, (_, i) => ({
      requestId: randomUUID(),
      accountId: a.id,
      functionName: 'noisy',
      architecture: 'x86_64',
      memoryMb: 512,
      lines: [0, 1, 2, 3].map((seq) => ({ seq, timestamp: now - 600_000 + i * 10 + seq, message: big })),
    }));
    for (let i = 0; i < invocations.length; i += 20) {
      await t.services.logs.ingest({ role: 'executor', accountId: a.id, keyId: null }, invocations.slice(i, i + 20));
    }

    const serverSockets: Socket[] = [];
    t.app.server.on('connection', (s: Socket) => serverSockets.push(s));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;

    // A client that sends the request and then never reads.
    const client = connect({ port, host: '127.0.0.1' });
    sockets.push(client);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.pause();
    const from = new Date(now - 3_600_000).toISOString();
    client.write(
      `GET /v1/functions/noisy/logs?from=${encodeURIComponent(from)} HTTP/1.1\r\nHost: x\r\n` +
        `Authorization: Bearer ${a.accountKey}\r\nAccept: text/event-stream\r\n\r\n`,
    );

    // Let the replay run to its end (the follower then polls every second).
    let peak = 0;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 100));
      for (const s of serverSockets) peak = Math.max(peak, s.writableLength);
    }
    client.destroy();
    // What the kernel's socket buffers could not take is held by the api: it should stop reading the
    // database when the client stops reading, keeping at most a page or so (here: 1 MB).
    expect(peak, `bytes the api held for a client that reads nothing: ${peak}`).toBeLessThan(4 * 1024 * 1024);
  }, 60_000);
});
