import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KeyRole } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import { FreshCache, type OnCacheRead } from '../../lib/fresh-cache.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { AccountsRepository } from './accounts.repository.js';
import { hashKey, sameHash } from './keys.js';

export interface Principal {
  /** null for the TALLY_ADMIN_KEY from the environment */
  keyId: string | null;
  role: KeyRole;
  /** the account an account key or a scoped executor key belongs to */
  accountId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** How long a verified key is trusted without asking the database again (keeps a query off the invoke path). */
const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

export interface AuthOptions {
  /** How often the key revision is polled: a key revoked on any replica stops working here within about this long. */
  revocationPollMs?: number;
}

/** The abuse limits authentication takes part in: failed attempts per source address. */
export type AuthLimits = Pick<RateLimits, 'authBlockedFor' | 'authFailed' | 'authRefused'>;

/**
 * Verifies bearer keys, caching verified keys for a few seconds. Revocations reach every replica
 * through a revision counter in the database (bumped by a trigger when a key is revoked) that each
 * replica polls about once a second: a changed revision empties the cache. Polling, not LISTEN, so
 * it works through a transaction-pooling proxy and needs no connection of its own; while the poll
 * fails, cached keys are not trusted (every request asks the database).
 */
export function createAuth(deps: {
  repo: Pick<AccountsRepository, 'findActiveKeyByHash' | 'keyRevision'>;
  adminKey: string | null;
  limits?: AuthLimits;
  options?: AuthOptions;
  onCacheRead?: OnCacheRead;
}) {
  const envAdminHash = deps.adminKey ? hashKey(deps.adminKey) : null;
  /** Until when the environment's admin key counts as verified lately (see verifyCached). */
  let envAdminVerifiedUntil = 0;
  const pollMs = deps.options?.revocationPollMs ?? 1_000;
  /** Verified keys' principals by the key's hash (base64); a key not found is not kept. */
  const lookup = (hash: string) =>
    deps.repo
      .findActiveKeyByHash(Buffer.from(hash, 'base64'))
      .then((found): Principal | null => (found ? { keyId: found.id, role: found.role, accountId: found.accountId } : null));
  const cache = new FreshCache<Principal | null>(lookup, {
    ttlMs: CACHE_TTL_MS,
    maxEntries: CACHE_MAX,
    keep: (p) => p !== null,
    onRead: (read) => deps.onCacheRead?.('keys', read),
  });
  /**
   * A verified key's cache entry by the key itself, so a warm request skips the key's SHA-256 and its
   * encoding (about 2 % of a warm invocation's work on the api thread). Holds only keys found in
   * the database, and is emptied with the cache.
   */
  const entryOf = new Map<string, string>();
  let revision: string | null = null;
  let polledAt = 0;
  let polling: NodeJS.Timeout | null = null;

  /** Other caches of credentials (SigV4 access keys) emptied with this one. */
  const onClear: (() => void)[] = [];

  function clear(): void {
    cache.clear();
    entryOf.clear();
    for (const fn of onClear) fn();
  }

  async function poll(): Promise<void> {
    const now = Date.now();
    const current = await deps.repo.keyRevision();
    if (revision !== null && current !== revision) clear();
    revision = current;
    polledAt = now;
  }

  /** Cached keys are trusted while the revision is known to be fresh (always, when polling is off: a single process). */
  const cacheTrusted = () => polling === null || Date.now() - polledAt <= 3 * pollMs;

  function cached(hash: Buffer | string): Principal | null {
    return cacheTrusted() ? (cache.peek(typeof hash === 'string' ? hash : hash.toString('base64')) ?? null) : null;
  }

  /** A key verified lately, without hashing it again. */
  function known(key: string): Principal | null {
    const entry = entryOf.get(key);
    return entry === undefined ? null : cached(entry);
  }

  async function verify(key: string): Promise<Principal | null> {
    const warm = known(key);
    if (warm) return warm;
    const hash = hashKey(key);
    if (envAdminHash && sameHash(hash, envAdminHash)) {
      envAdminVerifiedUntil = Date.now() + CACHE_TTL_MS;
      return { keyId: null, role: 'admin', accountId: null };
    }
    const hit = cached(hash);
    if (hit) return hit;
    const cacheKey = hash.toString('base64');
    // While the revision is not known to be fresh, every request asks the database (and nothing is kept).
    const principal = cacheTrusted() ? await cache.get(cacheKey) : await lookup(cacheKey);
    if (!principal) {
      entryOf.delete(key);
      return null;
    }
    if (entryOf.size >= CACHE_MAX) entryOf.clear();
    entryOf.set(key, cacheKey);
    return principal;
  }

  /**
   * For an address past its failed-authentication limit: only a key verified lately, no database
   * lookup. The environment's admin key too only if verified lately: compared at once, it let a
   * blocked address go on guessing it, told by a 200 when it hit (found by a review on 2026-12-07).
   */
  function verifyCached(key: string): Principal | null {
    const warm = known(key);
    if (warm) return warm;
    const hash = hashKey(key);
    if (envAdminHash && sameHash(hash, envAdminHash)) {
      return Date.now() < envAdminVerifiedUntil ? { keyId: null, role: 'admin', accountId: null } : null;
    }
    return cached(hash);
  }

  const bearerOf = (request: FastifyRequest) => {
    const header = request.headers.authorization;
    return header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  };

  /**
   * The principal of the request's bearer key, or a 401 (`missing`: the message when there is no
   * key), counted against the source address's failed authentications (429 past the limit).
   */
  async function authenticate(request: FastifyRequest, reply: FastifyReply, missing?: string): Promise<Principal> {
    const match = bearerOf(request);
    // An address past its failed-authentication limit may still use a key verified lately, nothing else.
    const blockedFor = deps.limits?.authBlockedFor(request.ip) ?? 0;
    const principal = !match ? null : blockedFor > 0 ? verifyCached(match[1]!) : await verify(match[1]!);
    if (!principal) {
      if (blockedFor > 0) throw deps.limits!.authRefused(reply, request.ip, blockedFor);
      await deps.limits?.authFailed(request.ip, reply);
      throw match ? errors.unauthenticated('The API key is unknown or has been revoked') : errors.unauthenticated(missing);
    }
    return principal;
  }

  /** An onRequest hook: authenticates the bearer key and checks its role. */
  function require(...roles: KeyRole[]) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const principal = await authenticate(request, reply);
      if (!roles.includes(principal.role)) {
        throw errors.forbidden(`This route needs a key with role ${roles.join(' or ')}; this key is ${principal.role}`);
      }
      request.principal = principal;
    };
  }

  return {
    require,
    authenticate,
    verify,
    /**
     * Whether the key an authenticated request came with still works: for what outlives the request's
     * start (a log follower), which must end once its key is revoked, as every other use of it does.
     */
    stillValid: async (request: FastifyRequest): Promise<boolean> => {
      const match = bearerOf(request);
      return match !== null && (await verify(match[1]!)) !== null;
    },
    /** Forget cached keys (after a revocation on this process; the others learn it from the revision). */
    forget: clear,
    /** Whether cached credentials may answer now: false while the revision poll fails (then every request asks the database). */
    trusted: cacheTrusted,
    /** Calls `fn` whenever cached keys are forgotten (a revocation here or, through the revision, elsewhere). */
    onForget(fn: () => void): void {
      onClear.push(fn);
    },
    /** Starts polling the key revision (every api process that serves requests does). */
    async start(): Promise<void> {
      if (polling) return;
      polling = setInterval(() => {
        poll().catch(() => undefined);
      }, pollMs);
      polling.unref();
      await poll().catch(() => undefined);
    },
    stop(): void {
      if (polling) clearInterval(polling);
      polling = null;
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;

/** The principal set by `auth.require`; routes without it never call this. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw errors.unauthenticated();
  return request.principal;
}
