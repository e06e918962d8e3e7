import { describe, expect, it } from 'vitest';
import { ensureBootstrapAdminKey } from '../../src/modules/accounts/accounts.service.js';
import { createAuditRepository } from '../../src/modules/audit/audit.repository.js';
import { createAccountsRepository } from '../../src/modules/accounts/accounts.repository.js';
import { admin, newTenant, useTestApp } from '../helpers/app.js';
import { holdLock } from '../helpers/db.js';

// Checks that decide a write, made by concurrent requests that all read before any of them wrote.
const t = useTestApp();

describe('decisions taken inside their transaction', () => {
  it('audits every free-tier change with the value it really changed from, however PATCHes interleave', async () => {
    const a = await newTenant(t.app); // free tier on
    const patch = (freeTier: boolean) =>
      t.app.inject({ method: 'PATCH', url: `/v1/accounts/${a.id}`, headers: admin, payload: { freeTier, reason: `set ${freeTier}` } });
    const lock = await holdLock(t.db.ownerUrl, 'lock table accounts in share mode');
    let off: ReturnType<typeof patch>, on: ReturnType<typeof patch>;
    try {
      off = patch(false);
      await lock.waitFor(1);
      on = patch(true); // read the account while the first change was not yet written
      await lock.waitFor(2);
    } finally {
      await lock.release();
    }
    expect([(await off!).statusCode, (await on!).statusCode]).toEqual([200, 200]);
    const account = (await t.app.inject({ method: 'GET', url: `/v1/accounts/${a.id}`, headers: admin })).json();
    const audit = (
      await t.app.inject({ method: 'GET', url: `/v1/audit?accountId=${a.id}&action=account.free_tier_changed`, headers: admin })
    )
      .json()
      .entries.reverse() as { details: { from: boolean; to: boolean } }[];
    // the log replays to the state: each change starts where the one before ended, the last ends where the account is
    expect(audit.map((e) => e.details)).toEqual([
      { from: true, to: false },
      { from: false, to: true },
    ]);
    expect(account.freeTier).toBe(true);
  });

  it('answers 409, not 500, to the second of two concurrent price versions with the same id', async () => {
    const version = {
      id: 'race-2030-01',
      effectiveFrom: '2030-01',
      requestPricePerMillion: '0.30',
      ephemeralPerGbSecond: '0.00000004',
      freeRequests: 0,
      freeGbSeconds: '0',
      billsInit: false,
      reason: 'race',
      compute: { x86_64: [{ upToGbSeconds: null, unitPrice: '0.00002' }], arm64: [{ upToGbSeconds: null, unitPrice: '0.00001' }] },
    };
    const post = () => t.app.inject({ method: 'POST', url: '/v1/prices', headers: admin, payload: version });
    const lock = await holdLock(t.db.ownerUrl, 'lock table price_versions in share mode');
    const both = Promise.all([post(), post()]);
    await lock.waitFor(2).finally(() => lock.release());
    const answers = await both;
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(answers.find((r) => r.statusCode === 409)!.json().error.code).toBe('CONFLICT');
  });

  it('generates one admin key at first start when two replicas start at once', async () => {
    const repo = createAccountsRepository(t.db.db);
    const lock = await holdLock(t.db.ownerUrl, 'lock table api_keys in share mode');
    const audit = createAuditRepository(t.db.db);
    const both = Promise.all([ensureBootstrapAdminKey(t.db.db, repo, audit, null), ensureBootstrapAdminKey(t.db.db, repo, audit, null)]);
    await lock.waitFor(2).finally(() => lock.release());
    expect((await both).filter((k) => k !== null)).toHaveLength(1);
    expect(await repo.countAdminKeys()).toBe(1);
    // Audited as any key made (audit-keys.test.ts), once, by the start that made it.
    const made = await audit.list({ accountId: null, action: 'key.created', limit: 10, beforeId: null });
    expect(made.filter((e) => e.actor === 'system:first-start')).toMatchObject([{ accountId: null, details: { role: 'admin' } }]);
  });
});
