import { randomUUID } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { AppError, errors } from '../../lib/errors.js';
import { FreshCache, type OnCacheRead } from '../../lib/fresh-cache.js';
import type { FunctionConfig } from './functions.repository.js';
import type { FunctionsService } from './functions.service.js';
import {
  type AliasRouting,
  type FunctionAlias,
  type PublishedVersion,
  VersionNotPublished,
  type VersionsRepository,
} from './versions.repository.js';

/** The qualifier of the latest version, as Lambda names it. */
export const LATEST = '$LATEST';
/** A version number as a qualifier or a marker names it. */
export const VERSION_NUMBER = /^[0-9]{1,9}$/;
/**
 * A qualifier as a trigger or a configuration keeps it: null for none or `$LATEST`, a version number without
 * leading zeros (`03` is version 3, as the invoke path reads it), anything else (an alias name) as given.
 */
export const storedQualifier = (qualifier: string | undefined): string | null =>
  qualifier === undefined || qualifier === LATEST ? null : VERSION_NUMBER.test(qualifier) ? String(Number(qualifier)) : qualifier;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An alias name as Lambda allows it: not only digits, which would read as a version. */
export const ALIAS_NAME = /^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$/;
/** How long a replica trusts a resolved qualifier (another replica's alias change shows after this). */
const CACHE_TTL_MS = 2_000;

/** Where a qualified invocation goes: `version` undefined runs the latest. */
export interface ResolvedQualifier {
  version: number | undefined;
  /** What Lambda reports as the executed version: `$LATEST` or the number. */
  executedVersion: string;
  /** A weighted alias: the other version, and the share of invocations it gets. */
  routing?: AliasRouting;
  /**
   * An alias: when it was made. Something made for an alias earlier (a function URL) belonged to another alias of
   * that name, since deleted (taking it along); the cache of a replica may still hold it for a moment.
   */
  aliasCreatedAt?: Date;
}

/** A weighted alias's second version as a request names it: a published version and its share. */
export interface RoutingInput {
  version: string;
  weight: number;
}

/**
 * Where one invocation of a weighted alias goes: the other version with probability `weight`, drawn
 * per invocation (Lambda's routing is per invocation too, not per client).
 */
export function pickVersion(resolved: ResolvedQualifier, random = Math.random): ResolvedQualifier {
  const r = resolved.routing;
  if (!r || random() >= r.weight) return resolved;
  return { version: r.version, executedVersion: String(r.version) };
}

/** The details of createAlias's 409 when the alias exists (putAlias moves it instead). */
const ALIAS_EXISTS = Object.freeze({ reason: 'alias_exists' });
const badQualifier = (qualifier: string) => errors.validation(`Qualifier: ${qualifier} is not a version number or an alias name`);
const aliasNotFound = (fn: string, alias: string) => new AppError('NOT_FOUND', 404, `Alias ${alias} of function ${fn} was not found`);
const notPublished = (fn: string, version: number | null) =>
  errors.validation(`Version ${version} of function ${fn} is not published: publish it first (or name $LATEST)`);

/**
 * Published versions and aliases. Tally writes a version on every update, so publishing marks an
 * existing version rather than copying one; a version number is the same in /v1 and in the Lambda API.
 */
export function createVersionsService(deps: {
  repo: VersionsRepository;
  functions: Pick<FunctionsService, 'get' | 'versionsNumbered' | 'onRemoved'>;
  clock: Clock;
  onCacheRead?: OnCacheRead;
}) {
  const { repo, functions } = deps;
  /** Resolved qualifiers by `account/name/qualifier` (neither a name nor a qualifier holds a slash). */
  const cache = new FreshCache<ResolvedQualifier>(
    (key) => {
      const first = key.indexOf('/');
      const last = key.lastIndexOf('/');
      return load(key.slice(0, first), key.slice(first + 1, last), key.slice(last + 1));
    },
    { ttlMs: CACHE_TTL_MS, onRead: (read) => deps.onCacheRead?.('qualifiers', read) },
  );

  function forget(accountId: string, name: string): void {
    cache.deletePrefix(`${accountId}/${name}/`);
  }
  // A deleted function's aliases go with it: a function made again under its name must not resolve them.
  functions.onRemoved(forget);

  /** `$LATEST` (null) or a published version number from a qualifier. */
  async function targetVersion(accountId: string, fn: FunctionConfig, qualifier: string): Promise<number | null> {
    if (qualifier === LATEST) return null;
    if (!VERSION_NUMBER.test(qualifier)) throw errors.validation(`FunctionVersion: ${qualifier} is neither $LATEST nor a version number`);
    const version = Number(qualifier);
    if (!(await repo.published(accountId, fn.id, version))) throw notPublished(fn.name, version);
    return version;
  }

  /**
   * A weighted alias's routing after a change, checked as Lambda checks it: one more published version,
   * not the alias's own, a weight from 0 to 1, and never beside $LATEST. `undefined` keeps `current`.
   */
  async function routingOf(
    accountId: string,
    fn: FunctionConfig,
    version: number | null,
    input: RoutingInput | null | undefined,
    current: AliasRouting | null,
  ): Promise<AliasRouting | null> {
    let routing = current;
    if (input === null) routing = null;
    else if (input !== undefined) {
      if (!Number.isFinite(input.weight) || input.weight < 0 || input.weight > 1)
        throw errors.validation(`RoutingConfig: the weight of version ${input.version} must be from 0.0 to 1.0`);
      const extra = await targetVersion(accountId, fn, input.version);
      if (extra === null) throw errors.validation('RoutingConfig: the additional version must be a published version, not $LATEST');
      routing = { version: extra, weight: input.weight };
    }
    if (routing === null) return null;
    if (version === null) throw errors.validation('RoutingConfig: an alias of $LATEST cannot send invocations to another version');
    if (routing.version === version)
      throw errors.validation(`RoutingConfig: the additional version ${version} is the alias's own version; name another one`);
    return routing;
  }

  /** Published versions with their configurations, read for these versions only. */
  async function withConfigs(fn: FunctionConfig, published: PublishedVersion[]) {
    const configs = await functions.versionsNumbered(
      fn.accountId,
      fn.name,
      published.map((p) => p.version),
    );
    const byVersion = new Map(configs.map((c) => [c.version, c]));
    return published.filter((p) => byVersion.has(p.version)).map((p) => ({ config: byVersion.get(p.version)!, published: p }));
  }

  async function load(accountId: string, name: string, qualifier: string): Promise<ResolvedQualifier> {
    const fn = await functions.get(accountId, name);
    if (VERSION_NUMBER.test(qualifier)) {
      const version = Number(qualifier);
      if (!(await repo.published(accountId, fn.id, version))) throw errors.functionNotFound(`${name}:${qualifier}`);
      return { version, executedVersion: String(version) };
    }
    if (!ALIAS_NAME.test(qualifier)) throw badQualifier(qualifier);
    const alias = await repo.alias(accountId, fn.id, qualifier);
    if (!alias) throw errors.functionNotFound(`${name}:${qualifier}`);
    const aliasCreatedAt = alias.createdAt;
    if (alias.version === null) return { version: undefined, executedVersion: LATEST, aliasCreatedAt };
    return {
      version: alias.version,
      executedVersion: String(alias.version),
      ...(alias.routing ? { routing: alias.routing } : {}),
      aliasCreatedAt,
    };
  }

  return {
    /**
     * Publishes the latest version (again: the same version, as Lambda answers when nothing changed). With
     * `ifLatest` (the Lambda API's RevisionId), only that version, and only while it is the latest.
     */
    async publish(
      accountId: string,
      name: string,
      opts: { description?: string; codeSha256?: string; ifLatest?: number },
    ): Promise<{ config: FunctionConfig; published: PublishedVersion }> {
      const config = await functions.get(accountId, name);
      if (opts.ifLatest !== undefined && config.version !== opts.ifLatest) throw errors.revisionMismatch(name);
      if (opts.codeSha256 !== undefined && opts.codeSha256 !== config.codeSha256) {
        throw new AppError('CONFLICT', 409, `CodeSha256 ${opts.codeSha256} is not the latest code of ${name} (${config.codeSha256})`);
      }
      const published = await repo.publish(accountId, config.id, config.version, opts.description ?? '', deps.clock.now());
      return { config, published };
    },

    /** One published version's record (its description), or null; `functionId` as the config names it. */
    published: (accountId: string, functionId: string, version: number) => repo.published(accountId, functionId, version),

    /** The published versions with their configurations, oldest first. */
    async listPublished(accountId: string, name: string): Promise<{ config: FunctionConfig; published: PublishedVersion }[]> {
      const latest = await functions.get(accountId, name);
      return withConfigs(latest, await repo.listPublished(accountId, latest.id));
    },

    /**
     * A page of published versions after version `after` (0: from the first), oldest first, read in SQL:
     * every update makes a version, so a function may have thousands. With the latest configuration,
     * and whether more follow.
     */
    async publishedPage(
      accountId: string,
      name: string,
      page: { after: number; limit: number },
    ): Promise<{ latest: FunctionConfig; versions: { config: FunctionConfig; published: PublishedVersion }[]; more: boolean }> {
      const latest = await functions.get(accountId, name);
      const rows = await repo.listPublished(accountId, latest.id, { after: page.after, limit: page.limit + 1 });
      const more = rows.length > page.limit;
      return { latest, versions: await withConfigs(latest, more ? rows.slice(0, page.limit) : rows), more };
    },

    async createAlias(
      accountId: string,
      name: string,
      input: { alias: string; version: string; description?: string; routing?: RoutingInput | null },
    ) {
      if (!ALIAS_NAME.test(input.alias))
        throw errors.validation(`Name: ${input.alias} is not an alias name ([A-Za-z0-9_-], not only digits)`);
      const fn = await functions.get(accountId, name);
      const version = await targetVersion(accountId, fn, input.version);
      const routing = await routingOf(accountId, fn, version, input.routing, null);
      const now = deps.clock.now();
      const alias: Omit<FunctionAlias, 'updatedAt'> = {
        functionId: fn.id,
        name: input.alias,
        version,
        routing,
        description: input.description ?? '',
        revisionId: randomUUID(),
        createdAt: now,
      };
      const created = await repo.insertAlias(accountId, alias).catch((err: unknown) => {
        throw err instanceof VersionNotPublished ? notPublished(name, version) : err;
      });
      if (!created) throw new AppError('CONFLICT', 409, `Alias ${input.alias} of function ${name} already exists`, ALIAS_EXISTS);
      forget(accountId, name);
      return { ...alias, updatedAt: now };
    },

    /**
     * Creates the alias, or moves it when it exists (PUT under /v1): of two calls at once for a new alias,
     * the one whose creation loses to the other moves it instead of answering 409.
     */
    async putAlias(
      accountId: string,
      name: string,
      alias: string,
      input: { version: string; description?: string; routing?: RoutingInput | null },
    ): Promise<FunctionAlias> {
      const fn = await functions.get(accountId, name);
      if (await repo.alias(accountId, fn.id, alias)) return this.updateAlias(accountId, name, alias, input);
      return this.createAlias(accountId, name, { alias, ...input }).catch((err: unknown) => {
        if (err instanceof AppError && err.details === ALIAS_EXISTS) return this.updateAlias(accountId, name, alias, input);
        throw err;
      });
    },

    async getAlias(accountId: string, name: string, alias: string): Promise<FunctionAlias> {
      const fn = await functions.get(accountId, name);
      const found = await repo.alias(accountId, fn.id, alias);
      if (!found) throw aliasNotFound(name, alias);
      return found;
    },

    async listAliases(accountId: string, name: string, q: { limit: number; after: string | null; version?: string }) {
      const fn = await functions.get(accountId, name);
      const version = q.version === undefined ? undefined : q.version === LATEST ? null : Number(q.version);
      return repo.listAliases(accountId, fn.id, q.limit, q.after, version);
    },

    /** Changes the target and/or description; with `revisionId`, only if nobody changed it since. */
    async updateAlias(
      accountId: string,
      name: string,
      alias: string,
      change: { version?: string; description?: string; revisionId?: string; routing?: RoutingInput | null },
    ): Promise<FunctionAlias> {
      const fn = await functions.get(accountId, name);
      const current = await repo.alias(accountId, fn.id, alias);
      if (!current) throw aliasNotFound(name, alias);
      const version = change.version === undefined ? current.version : await targetVersion(accountId, fn, change.version);
      const next = {
        version,
        routing: await routingOf(accountId, fn, version, change.routing, current.routing),
        description: change.description ?? current.description,
        revisionId: randomUUID(),
        updatedAt: deps.clock.now(),
      };
      const expected = change.revisionId ?? null;
      const done = !(expected === null || UUID.test(expected))
        ? 'revision_mismatch'
        : await repo.updateAlias(accountId, fn.id, alias, next, expected).catch((err: unknown) => {
            throw err instanceof VersionNotPublished ? notPublished(name, version) : err;
          });
      if (done === false) throw aliasNotFound(name, alias);
      if (done === 'revision_mismatch') {
        throw new AppError('CONFLICT', 409, `Alias ${alias} of function ${name} changed since revision ${change.revisionId}`, {
          reason: 'revision_mismatch',
        });
      }
      forget(accountId, name);
      return { ...current, ...next };
    },

    async removeAlias(accountId: string, name: string, alias: string): Promise<void> {
      const fn = await functions.get(accountId, name);
      if (!(await repo.removeAlias(accountId, fn.id, alias))) throw aliasNotFound(name, alias);
      forget(accountId, name);
    },

    /**
     * The invoke path: `$LATEST` (or none), a published version, or an alias, to the version to run; a
     * weighted alias draws its version for each call (`route: false`: its own version, as GetFunction
     * shows it). Cached briefly, as function configurations are.
     */
    async resolve(
      accountId: string,
      name: string,
      qualifier: string | undefined,
      opts: { route?: boolean } = {},
    ): Promise<ResolvedQualifier> {
      if (qualifier === undefined || qualifier === LATEST) return { version: undefined, executedVersion: LATEST };
      // The cache's key is split at its last slash, which neither a version number nor an alias name holds.
      if (qualifier.includes('/')) throw badQualifier(qualifier);
      const resolved = await cache.get(`${accountId}/${name}/${qualifier}`);
      return opts.route === false ? resolved : pickVersion(resolved);
    },
  };
}

export type VersionsService = ReturnType<typeof createVersionsService>;
