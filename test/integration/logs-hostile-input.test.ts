import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { InvocationLogs } from '../../src/contracts/logs.js';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';

// Hostile values on the log routes are refused (400) or made storable, never a failed query (500).
// Found by a review on 2026-12-07.
const t = useTestApp(new Date().toISOString());

function batch(accountId: string, functionName: string, messages: string[]): InvocationLogs {
  const now = t.clock.now().getTime();
  return {
    requestId: randomUUID(),
    accountId,
    functionName,
    architecture: 'x86_64',
    memoryMb: 512,
    lines: messages.map((message, seq) => ({ seq, timestamp: now - 1000 + seq, message })),
  };
}

async function get(key: string, url: string) {
  const r = await t.app.inject({ method: 'GET', url, headers: bearer(key) });
  return { status: r.statusCode, body: r.body };
}

describe('log routes and hostile input', () => {
  it('a cursor holding a timestamp outside the Date range is a 400, not a 500', async () => {
    const a = await newTenant(t.app);
    await t.services.logs.ingest({ role: 'executor', accountId: a.id, keyId: null }, [batch(a.id, 'fn', ['one', 'two', 'three'])]);
    const ok = await get(a.accountKey, '/v1/functions/fn/logs?limit=1');
    expect(ok.status).toBe(200);
    // Number.isSafeInteger(9e15) holds, but new Date(9e15) is an Invalid Date.
    const cursor = Buffer.from(JSON.stringify({ t: 9e15, r: randomUUID(), s: 0 })).toString('base64url');
    const r = await get(a.accountKey, `/v1/functions/fn/logs?cursor=${cursor}`);
    expect(r.status, r.body).toBe(400);
  });

  it('a cursor holding a seq past a Postgres integer is a 400, not a 500', async () => {
    const a = await newTenant(t.app);
    await t.services.logs.ingest({ role: 'executor', accountId: a.id, keyId: null }, [batch(a.id, 'fn', ['one', 'two'])]);
    // Number.isInteger(2 ** 31) holds, but the query casts the seq to int: "integer out of range".
    for (const s of [2 ** 31, 1e20]) {
      const cursor = Buffer.from(JSON.stringify({ t: t.clock.now().getTime(), r: randomUUID(), s })).toString('base64url');
      const r = await get(a.accountKey, `/v1/functions/fn/logs?cursor=${cursor}`);
      expect(r.status, r.body).toBe(400);
      expect(JSON.parse(r.body).error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('from or to at a leap second (RFC 3339 takes it, JavaScript cannot read it) is a 400, not a 500', async () => {
    const a = await newTenant(t.app);
    await t.services.logs.ingest({ role: 'executor', accountId: a.id, keyId: null }, [batch(a.id, 'fn', ['one'])]);
    const year = t.clock.now().getUTCFullYear();
    for (const q of [`from=${year - 1}-12-31T23:59:60Z`, `to=${year + 1}-12-31T23:59:60Z`]) {
      const r = await get(a.accountKey, `/v1/functions/fn/logs?${q}`);
      expect(r.status, `${q}: ${r.body}`).toBe(400);
      expect(JSON.parse(r.body).error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('a follower from a leap second is a 400 before its stream, not a replay of the whole retention', async () => {
    const a = await newTenant(t.app);
    await t.services.logs.ingest({ role: 'executor', accountId: a.id, keyId: null }, [batch(a.id, 'fn', ['long before'])]);
    if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
    const year = t.clock.now().getUTCFullYear();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          port: (t.app.server.address() as AddressInfo).port,
          host: '127.0.0.1',
          path: `/v1/functions/fn/logs?from=${year + 1}-12-31T23:59:60Z`,
          headers: { ...bearer(a.accountKey), accept: 'text/event-stream' },
        },
        (res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it('a text filter holding NUL is a 400, not a 500', async () => {
    const a = await newTenant(t.app);
    await t.services.logs.ingest({ role: 'executor', accountId: a.id, keyId: null }, [batch(a.id, 'fn', ['one'])]);
    const r = await get(a.accountKey, '/v1/functions/fn/logs?filter=%00');
    expect(r.status, r.body).toBe(400);
  });

  it('a function name holding NUL is a 400, not a 500', async () => {
    const a = await newTenant(t.app);
    const r = await get(a.accountKey, '/v1/functions/a%00b/logs');
    expect(r.status, r.body).toBe(400);
  });

  it('a line holding NUL posted by an executor is stored with U+FFFD in its place, not a 500 resent for ever', async () => {
    const a = await newTenant(t.app);
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: bearer(a.executorKey),
      payload: { invocations: [batch(a.id, 'fn', ['before', 'a\u0000b'])] },
    });
    expect(r.statusCode, r.body).toBe(200);
    const page = await get(a.accountKey, '/v1/functions/fn/logs');
    expect(JSON.parse(page.body).events.map((e: { message: string }) => e.message)).toEqual(['before', 'a\uFFFDb']);
  });

  it("reads an invocation's lines sent in parts (as the executor splits a large one) back as one, in order, once", async () => {
    const a = await newTenant(t.app);
    const whole = batch(a.id, 'fn', ['one', 'two', 'three', 'four']);
    const principal = { role: 'executor' as const, accountId: a.id, keyId: null };
    for (const lines of [whole.lines.slice(0, 2), whole.lines.slice(2), whole.lines.slice(2)]) {
      await t.services.logs.ingest(principal, [{ ...whole, lines }]);
    }
    const page = await get(a.accountKey, '/v1/functions/fn/logs');
    expect(JSON.parse(page.body).events.map((e: { message: string }) => e.message)).toEqual(['one', 'two', 'three', 'four']);
  });
});
