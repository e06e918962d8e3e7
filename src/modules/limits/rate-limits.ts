import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { RateLimitsRepository } from './rate-limits.repository.js';

// Any logger and type provider: the api's instance carries its own.
// biome-ignore lint/suspicious/noExplicitAny: the plugin works on any server, logger and type provider
type AnyFastify = FastifyInstance<any, any, any, any, any>;

export interface RateLimitOptions {
  /** Failed authentications from one source address per window; past it, that address gets 429 (0: no limit). */
  authFailures?: number;
  /** Calls to the expensive routes per API key, and per source address, per window (0: no limit). */
  expensive?: number;
  windowMs?: number;
}

const MAX_BLOCKED = 100_000;

/** The routes whose calls cost the most (big bodies, pricing, aggregation, outbound calls): counted per key and per address. */
export const EXPENSIVE_ROUTES: ReadonlySet<string> = new Set([
  'POST /v1/functions',
  'PUT /v1/functions/:name/code',
  'PATCH /v1/functions/:name/configuration',
  'POST /v1/quote',
  'GET /v1/usage',
  'GET /v1/functions/:name/logs',
  'GET /v1/cost/current',
  'GET /v1/invoices',
  'GET /v1/invoices/:id',
  'GET /v1/invoices/:id/lines/:lineId/usage',
  'POST /v1/invoices/run',
  'POST /v1/alerts/:id/redeliver',
  // The same operations through the Lambda API (CreateFunction, UpdateFunctionCode, UpdateFunctionConfiguration).
  'POST /2015-03-31/functions',
  'PUT /2015-03-31/functions/:FunctionName/code',
  'PUT /2015-03-31/functions/:FunctionName/configuration',
]);

/**
 * Abuse limits, counted in Postgres so that every api replica shares them (a client spreading its
 * calls over the replicas gains nothing), with @fastify/rate-limit's windows and keys:
 * - failed authentication per source address: past the limit the address is refused (429) without
 *   a database lookup, except for keys this process has verified lately (so a client behind the
 *   same NAT with a working key keeps working). A replica that has not seen the address fail yet
 *   counts its first failure into the shared window and refuses from there;
 * - expensive routes (code uploads, usage and cost queries, quotes, invoice renders, redeliveries)
 *   per API key and per source address.
 * The invoke and ingest hot paths get no counter (concurrency limits bound them instead). When
 * the database cannot count, requests pass: the limiter must not turn an outage into a refusal.
 */
export function createRateLimits(deps: { repo: RateLimitsRepository; log: Logger; options?: RateLimitOptions }) {
  const { repo, log } = deps;
  const windowMs = deps.options?.windowMs ?? 60_000;
  // Off unless configured: server.ts sets them from the environment (defaults 30 and 120 a minute).
  const authFailures = deps.options?.authFailures ?? 0;
  const expensiveMax = deps.options?.expensive ?? 0;
  /** Source addresses refused for failed authentication on this process, until (epoch ms). */
  const blocked = new Map<string, number>();
  let purgedAt = Date.now();

  function purgeNow(): void {
    if (Date.now() - purgedAt < windowMs) return;
    purgedAt = Date.now();
    repo.purge().catch((err: unknown) => log.warn({ err }, 'could not purge old rate-limit counters'));
  }

  /** The plugin's store: one upsert per counted call, shared by every replica. */
  class SharedStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      purgeNow();
      repo.hit(key, timeWindow).then(
        (r) => callback(null, { current: r.hits, ttl: r.ttlMs }),
        (err: Error) => callback(err),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }

  const tooMany = (reply: FastifyReply, retryAfterS: number, message: string) => {
    const seconds = Math.max(1, retryAfterS);
    reply.header('retry-after', String(seconds));
    return errors.rateLimited(`${message}; retry in ${seconds} s`, seconds);
  };

  /** Seconds this source address must wait before trying unknown keys again; 0 when it may. */
  function authBlockedFor(ip: string): number {
    const until = blocked.get(ip);
    if (until === undefined) return 0;
    if (until <= Date.now()) {
      blocked.delete(ip);
      return 0;
    }
    return Math.ceil((until - Date.now()) / 1000);
  }

  /** Counts a failed authentication; throws the 429 when this address is now past its limit. */
  async function authFailed(ip: string, reply: FastifyReply): Promise<void> {
    if (authFailures <= 0) return;
    let counted: { hits: number; ttlMs: number };
    try {
      purgeNow();
      counted = await repo.hit(`auth-failed:${ip}`, windowMs);
    } catch (err) {
      log.warn({ err }, 'could not count a failed authentication');
      return;
    }
    if (counted.hits <= authFailures) return;
    if (blocked.size >= MAX_BLOCKED) blocked.clear();
    blocked.set(ip, Date.now() + counted.ttlMs);
    throw tooMany(reply, Math.ceil(counted.ttlMs / 1000), `Too many failed authentications from ${ip}`);
  }

  /** The 429 for an address refused by authBlockedFor. */
  const authRefused = (reply: FastifyReply, ip: string, retryAfterS: number) =>
    tooMany(reply, retryAfterS, `Too many failed authentications from ${ip}`);

  return {
    authBlockedFor,
    authFailed,
    authRefused,

    /**
     * A credential other than a bearer key (an s3-webhook's token) checked under the same limit as
     * keys: an address past it is refused (429) before `verify` looks anything up, and a credential
     * `verify` refuses (null) counts as a failed authentication before the 401 `refusal` is thrown.
     */
    async authenticated<T>(ip: string, reply: FastifyReply, verify: () => Promise<T | null>, refusal: () => Error): Promise<T> {
      const blockedFor = authBlockedFor(ip);
      if (blockedFor > 0) throw authRefused(reply, ip, blockedFor);
      const found = await verify();
      if (found !== null) return found;
      await authFailed(ip, reply);
      throw refusal();
    },

    /**
     * Registers @fastify/rate-limit (no global limit) and gives every route of EXPENSIVE_ROUTES,
     * registered after this, a preHandler (after authentication) counting per key, then per address.
     */
    async install(app: AnyFastify): Promise<void> {
      await app.register(rateLimit, { global: false, store: SharedStore, skipOnError: true });
      if (expensiveMax <= 0) return;
      const limiters = [
        {
          what: 'this API key',
          limit: app.createRateLimit({
            max: expensiveMax,
            timeWindow: windowMs,
            // A bearer key, or the account a Lambda API signature speaks for (its access keys share one count).
            keyGenerator: (req) =>
              req.principal
                ? `key:${req.principal.keyId ?? req.principal.role}`
                : req.awsAccountId
                  ? `aws:${req.awsAccountId}`
                  : 'key:none',
          }),
        },
        {
          what: 'this address',
          limit: app.createRateLimit({ max: expensiveMax, timeWindow: windowMs, keyGenerator: (req) => `ip:${req.ip}` }),
        },
      ];
      const expensive = async (req: FastifyRequest, reply: FastifyReply) => {
        for (const { what, limit } of limiters) {
          const r = await limit(req);
          if (!r.isAllowed && r.isExceeded) {
            throw tooMany(
              reply,
              r.ttlInSeconds,
              `More than ${r.max} calls to expensive routes from ${what} within ${Math.round(windowMs / 1000)} s`,
            );
          }
        }
      };
      app.addHook('onRoute', (route) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        if (!methods.some((m) => EXPENSIVE_ROUTES.has(`${m} ${route.url}`))) return;
        const existing = route.preHandler ? (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) : [];
        route.preHandler = [...existing, expensive];
      });
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
