import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY, admin, bearer, newTenant, useTestApp, postLogLine } from '../helpers/app.js';

// A revoked key stops working on every replica within about a second (README, DELETE /v1/keys/:id). A log
// follower (Accept: text/event-stream) opened with the key before its revocation went on streaming the
// account's log lines for as long as its client kept it open (found by review).
const t = useTestApp(new Date().toISOString());
/** A second api replica on the same database: the follower is there, the revocation on the first. */
let replica: App;
const open: ClientRequest[] = [];

beforeAll(async () => {
  replica = await buildApp({ db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY });
  await replica.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  for (const r of open) r.destroy();
  await replica?.close();
});

interface Follower {
  status: number;
  /** What the stream has carried so far. */
  text: () => string;
  ended: Promise<void>;
}

function follow(key: string, fn: string): Promise<Follower> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        port: (replica.server.address() as AddressInfo).port,
        host: '127.0.0.1',
        path: `/v1/functions/${fn}/logs`,
        headers: { ...bearer(key), accept: 'text/event-stream' },
      },
      (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        const ended = new Promise<void>((done) => res.on('close', () => done()));
        resolve({ status: res.statusCode ?? 0, text: () => text, ended });
      },
    );
    req.on('error', reject);
    req.end();
    open.push(req);
  });
}

async function writeLine(accountId: string, executorKey: string, fn: string, message: string) {
  const r = await postLogLine(t.app, executorKey, { accountId, functionName: fn }, message);
  expect(r.statusCode, r.body).toBe(200);
  expect(r.json().accepted).toBe(1);
}

describe('a log follower whose key is revoked', () => {
  it('ends within a few seconds, sending nothing written after the revocation', async () => {
    const a = await newTenant(t.app);
    const created = await t.app.inject({ method: 'POST', url: `/v1/accounts/${a.id}/keys`, headers: admin, payload: { role: 'account' } });
    const leaked = created.json() as { id: string; key: string };

    const follower = await follow(leaked.key, 'fn');
    expect(follower.status).toBe(200);
    await writeLine(a.id, a.executorKey, 'fn', 'before the revocation');
    await expect.poll(follower.text, { timeout: 5_000 }).toContain('before the revocation');

    // The account revokes the leaked key on the other replica.
    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${leaked.id}`, headers: bearer(a.accountKey) });
    expect(revoked.statusCode, revoked.body).toBe(200);
    // Every replica refuses it within about a second...
    await expect
      .poll(async () => (await replica.inject({ method: 'GET', url: '/v1/functions/fn/logs', headers: bearer(leaked.key) })).statusCode, {
        timeout: 3_000,
      })
      .toBe(401);
    // ...and the stream it opened ends, saying why.
    const ended = await Promise.race([follower.ended.then(() => true), new Promise((r) => setTimeout(() => r(false), 3_000))]);
    await writeLine(a.id, a.executorKey, 'fn', 'written after the revocation: db password hunter2');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(follower.text()).not.toContain('hunter2');
    expect(ended).toBe(true);
    expect(follower.text()).toMatch(/event: error\ndata: \{"code":"UNAUTHENTICATED"/);

    // A follower of a key still valid is not ended by another key's revocation.
    const kept = await follow(a.accountKey, 'fn');
    expect(kept.status).toBe(200);
    const other = await t.app.inject({ method: 'POST', url: `/v1/accounts/${a.id}/keys`, headers: admin, payload: { role: 'account' } });
    await t.app.inject({ method: 'DELETE', url: `/v1/keys/${other.json().id}`, headers: admin });
    await new Promise((r) => setTimeout(r, 2_500));
    await writeLine(a.id, a.executorKey, 'fn', 'still followed');
    await expect.poll(kept.text, { timeout: 5_000 }).toContain('still followed');
  }, 30_000);
});
