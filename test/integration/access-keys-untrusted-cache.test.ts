import { randomBytes } from 'node:crypto';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb, type Db } from '../../src/db/database.js';
import { admin, bearer, newTenant } from '../helpers/app.js';
import { type Replica, startReplica, useReplicas } from '../helpers/replicas.js';

// Review of 2026-12-07: a replica trusts its cached credentials only while its poll of the key revision
// succeeds; while the poll fails, every request asks the database (auth.ts, cacheTrusted), so a key
// revoked on another replica stops working here at once. Bearer keys kept that rule; SigV4 access keys
// (access-keys.service.ts, whose cache is emptied through the same revision) did not: a replica that
// could not poll went on accepting an access key revoked elsewhere for the cache's whole 5 s.
//
// Replica B connects as a role that may not read api_key_revision, so its poll fails while every other
// query works; replica A revokes.
const POLL_MS = 100;
const ctx = useReplicas(1, { auth: { revocationPollMs: POLL_MS } });
const role = `review_nopoll_${randomBytes(4).toString('hex')}`;
const adminUrlFor = (database: string) => {
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${database}`;
  return url.toString();
};
async function asAdmin(database: string, statements: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrlFor(database) });
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

let a: Replica;
let b: Replica;
let bDb: Db;
let bBase: string;
beforeAll(async () => {
  a = ctx.replicas[0]!;
  await asAdmin(ctx.db.name, [
    `create role ${role} login password 'review'`,
    `grant usage on schema public to ${role}`,
    `grant select, insert, update, delete on all tables in schema public to ${role}`,
    `grant usage, select on all sequences in schema public to ${role}`,
    `revoke select on api_key_revision from ${role}`,
  ]);
  const url = new URL(ctx.db.url);
  url.username = role;
  url.password = 'review';
  bDb = createDb(url.toString(), 4);
  b = await startReplica(bDb, { auth: { revocationPollMs: POLL_MS } });
  await b.app.listen({ port: 0, host: '127.0.0.1' });
  bBase = `http://127.0.0.1:${(b.app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await b?.app.close();
  await bDb?.destroy();
  await asAdmin(ctx.db.name, [`drop owned by ${role}`]).catch(() => undefined);
  await asAdmin('postgres', [`drop role if exists ${role}`]).catch(() => undefined);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a replica whose key revision poll fails', () => {
  it('asks the database for every credential: a bearer key or an access key revoked on another replica stops at once', async () => {
    const tenant = await newTenant(a.app);
    // The poll fails on B (the role cannot read the revision): long enough for its cache to be untrusted.
    await sleep(5 * POLL_MS);

    // A bearer key: B answers it, A revokes it, B refuses it at once.
    const listB = (key: string) => b.app.inject({ method: 'GET', url: '/v1/functions', headers: bearer(key) });
    expect((await listB(tenant.accountKey)).statusCode).toBe(200);
    const keys = await a.app.inject({ method: 'GET', url: `/v1/accounts/${tenant.id}/keys`, headers: admin });
    const keyId = (keys.json().keys as { id: string }[])[0]!.id;
    expect((await a.app.inject({ method: 'DELETE', url: `/v1/keys/${keyId}`, headers: admin })).statusCode).toBeLessThan(300);
    expect((await listB(tenant.accountKey)).statusCode).toBe(401);

    // An access key: the same.
    const made = await a.app.inject({ method: 'POST', url: `/v1/accounts/${tenant.id}/access-keys`, headers: admin });
    expect(made.statusCode, made.body).toBe(201);
    const credentials = made.json() as { accessKeyId: string; secretAccessKey: string };
    const lambda = new LambdaClient({ endpoint: bBase, region: 'us-east-1', credentials, maxAttempts: 1 });
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    const revoke = await a.app.inject({
      method: 'DELETE',
      url: `/v1/accounts/${tenant.id}/access-keys/${credentials.accessKeyId}`,
      headers: admin,
    });
    expect(revoke.statusCode).toBe(204);
    await expect(lambda.send(new ListFunctionsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });
});
