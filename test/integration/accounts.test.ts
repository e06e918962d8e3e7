import { describe, expect, it } from 'vitest';
import { admin, bearer, newTenant, useTestApp } from '../helpers/app.js';

const t = useTestApp();

describe('accounts and keys', () => {
  it('creates an account with the free tier on by default, and off on request', async () => {
    const a = await t.app.inject({ method: 'POST', url: '/v1/accounts', headers: admin, payload: { name: 'Acme' } });
    expect(a.statusCode).toBe(201);
    expect(a.json()).toMatchObject({ name: 'Acme', freeTier: true });
    const b = await t.app.inject({ method: 'POST', url: '/v1/accounts', headers: admin, payload: { name: 'Big Co', freeTier: false } });
    expect(b.json().freeTier).toBe(false);
  });

  it('stores keys only as hashes and shows the key once', async () => {
    const { id, accountKey } = await newTenant(t.app);
    const rows = await t.db.db.selectFrom('api_keys').selectAll().where('account_id', '=', id).execute();
    expect(rows.length).toBe(2);
    for (const row of rows) {
      expect(row.key_hash.length).toBe(32);
      expect(row.key_hash.toString('utf8')).not.toContain(accountKey.slice(12));
    }
    const list = await t.app.inject({ method: 'GET', url: `/v1/accounts/${id}/keys`, headers: bearer(accountKey) });
    expect(list.statusCode).toBe(200);
    expect(JSON.stringify(list.json())).not.toContain(accountKey);
    expect(
      list
        .json()
        .keys.map((k: { role: string }) => k.role)
        .sort(),
    ).toEqual(['account', 'executor']);
  });

  it("lets an account key read its own account and answers 404 for another tenant's", async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    const own = await t.app.inject({ method: 'GET', url: `/v1/accounts/${a.id}`, headers: bearer(a.accountKey) });
    expect(own.statusCode).toBe(200);
    for (const url of [`/v1/accounts/${b.id}`, `/v1/accounts/${b.id}/keys`]) {
      const other = await t.app.inject({ method: 'GET', url, headers: bearer(a.accountKey) });
      expect(other.statusCode).toBe(404);
      expect(other.json().error.code).toBe('ACCOUNT_NOT_FOUND');
    }
  });

  it('refuses missing, unknown and revoked keys with 401, and wrong roles with 403', async () => {
    const a = await newTenant(t.app);
    expect((await t.app.inject({ method: 'GET', url: `/v1/accounts/${a.id}` })).statusCode).toBe(401);
    const unknown = await t.app.inject({ method: 'GET', url: `/v1/accounts/${a.id}`, headers: bearer('tly_acc_nope') });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('UNAUTHENTICATED');
    const wrongRole = await t.app.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(a.accountKey), payload: { name: 'x' } });
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json().error.code).toBe('FORBIDDEN');
    const executorReads = await t.app.inject({ method: 'GET', url: `/v1/accounts/${a.id}`, headers: bearer(a.executorKey) });
    expect(executorReads.statusCode).toBe(403);

    const keys = await t.app.inject({ method: 'GET', url: `/v1/accounts/${a.id}/keys`, headers: admin });
    const accountKeyId = keys.json().keys.find((k: { role: string }) => k.role === 'account').id;
    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${accountKeyId}`, headers: admin });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    const after = await t.app.inject({ method: 'GET', url: `/v1/accounts/${a.id}`, headers: bearer(a.accountKey) });
    expect(after.statusCode).toBe(401);
  });

  it("does not let one tenant revoke another tenant's key", async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    const keys = await t.app.inject({ method: 'GET', url: `/v1/accounts/${b.id}/keys`, headers: admin });
    const bKeyId = keys.json().keys[0].id;
    const r = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${bKeyId}`, headers: bearer(a.accountKey) });
    expect(r.statusCode).toBe(404);
    const still = await t.app.inject({ method: 'GET', url: `/v1/accounts/${b.id}`, headers: bearer(b.accountKey) });
    expect(still.statusCode).toBe(200);
  });

  it('creates platform-wide executor keys and refuses account roles there', async () => {
    const fleet = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: admin, payload: { role: 'executor' } });
    expect(fleet.statusCode).toBe(201);
    expect(fleet.json()).toMatchObject({ role: 'executor', accountId: null });
    expect(fleet.json().key).toMatch(/^tly_exe_/);
    const bad = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: admin, payload: { role: 'account' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('answers 404 for keys under an account that does not exist', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/accounts/00000000-0000-4000-8000-000000000000/keys',
      headers: admin,
      payload: { role: 'account' },
    });
    expect(r.statusCode).toBe(404);
  });
});
