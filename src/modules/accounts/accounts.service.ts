import type { Db } from '../../db/database.js';
import type { KeyRole } from '../../db/schema.js';
import { actorOf, type AuditRepository } from '../audit/audit.repository.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../../lib/clock.js';
import { errors } from '../../lib/errors.js';
import type { Account, AccountsRepository, ApiKey } from './accounts.repository.js';
import type { Auth, Principal } from './auth.js';
import type { FunctionsService } from '../functions/functions.service.js';
import { isUuid } from '../../contracts/usage.js';
import { generateKey } from './keys.js';

export function createAccountsService(deps: {
  db: Db;
  repo: AccountsRepository;
  auth: Pick<Auth, 'forget'>;
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
  /** The reservation rule an account's concurrency limit must keep, and the cache of it to refresh. */
  limits: Pick<FunctionsService, 'checkAccountLimit' | 'forgetAccountLimit' | 'defaultAccountLimit'>;
}) {
  const { repo } = deps;

  /** Admin sees every account; any other key sees only its own (another tenant's is "not found", never "forbidden"). */
  async function getAccount(principal: Principal, id: string): Promise<Account> {
    if (principal.role !== 'admin' && principal.accountId !== id) throw errors.accountNotFound(id);
    const account = await repo.findAccount(id);
    if (!account) throw errors.accountNotFound(id);
    return account;
  }

  /**
   * A key made and its audit entry (who, the key's id, role and label; never the key), in one transaction: a key
   * lets whoever holds it act for an account or the platform, so it is written down as a change of money is.
   */
  async function issueKey(
    actor: string,
    accountId: string | null,
    role: KeyRole,
    label: string | null,
  ): Promise<{ key: string; apiKey: ApiKey }> {
    const { key, hash, prefix } = generateKey(role);
    const apiKey = await deps.db.transaction().execute(async (tx) => {
      const made = await repo.insertKey({ accountId, role, hash, prefix, label }, tx);
      await deps.audit.record(tx, [
        { actor, action: 'key.created', accountId, subject: made.id, reason: null, details: { role, label, prefix } },
      ]);
      return made;
    });
    return { key, apiKey };
  }

  return {
    getAccount,

    createAccount: (name: string, freeTier: boolean) => repo.insertAccount(name, freeTier),

    listAccounts: (limit: number, after: string | null) => repo.listAccounts(limit, after),

    /** A key under an account: an account key, or an executor key scoped to that account. */
    async createAccountKey(principal: Principal, accountId: string, role: 'account' | 'executor', label: string | null) {
      if (!(await repo.findAccount(accountId))) throw errors.accountNotFound(accountId);
      return issueKey(actorOf(principal), accountId, role, label);
    },

    /** A platform-wide key: the executor fleet's, or another admin's. `actor`: who asked, as the audit log names it. */
    createPlatformKey: (actor: string, role: 'admin' | 'executor', label: string | null) => issueKey(actor, null, role, label),

    async listKeys(principal: Principal, accountId: string | null): Promise<ApiKey[]> {
      if (accountId !== null) await getAccount(principal, accountId);
      else if (principal.role !== 'admin') throw errors.forbidden('Only an admin can list platform keys');
      return repo.listKeys(accountId);
    },

    /**
     * An admin revokes any key; an account key may revoke keys of its own account. `details`: more for the audit entry
     * (the executor an admin removed with it).
     */
    async revokeKey(principal: Principal, keyId: string, details: Record<string, unknown> = {}): Promise<ApiKey> {
      const key = isUuid(keyId) ? await repo.findKey(keyId) : null;
      if (!key || (principal.role !== 'admin' && key.accountId !== principal.accountId)) throw errors.keyNotFound(keyId);
      // Audited with the revocation, in its transaction; a key revoked already changes nothing and writes nothing.
      const revoked = await deps.db.transaction().execute(async (tx) => {
        const now = await repo.revokeKey(keyId, deps.clock.now(), tx);
        if (now) {
          await deps.audit.record(tx, [
            {
              actor: actorOf(principal),
              action: 'key.revoked',
              accountId: now.accountId,
              subject: now.id,
              reason: null,
              details: { role: now.role, label: now.label, prefix: now.prefix, ...details },
            },
          ]);
        }
        return now;
      });
      deps.auth.forget();
      return revoked ?? key;
    },

    /** For routes where an admin may look across accounts: null means "every account". */
    async scopeOf(principal: Principal, header: string | undefined): Promise<string | null> {
      if (principal.role === 'admin' && !header) return null;
      return this.actingAccount(principal, header);
    },

    async freeTierOf(accountId: string): Promise<boolean> {
      const account = await repo.findAccount(accountId);
      if (!account) throw errors.accountNotFound(accountId);
      return account.freeTier;
    },

    /**
     * Switching the free tier changes money: audited, with who and why, in the same transaction, from the
     * value read under the row's lock (a concurrent switch is seen, not overwritten unaudited).
     */
    async setFreeTier(principal: Principal, id: string, freeTier: boolean, reason: string): Promise<Account> {
      await getAccount(principal, id);
      return deps.db.transaction().execute(async (tx) => {
        const before = await repo.lockAccount(tx, id);
        const account = await repo.updateFreeTier(tx, id, freeTier);
        if (before.freeTier !== freeTier) {
          await deps.audit.record(tx, [
            {
              actor: actorOf(principal),
              action: 'account.free_tier_changed',
              accountId: id,
              subject: id,
              reason,
              details: { from: before.freeTier, to: freeTier },
            },
          ]);
        }
        return account;
      });
    },

    /**
     * The operator's concurrency limit for one account (null: back to the deployment's default), audited
     * as the free tier is. Refused when the account's functions reserve more than it can give them while
     * leaving the others their minimum; checked under the account's reservation lock (taken first: of a
     * reservation raised and a limit changed at the same moment, the second sees the first), which every
     * writer of the limit takes, so the value read as "before" is the one being replaced.
     */
    async setConcurrencyLimit(principal: Principal, id: string, limit: number | null, reason: string): Promise<Account> {
      await getAccount(principal, id);
      const account = await deps.db.transaction().execute(async (tx) => {
        await deps.limits.checkAccountLimit(tx, id, limit);
        const before = await repo.readAccount(tx, id);
        if (before.concurrencyLimit === limit) return before;
        const after = await repo.updateConcurrencyLimit(tx, id, limit);
        await deps.audit.record(tx, [
          {
            actor: actorOf(principal),
            action: 'account.concurrency_limit_changed',
            accountId: id,
            subject: id,
            reason,
            // null is the deployment's default, named as it stood when the change was made.
            details: { from: before.concurrencyLimit, to: limit, defaultLimit: deps.limits.defaultAccountLimit },
          },
        ]);
        return after;
      });
      // This replica admits by the new limit at once; the others within their cache's lifetime (2 s).
      deps.limits.forgetAccountLimit(id);
      return account;
    },

    /** The account a request acts for: its own, or for an admin the one named by X-Account-Id. */
    async actingAccount(principal: Principal, header: string | undefined): Promise<string> {
      if (principal.role === 'account' && principal.accountId) return principal.accountId;
      if (principal.role !== 'admin') throw errors.forbidden('This route needs an account or admin key');
      if (!header) throw errors.accountRequired();
      if (!isUuid(header) || !(await repo.findAccount(header))) throw errors.accountNotFound(header);
      return header;
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;

/**
 * At first start with no TALLY_ADMIN_KEY and no admin key stored: make one, to be printed once. Replicas
 * starting together take turns (a transaction-scoped lock), so only the first finds none and makes one.
 */
export async function ensureBootstrapAdminKey(
  db: Db,
  repo: Pick<AccountsRepository, 'lockBootstrap' | 'countAdminKeys' | 'insertKey'>,
  audit: Pick<AuditRepository, 'append'>,
  envAdminKey: string | null,
): Promise<string | null> {
  if (envAdminKey !== null) return null;
  return db.transaction().execute(async (tx) => {
    await repo.lockBootstrap(tx);
    if ((await repo.countAdminKeys(tx)) > 0) return null;
    const { key, hash, prefix } = generateKey('admin');
    const label = 'generated at first start';
    const made = await repo.insertKey({ accountId: null, role: 'admin', hash, prefix, label }, tx);
    // Audited as every key made (issueKey above).
    await audit.append(tx, [
      {
        actor: 'system:first-start',
        action: 'key.created',
        accountId: null,
        subject: made.id,
        reason: null,
        details: { role: 'admin', label, prefix },
      },
    ]);
    return key;
  });
}
