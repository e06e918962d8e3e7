import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../lib/clock.js';
import { errors } from '../../lib/errors.js';
import { FreshCache, type OnCacheRead } from '../../lib/fresh-cache.js';
import { uuid7 } from '../../lib/uuid7.js';
import type { Auth } from '../accounts/auth.js';
import type { FunctionsService } from '../functions/functions.service.js';
import type { InvokeService } from '../functions/invoke.service.js';
import { fromFunctionResult, type HttpRequestIn, type HttpResponseOut, toHttpEvent } from './http-event.js';
import type { AuthType, Cors, FunctionUrl, UrlsRepository } from './urls.repository.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** 32 characters of [a-z0-9], about 165 bits: as unguessable as a key, and unique in practice everywhere. */
const newUrlId = () => [...randomBytes(32)].map((b) => ALPHABET[b % 36]).join('');

/** How long a replica trusts a URL's settings (another replica's change shows after this). */
const CACHE_TTL_MS = 2_000;

/**
 * Function URLs (docs/events.md): `/url/<id>/...` invokes the function through the ordinary invoke
 * path with a payload 2.0 event, and maps its answer back as Lambda does.
 */
export function createUrlsService(deps: {
  repo: UrlsRepository;
  functions: Pick<FunctionsService, 'get'>;
  invoke: Pick<InvokeService, 'invoke'>;
  auth: Pick<Auth, 'authenticate'>;
  clock: Clock;
  onCacheRead?: OnCacheRead;
}) {
  const { repo } = deps;
  /** URLs by id; an unknown id is cached too (null): another replica's new URL shows within the TTL. */
  const cache = new FreshCache<FunctionUrl | null>((urlId) => repo.byUrlId(urlId), {
    ttlMs: CACHE_TTL_MS,
    onRead: (read) => deps.onCacheRead?.('urls', read),
  });
  const byUrlId = (urlId: string) => cache.get(urlId);

  const dto = (u: FunctionUrl, base: string) => ({
    url: `${base}/url/${u.urlId}/`,
    urlId: u.urlId,
    functionName: u.functionName,
    authType: u.authType,
    ...(u.cors ? { cors: u.cors } : {}),
    createdAt: u.createdAt.toISOString(),
    lastModified: u.updatedAt.toISOString(),
  });

  return {
    async put(accountId: string, name: string, input: { authType: AuthType; cors?: Cors }, base: string) {
      const fn = await deps.functions.get(accountId, name);
      const current = await repo.ofFunction(accountId, fn.id);
      await repo.upsert(accountId, fn.id, current?.urlId ?? newUrlId(), input.authType, input.cors ?? null, deps.clock.now());
      if (current) cache.delete(current.urlId);
      return dto((await repo.ofFunction(accountId, fn.id))!, base);
    },

    async get(accountId: string, name: string, base: string) {
      const fn = await deps.functions.get(accountId, name);
      const u = await repo.ofFunction(accountId, fn.id);
      if (!u) throw errors.functionUrlNotFound(`Function ${name}`);
      return dto(u, base);
    },

    async remove(accountId: string, name: string): Promise<void> {
      const fn = await deps.functions.get(accountId, name);
      const u = await repo.ofFunction(accountId, fn.id);
      if (!u || !(await repo.remove(accountId, fn.id))) throw errors.functionUrlNotFound(`Function ${name}`);
      cache.delete(u.urlId);
    },

    /** The URL's settings, for the HTTP handler (cached briefly); a 404 when there is none. */
    async lookup(urlId: string): Promise<FunctionUrl> {
      const u = await byUrlId(urlId);
      if (!u) throw errors.functionUrlNotFound(`/url/${urlId}/`);
      return u;
    },

    /**
     * TALLY_KEY: the bearer must be that account's key (or an admin's). Checked as every route checks a
     * key (auth.authenticate), so wrong keys count against the address's failed authentications.
     */
    async authorize(u: FunctionUrl, request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (u.authType === 'NONE') return;
      const principal = await deps.auth.authenticate(request, reply, 'This function URL needs Authorization: Bearer <account key>');
      if (principal.role !== 'admin' && !(principal.role === 'account' && principal.accountId === u.accountId)) {
        throw errors.forbidden("This function URL takes only its own account's keys");
      }
    },

    /** Invokes the function with the request as a payload 2.0 event; its answer, mapped back. */
    async handle(u: FunctionUrl, req: Omit<HttpRequestIn, 'urlId' | 'callerAccountId' | 'requestId' | 'at'>): Promise<HttpResponseOut> {
      const requestId = uuid7();
      const event = toHttpEvent({
        ...req,
        urlId: u.urlId,
        callerAccountId: u.authType === 'NONE' ? 'anonymous' : u.accountId,
        requestId,
        at: deps.clock.now(),
        dropHeaders: u.authType === 'TALLY_KEY' ? ['authorization'] : [],
      });
      const result = await deps.invoke.invoke(u.accountId, u.functionName, event, { logTail: false, requestId });
      return fromFunctionResult(result);
    },
  };
}

export type UrlsService = ReturnType<typeof createUrlsService>;
