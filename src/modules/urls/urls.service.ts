import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import { FreshCache, type OnCacheRead } from '../../lib/fresh-cache.js';
import { uuid7 } from '../../lib/uuid7.js';
import type { Auth } from '../accounts/auth.js';
import type { AccessKeysService } from '../aws/access-keys.service.js';
import { AwsError } from '../aws/errors.js';
import { verifySigV4 } from '../aws/sigv4.js';
import type { FunctionsService } from '../functions/functions.service.js';
import type { InvokeService } from '../functions/invoke.service.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { ALIAS_NAME, LATEST, pickVersion, type VersionsService } from '../functions/versions.service.js';
import { fromFunctionResult, type HttpRequestIn, type HttpResponseOut, toHttpEvent } from './http-event.js';
import { AliasMissing, type AuthType, type Cors, type FunctionUrl, type UrlsRepository } from './urls.repository.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** 32 characters of [a-z0-9], about 165 bits: as unguessable as a key, and unique in practice everywhere. */
const newUrlId = () => [...randomBytes(32)].map((b) => ALPHABET[b % 36]).join('');

/** How long a replica trusts a URL's settings (another replica's change shows after this). */
const CACHE_TTL_MS = 2_000;

/**
 * A URL's qualifier as Lambda's CreateFunctionUrlConfig takes it: an alias name, or none (the function's
 * own URL, which runs its latest version). `$LATEST` and a version number are refused, as Lambda refuses
 * them: a published version never changes, so it needs no URL of its own; an alias that names it does.
 */
export function urlQualifier(qualifier: string | undefined): string | null {
  if (qualifier === undefined) return null;
  const refuse = (why: string) => errors.validation(`qualifier: ${why}`, [{ field: 'qualifier' }]);
  if (qualifier === LATEST) throw refuse("$LATEST is the function's own URL: omit the qualifier");
  if (/^[0-9]+$/.test(qualifier)) {
    throw refuse(`a function URL belongs to the function or to one of its aliases, not to version ${qualifier}: name an alias`);
  }
  if (!ALIAS_NAME.test(qualifier)) throw refuse(`${qualifier} is not an alias name (1 to 128 of [A-Za-z0-9_-])`);
  return qualifier;
}

/** How errors name a URL's owner. */
const ownerOf = (name: string, qualifier: string | null) =>
  qualifier === null ? `Function ${name}` : `Alias ${qualifier} of function ${name}`;
const aliasNotFound = (name: string, qualifier: string) =>
  new AppError('NOT_FOUND', 404, `Alias ${qualifier} of function ${name} was not found: create it before its URL`, [
    { field: 'qualifier' },
  ]);

/**
 * Function URLs (docs/events.md): `/url/<id>/...` invokes the function through the ordinary invoke
 * path with a payload 2.0 event, and maps its answer back as Lambda does.
 */
/**
 * The path a URL's cookies are scoped to (http-event.ts, scopeCookie): `/url/<id>`, after the path of
 * TALLY_PUBLIC_URL when it has one (a proxy serving Tally under `/tally` makes it `/tally/url/<id>` in the browser).
 */
export function cookieRoot(publicUrl: string | null, urlId: string): string {
  const prefix = publicUrl ? new URL(publicUrl).pathname.replace(/\/+$/, '') : '';
  return `${prefix}/url/${urlId}`;
}

/**
 * The account whose access key signed the request (SigV4, service `lambda`, any region: what Lambda checks on an
 * AWS_IAM URL), or null when the signature does not hold. A proxy's path (TALLY_PUBLIC_URL) is part of what the
 * client signed, so it is put back before the path is compared.
 */
async function signedBy(request: FastifyRequest, accessKeys: Pick<AccessKeysService, 'lookup'>, clock: Clock, publicUrl: string | null) {
  const prefix = publicUrl ? new URL(publicUrl).pathname.replace(/\/+$/, '') : '';
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  try {
    const credential = await verifySigV4(
      { method: request.method, url: `${prefix}${request.url}`, headers: request.headers, body },
      clock.now(),
      accessKeys.lookup,
    );
    return credential.accountId;
  } catch (err) {
    if (err instanceof AwsError && err.statusCode === 403) return null;
    throw err;
  }
}

export function createUrlsService(deps: {
  repo: UrlsRepository;
  functions: Pick<FunctionsService, 'get' | 'resolve'>;
  /** An alias's URL runs the version the alias names at each call (a weighted alias draws it). */
  versions: Pick<VersionsService, 'getAlias' | 'resolve'>;
  invoke: Pick<InvokeService, 'invoke'>;
  auth: Pick<Auth, 'authenticate'>;
  /** SigV4 on a TALLY_KEY (the Lambda API's AWS_IAM) URL: the account's access keys, failures counted as a bad key's. */
  accessKeys?: Pick<AccessKeysService, 'lookup'>;
  limits?: Pick<RateLimits, 'authenticated'>;
  clock: Clock;
  onCacheRead?: OnCacheRead;
  /** TALLY_PUBLIC_URL: a path it has (a proxy's prefix) comes before `/url/<id>` in the browser, and so in a cookie's path. */
  publicUrl?: string | null;
}) {
  const { repo } = deps;

  /** URLs by id; an unknown id is cached too (null): another replica's new URL shows within the TTL. */
  const cache = new FreshCache<FunctionUrl | null>((urlId) => repo.byUrlId(urlId), {
    ttlMs: CACHE_TTL_MS,
    onRead: (read) => deps.onCacheRead?.('urls', read),
  });
  const byUrlId = (urlId: string) => cache.get(urlId);

  /**
   * The version an alias's URL runs for this call (undefined: the alias names $LATEST), drawn per call for a
   * weighted alias, as `/v1/functions/:name/invoke?alias=` does. A deleted alias took its URL with it (the
   * foreign key of migration 0103); until this replica's cached URL expires, a call finds the alias gone (or made
   * again since, after the URL: another alias) and answers the same 404 as the URL's absence, never running another
   * version.
   */
  async function aliasVersion(u: FunctionUrl, alias: string): Promise<number | undefined> {
    const gone = () =>
      new AppError(
        'FUNCTION_URL_NOT_FOUND',
        404,
        `/url/${u.urlId}/ was the URL of alias ${alias} of function ${u.functionName}, which was deleted with its URL`,
      );
    const own = await deps.versions.resolve(u.accountId, u.functionName, alias, { route: false }).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'FUNCTION_NOT_FOUND') throw gone();
      throw err;
    });
    // An alias made after the URL is another alias of the name (the URL was made for one that existed, and went with
    // it): a URL still cached here must not reach it.
    if (own.aliasCreatedAt && own.aliasCreatedAt.getTime() > u.createdAt.getTime()) throw gone();
    return pickVersion(own).version;
  }

  const dto = (u: FunctionUrl, base: string) => ({
    url: `${base}/url/${u.urlId}/`,
    urlId: u.urlId,
    functionName: u.functionName,
    qualifier: u.qualifier,
    authType: u.authType,
    ...(u.cors ? { cors: u.cors } : {}),
    createdAt: u.createdAt.toISOString(),
    lastModified: u.updatedAt.toISOString(),
  });

  return {
    /** Gives the function (or its alias, `qualifier`) a URL, or changes its settings; the URL stays. */
    async put(accountId: string, name: string, qualifier: string | undefined, input: { authType: AuthType; cors?: Cors }, base: string) {
      const q = urlQualifier(qualifier);
      const fn = await deps.functions.get(accountId, name);
      if (q !== null) {
        await deps.versions.getAlias(accountId, name, q).catch((err: unknown) => {
          throw err instanceof AppError && err.code === 'NOT_FOUND' ? aliasNotFound(name, q) : err;
        });
      }
      const current = await repo.ofFunction(accountId, fn.id, q);
      await repo
        .upsert(accountId, fn.id, q, current?.urlId ?? newUrlId(), { authType: input.authType, cors: input.cors ?? null }, deps.clock.now())
        .catch((err: unknown) => {
          throw err instanceof AliasMissing && q !== null ? aliasNotFound(name, q) : err;
        });
      if (current) cache.delete(current.urlId);
      const written = await repo.ofFunction(accountId, fn.id, q);
      if (!written) throw errors.functionUrlNotFound(ownerOf(name, q)); // removed at once by another request
      return dto(written, base);
    },

    async get(accountId: string, name: string, qualifier: string | undefined, base: string) {
      const q = urlQualifier(qualifier);
      const fn = await deps.functions.get(accountId, name);
      const u = await repo.ofFunction(accountId, fn.id, q);
      if (!u) throw errors.functionUrlNotFound(ownerOf(name, q));
      return dto(u, base);
    },

    /** Every URL of the function: its own (if any) first, then its aliases' by name. */
    async list(accountId: string, name: string, base: string) {
      const fn = await deps.functions.get(accountId, name);
      return (await repo.listOfFunction(accountId, fn.id)).map((u) => dto(u, base));
    },

    async remove(accountId: string, name: string, qualifier: string | undefined): Promise<void> {
      const q = urlQualifier(qualifier);
      const fn = await deps.functions.get(accountId, name);
      const urlId = await repo.remove(accountId, fn.id, q);
      if (urlId === null) throw errors.functionUrlNotFound(ownerOf(name, q));
      cache.delete(urlId);
    },

    /** The URL's settings, for the HTTP handler (cached briefly); a 404 when there is none. */
    async lookup(urlId: string): Promise<FunctionUrl> {
      const u = await byUrlId(urlId);
      if (!u) throw errors.functionUrlNotFound(`/url/${urlId}/`);
      // A URL belongs to one function, which `handle` invokes by name: a function deleted and made again under that
      // name since the URL was cached is another function (its URL, if it has one, has another id) and is not reached.
      const current = await deps.functions.resolve(u.accountId, u.functionName).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'FUNCTION_NOT_FOUND') return null;
        throw err;
      });
      if (current?.config.id !== u.functionId) throw errors.functionUrlNotFound(`/url/${urlId}/`);
      return u;
    },

    /**
     * TALLY_KEY: the bearer must be that account's key (or an admin's). Checked as every route checks a
     * key (auth.authenticate), so wrong keys count against the address's failed authentications.
     */
    async authorize(u: FunctionUrl, request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (u.authType === 'NONE') return;
      const header = request.headers.authorization;
      if (typeof header === 'string' && /^AWS4-HMAC-SHA256\s/.test(header) && deps.accessKeys && deps.limits) {
        const signer = await deps.limits.authenticated(
          request.ip,
          reply,
          () => signedBy(request, deps.accessKeys!, deps.clock, deps.publicUrl ?? null),
          () => errors.unauthenticated('The SigV4 signature of this request does not match, or its access key is unknown'),
        );
        if (signer !== u.accountId) throw errors.forbidden("This function URL takes only its own account's keys");
        return;
      }
      const principal = await deps.auth.authenticate(
        request,
        reply,
        'This function URL needs Authorization: Bearer <account key>, or a SigV4 signature by an access key of its account',
      );
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
      const version = u.qualifier === null ? undefined : await aliasVersion(u, u.qualifier);
      const result = await deps.invoke.invoke(u.accountId, u.functionName, event, {
        logTail: false,
        requestId,
        version,
        ...(u.qualifier !== null ? { qualifier: u.qualifier } : {}),
      });
      return fromFunctionResult(result, cookieRoot(deps.publicUrl ?? null, u.urlId));
    },
  };
}

export type UrlsService = ReturnType<typeof createUrlsService>;
