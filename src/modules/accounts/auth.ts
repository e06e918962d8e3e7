import type { FastifyRequest } from 'fastify';
import type { KeyRole } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
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

export function createAuth(deps: { repo: Pick<AccountsRepository, 'findActiveKeyByHash'>; adminKey: string | null }) {
  const envAdminHash = deps.adminKey ? hashKey(deps.adminKey) : null;
  const cache = new Map<string, { principal: Principal; expires: number }>();

  async function verify(key: string): Promise<Principal | null> {
    const hash = hashKey(key);
    if (envAdminHash && sameHash(hash, envAdminHash)) return { keyId: null, role: 'admin', accountId: null };
    const cacheKey = hash.toString('base64');
    const hit = cache.get(cacheKey);
    if (hit && hit.expires > Date.now()) return hit.principal;
    const found = await deps.repo.findActiveKeyByHash(hash);
    if (!found) {
      cache.delete(cacheKey);
      return null;
    }
    const principal = { keyId: found.id, role: found.role, accountId: found.accountId };
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(cacheKey, { principal, expires: Date.now() + CACHE_TTL_MS });
    return principal;
  }

  /** An onRequest hook: authenticates the bearer key and checks its role. */
  function require(...roles: KeyRole[]) {
    return async (request: FastifyRequest): Promise<void> => {
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match) throw errors.unauthenticated();
      const principal = await verify(match[1]!);
      if (!principal) throw errors.unauthenticated('The API key is unknown or has been revoked');
      if (!roles.includes(principal.role)) {
        throw errors.forbidden(`This route needs a key with role ${roles.join(' or ')}; this key is ${principal.role}`);
      }
      request.principal = principal;
    };
  }

  return {
    require,
    verify,
    /** Forget cached keys (after a revocation on this process; other processes forget within CACHE_TTL_MS). */
    forget: () => cache.clear(),
  };
}

export type Auth = ReturnType<typeof createAuth>;

/** The principal set by `auth.require`; routes without it never call this. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw errors.unauthenticated();
  return request.principal;
}
