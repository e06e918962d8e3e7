import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, admin, bearer, fleetExecutor, newTenant, useTestApp } from '../helpers/app.js';

// Keys are what let anyone bill, read or run code as an account, or as the platform: who made or revoked one is in
// the append-only audit log, as every change that affects money is. Before 2026-12-08 no key's creation or
// revocation was written there: an admin key made with a leaked admin key, then used and revoked, left no trace.
const t = useTestApp();

const auditOf = async (action: string, accountId?: string) => {
  const r = await t.app.inject({
    method: 'GET',
    url: `/v1/audit?action=${action}${accountId ? `&accountId=${accountId}` : ''}`,
    headers: admin,
  });
  expect(r.statusCode).toBe(200);
  return r.json().entries as { actor: string; accountId: string | null; subject: string; details: Record<string, unknown> }[];
};

describe('the audit log of keys', () => {
  it('records a platform key made and revoked, by whom, without the key', async () => {
    const made = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: admin, payload: { role: 'admin', label: 'ops' } });
    expect(made.statusCode).toBe(201);
    const { id, key } = made.json() as { id: string; key: string };
    const created = (await auditOf('key.created')).filter((e) => e.subject === id);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ actor: 'admin:env', accountId: null, details: { role: 'admin', label: 'ops' } });
    expect(JSON.stringify(created[0])).not.toContain(key);

    // The new admin key revokes itself: the actor is that key.
    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: bearer(key) });
    expect(revoked.statusCode).toBe(200);
    const entries = (await auditOf('key.revoked')).filter((e) => e.subject === id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: `key:${id}`, accountId: null, details: { role: 'admin' } });
    // Revoked again: nothing changed, nothing more written.
    await t.app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: admin });
    expect((await auditOf('key.revoked')).filter((e) => e.subject === id)).toHaveLength(1);
  });

  it("records an account's keys, under that account, and its revocation by the account itself", async () => {
    const tenant = await newTenant(t.app);
    const created = await auditOf('key.created', tenant.id);
    expect(created.map((e) => e.details.role).sort()).toEqual(['account', 'executor']);
    const keys = (await t.app.inject({ method: 'GET', url: `/v1/accounts/${tenant.id}/keys`, headers: admin })).json().keys as {
      id: string;
      role: string;
    }[];
    const executorKey = keys.find((k) => k.role === 'executor')!;
    const accountKey = keys.find((k) => k.role === 'account')!;
    const r = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${executorKey.id}`, headers: bearer(tenant.accountKey) });
    expect(r.statusCode).toBe(200);
    expect(await auditOf('key.revoked', tenant.id)).toMatchObject([
      { actor: `key:${accountKey.id}`, accountId: tenant.id, subject: executorKey.id, details: { role: 'executor' } },
    ]);
  });

  it("records an account's SigV4 access keys made and revoked", async () => {
    const tenant = await newTenant(t.app);
    const made = await t.app.inject({ method: 'POST', url: `/v1/accounts/${tenant.id}/access-keys`, headers: bearer(tenant.accountKey) });
    expect(made.statusCode).toBe(201);
    const { accessKeyId, secretAccessKey } = made.json() as { accessKeyId: string; secretAccessKey: string };
    const created = await auditOf('access_key.created', tenant.id);
    expect(created).toMatchObject([{ accountId: tenant.id, subject: accessKeyId }]);
    expect(created[0]!.actor).toMatch(/^key:/);
    expect(JSON.stringify(created)).not.toContain(secretAccessKey);
    const gone = await t.app.inject({
      method: 'DELETE',
      url: `/v1/accounts/${tenant.id}/access-keys/${accessKeyId}`,
      headers: bearer(ADMIN_KEY),
    });
    expect(gone.statusCode).toBe(204);
    expect(await auditOf('access_key.revoked', tenant.id)).toMatchObject([
      { actor: 'admin:env', accountId: tenant.id, subject: accessKeyId },
    ]);
  });

  it('records the key of an executor an admin removes, naming the executor', async () => {
    const { executorId } = await fleetExecutor(t.app, t.db.db, t.services.secretBox);
    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/executors/${executorId}`, headers: admin });
    expect(removed.statusCode).toBe(204);
    const entries = (await auditOf('key.revoked')).filter((e) => e.details.executorId === executorId);
    expect(entries).toMatchObject([{ actor: 'admin:env', accountId: null, details: { role: 'executor', executorId } }]);
  });
});
