import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { FreshCache, type OnCacheRead } from '../../lib/fresh-cache.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { Db } from '../../db/database.js';
import type { Auth } from '../accounts/auth.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AccessKeysRepository } from './access-keys.repository.js';
import { type Credential, signerFor } from './sigv4.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** AKIA and 16 characters of base32: 80 random bits, AWS's look. */
const newAccessKeyId = () => `AKIA${[...randomBytes(16)].map((b) => BASE32[b & 31]).join('')}`;
/** 40 characters, as AWS's secrets: 240 random bits. */
const newSecret = () => randomBytes(30).toString('base64');

/** How long a verified access key is trusted without asking the database again (as bearer keys). */
const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

/**
 * SigV4 access keys. The secret is shown once and stored sealed (the key id bound as context);
 * verified keys are cached for a few seconds, and the cache is emptied whenever bearer keys' is
 * (a revocation here, or elsewhere through the polled key revision the revocation bumps).
 */
export function createAccessKeysService(deps: {
  db: Db;
  repo: AccessKeysRepository;
  /** A key made or revoked is written to the audit log, in the same transaction. */
  audit: Pick<AuditService, 'record'>;
  secretBox: SecretBox;
  auth: Pick<Auth, 'onForget' | 'forget' | 'trusted'>;
  clock: Clock;
  onCacheRead?: OnCacheRead;
}) {
  const { repo, secretBox } = deps;
  const load = (accessKeyId: string) =>
    repo
      .findActive(accessKeyId)
      .then((found) =>
        found
          ? { accountId: found.accountId, accessKeyId, signer: signerFor(accessKeyId, secretBox.open(found.secretSealed, accessKeyId)) }
          : null,
      );
  /** Verified keys by id, unknown ids too (null). */
  const cache = new FreshCache<Credential | null>(load, {
    ttlMs: CACHE_TTL_MS,
    maxEntries: CACHE_MAX,
    onRead: (read) => deps.onCacheRead?.('access_keys', read),
  });
  deps.auth.onForget(() => cache.clear());

  return {
    /** `actor`: who asked, as the audit log names it. */
    async create(actor: string, accountId: string): Promise<{ accessKeyId: string; secretAccessKey: string; createdAt: Date }> {
      const accessKeyId = newAccessKeyId();
      const secretAccessKey = newSecret();
      const createdAt = deps.clock.now();
      await deps.db.transaction().execute(async (tx) => {
        await repo.insert({ accountId, accessKeyId, secretSealed: secretBox.seal(secretAccessKey, accessKeyId), createdAt }, tx);
        await deps.audit.record(tx, [{ actor, action: 'access_key.created', accountId, subject: accessKeyId, reason: null }]);
      });
      return { accessKeyId, secretAccessKey, createdAt };
    },

    list: (accountId: string) => repo.list(accountId),

    async revoke(actor: string, accountId: string, accessKeyId: string): Promise<void> {
      const revoked = await deps.db.transaction().execute(async (tx) => {
        if (!(await repo.revoke(accountId, accessKeyId, deps.clock.now(), tx))) return false;
        await deps.audit.record(tx, [{ actor, action: 'access_key.revoked', accountId, subject: accessKeyId, reason: null }]);
        return true;
      });
      if (!revoked) throw new AppError('KEY_NOT_FOUND', 404, `Access key ${accessKeyId} was not found (or is revoked already)`);
      deps.auth.forget();
    },

    /**
     * The SigV4 verifier's look-up: an active key's account and signer, or null. Unknown ids are cached too.
     * While the key revision poll fails, as bearer keys, the database answers (a revocation elsewhere shows at once).
     */
    lookup: (accessKeyId: string): Promise<Credential | null> => (deps.auth.trusted() ? cache.get(accessKeyId) : load(accessKeyId)),
  };
}

export type AccessKeysService = ReturnType<typeof createAccessKeysService>;
