import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY, admin, newTenant, useTestApp } from '../helpers/app.js';

// Found by a review: one key could open thousands of followers (Accept: text/event-stream), each polling
// the database once a second. Each api process now follows at most TALLY_LOG_FOLLOWERS_PER_ACCOUNT per account.
const t = useTestApp(new Date().toISOString());
const CAP = 3;
let capped: App;
const open: ClientRequest[] = [];

beforeAll(async () => {
  capped = await buildApp({
    db: t.db.db,
    clock: t.clock,
    logger: silentLogger(),
    adminKey: ADMIN_KEY,
    logs: { maxFollowersPerAccount: CAP },
  });
  await capped.listen({ port: 0, host: '127.0.0.1' });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  for (const r of open) r.destroy();
  await capped?.close();
});

const portOf = (app: App) => (app.server.address() as AddressInfo).port;

interface Follower {
  status: number;
  body: () => Promise<string>;
  close: () => void;
}

/** Starts following a log; resolves once the answer's head arrived (a follower's stream stays open). */
function follow(app: App, headers: Record<string, string>): Promise<Follower> {
  return new Promise((resolve, reject) => {
    const req = request(
      { port: portOf(app), host: '127.0.0.1', path: '/v1/functions/fn/logs', headers: { ...headers, accept: 'text/event-stream' } },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const ended = new Promise<string>((done) => res.on('end', () => done(Buffer.concat(chunks).toString('utf8'))));
        resolve({ status: res.statusCode ?? 0, body: () => ended, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
    req.end();
    open.push(req);
  });
}

const asKey = (key: string) => ({ authorization: `Bearer ${key}` });

/** Follows until the api has noticed a slot was freed (a closed socket is seen a moment later). */
async function followWhenFree(app: App, headers: Record<string, string>): Promise<Follower> {
  for (let i = 0; ; i++) {
    const f = await follow(app, headers);
    if (f.status === 200 || i === 40) return f;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('followers per account', () => {
  it('refuses a follower past the cap with 429 TOO_MANY_REQUESTS, counted per account, and frees a slot when a client leaves', async () => {
    const a = await newTenant(capped);
    const b = await newTenant(capped);
    const followers: Follower[] = [];
    for (let i = 0; i < CAP; i++)
      followers.push(await follow(capped, i % 2 === 0 ? asKey(a.accountKey) : { ...admin, 'x-account-id': a.id }));
    expect(followers.map((f) => f.status)).toEqual(Array(CAP).fill(200));

    // One more for the same account, by its key or by the admin acting for it: refused in the error shape.
    for (const headers of [asKey(a.accountKey), { ...admin, 'x-account-id': a.id }]) {
      const refused = await follow(capped, headers);
      expect(refused.status).toBe(429);
      const body = JSON.parse(await refused.body()) as { error: { code: string; message: string; details: unknown } };
      expect(body.error.code).toBe('TOO_MANY_REQUESTS');
      expect(body.error.details).toEqual({ reason: 'log_followers', limit: CAP });
    }
    // Another account is not held back by the first.
    expect((await follow(capped, asKey(b.accountKey))).status).toBe(200);

    // A client that leaves frees its slot.
    followers[0]!.close();
    expect((await followWhenFree(capped, asKey(a.accountKey))).status).toBe(200);
    expect((await follow(capped, asKey(a.accountKey))).status).toBe(429);
  }, 30_000);

  it('frees the slots of clients that hung up before their stream began', async () => {
    const a = await newTenant(capped);
    for (let i = 0; i < CAP * 4; i++) {
      const client = connect({ port: portOf(capped), host: '127.0.0.1' });
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      client.write(
        `GET /v1/functions/fn/logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${a.accountKey}\r\nAccept: text/event-stream\r\n\r\n`,
      );
      client.destroy();
    }
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < CAP; i++) expect((await followWhenFree(capped, asKey(a.accountKey))).status).toBe(200);
    expect((await follow(capped, asKey(a.accountKey))).status).toBe(429);
  }, 30_000);

  it('caps at 10 followers per account unless told', async () => {
    const a = await newTenant(t.app);
    for (let i = 0; i < 10; i++) expect((await follow(t.app, asKey(a.accountKey))).status).toBe(200);
    expect((await follow(t.app, asKey(a.accountKey))).status).toBe(429);
  }, 30_000);
});
