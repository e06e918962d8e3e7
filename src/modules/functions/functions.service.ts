import { refusedEnvironmentVariable } from '../../contracts/environment.js';
import { canonicalRuntime, type ImageConfigOverrides, type InvokeSpec } from '../../contracts/executor.js';
import { errors } from '../../lib/errors.js';
import { FreshCache, type OnCacheRead } from '../../lib/fresh-cache.js';
import { defaultMinUnreserved } from '../limits/concurrency.js';
import type { Principal } from '../accounts/auth.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { FunctionConfig, FunctionsRepository, FunctionTables, FunctionsTx, VersionSettings } from './functions.repository.js';
import { DEFAULTS, type CreateFunctionBody, type CreateFunctionQuery, type UpdateConfigurationBody } from './functions.schemas.js';
import { checkHandler, inspectZip, MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES, sha256Hex, type ZipLimits } from './functions.zip.js';
import { MAX_IMAGE_BYTES, MAX_IMAGE_UNPACKED_BYTES, readImageArchive, type ImageLimits, type ParsedImage } from './image-archive.js';
import type { ImagesRepository } from './images.repository.js';

/** Lambda's limit on a function's environment variables, all together. */
export const MAX_ENVIRONMENT_BYTES = 4096;
const ENV_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** What the invoke path needs, cached per (account, name[, version]). */
export interface InvokeTarget {
  config: FunctionConfig;
  /** The InvokeSpec as JSON, encoded once per version. */
  spec: Buffer;
}

/** What a function is made of: a zip, or a container image archive. */
export type FunctionPackage = { zip: Buffer } | { image: Buffer };

export interface FunctionsServiceOptions {
  limits?: Partial<ZipLimits & ImageLimits>;
  /** How long an api process trusts a cached function configuration (other processes' updates show after this). */
  cacheTtlMs?: number;
  /**
   * Most invocations of one account in flight (TALLY_ACCOUNT_CONCURRENCY), unless the operator set the
   * account's own limit; reservations are taken out of it.
   */
  accountConcurrency?: number;
  /**
   * What reservations must leave to the account's other functions (TALLY_UNRESERVED_CONCURRENCY_MIN);
   * unset or null: a tenth of the account's limit, at most 100.
   */
  minUnreservedConcurrency?: number | null;
  /** The region the Lambda API's ARNs name (TALLY_REGION), sent to executors with each version's spec. */
  region?: string;
}

/** An account's concurrency, as the invoke path, `GET /v1/concurrency` and GetAccountSettings show it. */
export interface AccountConcurrency {
  /** Most invocations of the account at once: its own limit, or the deployment's default. */
  limit: number;
  /** What its functions reserve together (their latest versions). */
  reserved: number;
  /** What the functions without a reservation share. */
  unreserved: number;
  /** What reservations must leave to them. */
  minUnreserved: number;
}

function checkEnvironment(env: Record<string, string>): void {
  for (const name of Object.keys(env)) {
    const refused = refusedEnvironmentVariable(name, env[name]!);
    if (refused)
      throw errors.validation(`environment.${name}: reserved, a function cannot set it: ${refused}`, [
        { field: `environment.${name}`, message: refused },
      ]);
    if (!ENV_NAME.test(name)) throw errors.validation(`environment.${name}: a name is letters, digits and _, starting with a letter`);
  }
  const size = Buffer.byteLength(JSON.stringify(env));
  if (size > MAX_ENVIRONMENT_BYTES) {
    throw errors.validation(`environment: ${size} bytes as JSON; at most ${MAX_ENVIRONMENT_BYTES} bytes are allowed`);
  }
}

function parseQueryImageConfig(text: string | undefined): ImageConfigOverrides | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw errors.validation('query.imageConfig: must be a JSON object');
  }
  const ok = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  const c = parsed as Record<string, unknown>;
  if (!c || typeof c !== 'object' || Array.isArray(c) || !ok(c.entryPoint) || !ok(c.command)) {
    throw errors.validation('query.imageConfig: must be { "entryPoint"?: [string], "command"?: [string], "workingDirectory"?: string }');
  }
  if (
    Object.keys(c).some((k) => !['entryPoint', 'command', 'workingDirectory'].includes(k)) ||
    !(c.workingDirectory === undefined || (typeof c.workingDirectory === 'string' && c.workingDirectory.startsWith('/')))
  ) {
    throw errors.validation('query.imageConfig: only entryPoint, command and an absolute workingDirectory may be set');
  }
  return c as ImageConfigOverrides;
}

/** An image must say what to run: its own ENTRYPOINT or CMD, or the function's imageConfig. */
function checkImageRuns(image: ParsedImage, overrides: ImageConfigOverrides | null): void {
  const entryPoint = overrides?.entryPoint ?? image.config.Entrypoint ?? [];
  const command = overrides?.command ?? image.config.Cmd ?? [];
  if (entryPoint.length + command.length === 0) {
    throw errors.invalidImage('the image sets no ENTRYPOINT or CMD: set imageConfig.entryPoint or imageConfig.command');
  }
}

/** A version's settings as stored, from a configuration read back (whose codeSha256 an image fills with its digest). */
const storedSettings = (c: FunctionConfig): VersionSettings => ({
  ...c,
  codeSha256: c.packageType === 'Zip' ? c.codeSha256 : null,
});

function parseQueryEnvironment(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw errors.validation('query.environment: must be a JSON object of strings');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw errors.validation('query.environment: must be a JSON object of strings');
  }
  return parsed as Record<string, string>;
}

export const toInvokeSpec = (c: FunctionConfig, region?: string): InvokeSpec => ({
  accountId: c.accountId,
  functionId: c.id,
  name: c.name,
  version: c.version,
  // An image's entry point speaks the Runtime API itself, as a custom runtime's bootstrap does.
  runtime: c.runtime ?? 'provided',
  handler: c.handler ?? '',
  memoryMb: c.memoryMb,
  timeoutS: c.timeoutS,
  architecture: c.architecture,
  ephemeralStorageMb: c.ephemeralStorageMb,
  environment: c.environment,
  reservedConcurrency: c.reservedConcurrency,
  codeSha256: c.codeSha256,
  ...(c.imageDigest ? { image: { digest: c.imageDigest, config: c.imageConfig ?? {} } } : {}),
  ...(region ? { region } : {}),
});

export function createFunctionsService(deps: {
  repo: FunctionsRepository;
  images: ImagesRepository;
  options?: FunctionsServiceOptions;
  onCacheRead?: OnCacheRead;
}) {
  const { repo, images } = deps;
  const limits: ZipLimits & ImageLimits = {
    maxZipBytes: MAX_ZIP_BYTES,
    maxUnzippedBytes: MAX_UNZIPPED_BYTES,
    maxImageBytes: MAX_IMAGE_BYTES,
    maxImageUnpackedBytes: MAX_IMAGE_UNPACKED_BYTES,
    ...deps.options?.limits,
  };
  const ttlMs = deps.options?.cacheTtlMs ?? 2_000;
  const defaultLimit = deps.options?.accountConcurrency ?? 1000;
  const configuredMinUnreserved = deps.options?.minUnreservedConcurrency ?? null;
  /** What reservations must leave under an account limit of `limit`. */
  const minUnreservedOf = (limit: number) => Math.min(limit, configuredMinUnreserved ?? defaultMinUnreserved(limit));
  /** Configurations by `account/name/version`: the invoke path reads them without a query per call. */
  const cache = new FreshCache<InvokeTarget | null>(
    (key) => {
      // `account/name/version`: the account is a uuid and the version digits or nothing, so the name is what is between.
      const first = key.indexOf('/');
      const last = key.lastIndexOf('/');
      const version = key.slice(last + 1);
      return repo
        .findConfig(null, key.slice(0, first), key.slice(first + 1, last), version === '' ? undefined : Number(version))
        .then((config) => (config ? { config, spec: Buffer.from(JSON.stringify(toInvokeSpec(config, deps.options?.region))) } : null));
    },
    { ttlMs, keep: (target) => target !== null, onRead: (read) => deps.onCacheRead?.('functions', read) },
  );
  /**
   * Each account's concurrency figures (its limit and what its functions reserve), as the invoke path
   * reads them: cached as configurations are, the figures themselves kept so that a hit allocates nothing.
   */
  const concurrencyCache = new FreshCache<AccountConcurrency>(
    (accountId) =>
      repo.concurrencyOf(accountId).then(({ reserved, limit: own }) => {
        const limit = own ?? defaultLimit;
        const minUnreserved = minUnreservedOf(limit);
        // Reservations leave the rest at least its minimum: only reservations that predate the check, or an
        // account limit lowered below them, could take more, and they do not starve the other functions.
        return { limit, reserved, unreserved: Math.max(minUnreserved, limit - reserved), minUnreserved };
      }),
    { ttlMs, onRead: (read) => deps.onCacheRead?.('concurrency', read) },
  );

  /** Drops the account's cached concurrency figures (this process; others refresh within the TTL). */
  function forgetConcurrency(accountId: string): void {
    concurrencyCache.delete(accountId);
  }

  /** Told when a function is deleted here: caches keyed by its name elsewhere (qualifiers) drop it too. */
  const removedListeners: ((accountId: string, name: string) => void)[] = [];

  /** Drops every cached version of one function (this process; others refresh within the TTL). */
  function forget(accountId: string, name: string): void {
    forgetConcurrency(accountId);
    cache.deletePrefix(`${accountId}/${name}/`);
  }

  async function mustFind(accountId: string, name: string, version?: number): Promise<FunctionConfig> {
    const found = await repo.findConfig(null, accountId, name, version);
    if (!found) throw errors.functionNotFound(version === undefined ? name : `${name} version ${version}`);
    return found;
  }

  /** The account's limit as it stands in the transaction: its own, or the deployment's default. */
  async function limitIn(tx: FunctionsTx, accountId: string): Promise<number> {
    return (await repo.accountLimit(tx, accountId)) ?? defaultLimit;
  }

  /**
   * Refuses a reservation that would leave the account's other functions less than their minimum
   * (Lambda's rule: docs/scaling.md, "Reserved concurrency"). Only a raise is checked, under the
   * account's reservation lock, against the account's limit read under it (an operator's change of
   * the limit takes the same lock: `checkAccountLimit`): lowering or removing one is always allowed,
   * even when an operator has since lowered the account's limit.
   */
  async function checkReservation(
    tx: FunctionsTx,
    accountId: string,
    fn: { id: string; before: number | null } | null,
    wanted: number | null,
  ) {
    if (wanted === null || wanted <= (fn?.before ?? 0)) return;
    await repo.lockReservations(tx, accountId);
    const others = await repo.reservedTotal(tx, accountId, fn?.id);
    const limit = await limitIn(tx, accountId);
    const minUnreserved = minUnreservedOf(limit);
    const left = limit - others - wanted;
    if (left < minUnreserved) {
      throw errors.validation(
        `reservedConcurrency: ${wanted} would leave the account's unreserved concurrency at ${Math.max(0, left)}, below its minimum of ${minUnreserved} ` +
          `(the account's limit is ${limit}; its other functions reserve ${others}); at most ${Math.max(0, limit - others - minUnreserved)} can be reserved here`,
        [{ field: 'reservedConcurrency', message: `at most ${Math.max(0, limit - others - minUnreserved)}` }],
      );
    }
  }

  /** The least account limit that leaves `reserved` its minimum unreserved beside it. */
  function leastLimitFor(reserved: number): number {
    if (reserved === 0) return 1;
    if (configuredMinUnreserved !== null) return reserved + configuredMinUnreserved;
    // The minimum grows with the limit (a tenth of it, at most 100): found in at most about 110 steps.
    let limit = reserved;
    while (limit - reserved < minUnreservedOf(limit)) limit += 1;
    return limit;
  }

  /** The account's figures if this process read them lately: the warm invoke path, without a promise. */
  function cachedConcurrency(accountId: string): AccountConcurrency | undefined {
    return concurrencyCache.peek(accountId);
  }

  /**
   * What the account's functions reserve together and what is left of its limit to the others, cached
   * as configurations are: the invoke path admits with them without a query per call; concurrent misses
   * share one query, which reads the account's own limit too.
   */
  function accountConcurrency(accountId: string): Promise<AccountConcurrency> {
    return concurrencyCache.get(accountId);
  }

  /**
   * Writes the next version of an existing function from its current settings and a change, in one transaction.
   * With `ifLatest`, only if that version is still the latest: checked under the function's row lock, so of
   * two changes made from the same version (the Lambda API's RevisionId) the second is refused.
   */
  async function newVersion(
    accountId: string,
    name: string,
    change: (current: FunctionConfig, tx: FunctionsTx) => Promise<VersionSettings>,
    ifLatest?: number,
  ): Promise<FunctionConfig> {
    const config = await repo.transaction(async (tx) => {
      const next = await repo.nextVersion(tx, accountId, name);
      if (!next) throw errors.functionNotFound(name);
      if (ifLatest !== undefined && next.version - 1 !== ifLatest) throw errors.revisionMismatch(name);
      const current = await repo.findConfig(tx, accountId, name, next.version - 1);
      if (!current) throw errors.functionNotFound(name);
      await repo.insertVersion(tx, accountId, next.id, next.version, await change(current, tx));
      return (await repo.findConfig(tx, accountId, name, next.version))!;
    });
    forget(accountId, name);
    return config;
  }

  /** The zip checked against its runtime and handler, or the image read and verified; nothing stored yet. */
  async function inspectPackage(pkg: FunctionPackage, s: Pick<VersionSettings, 'runtime' | 'handler' | 'architecture'>) {
    if ('zip' in pkg) {
      const manifest = await inspectZip(pkg.zip, limits);
      if (s.runtime !== null && s.handler !== null) checkHandler(s.runtime, s.handler, manifest);
      return { zip: pkg.zip, manifest, image: null };
    }
    return { zip: null, manifest: null, image: await readImageArchive(pkg.image, { architecture: s.architecture, limits }) };
  }

  /** Stores the package in the transaction and names it in the version's settings. */
  async function storePackage(
    tx: FunctionsTx,
    accountId: string,
    inspected: Awaited<ReturnType<typeof inspectPackage>>,
  ): Promise<Pick<VersionSettings, 'codeSha256' | 'imageDigest'>> {
    if (inspected.zip) {
      const codeSha256 = sha256Hex(inspected.zip);
      await repo.insertCode(tx, accountId, codeSha256, inspected.zip, inspected.manifest!.unzippedBytes);
      return { codeSha256, imageDigest: null };
    }
    const image = inspected.image!;
    await images.lock(tx, accountId);
    await images.insertImage(tx, accountId, image);
    return { codeSha256: null, imageDigest: image.digest };
  }

  return {
    limits,

    /** From a JSON body (base64 zip or image) or a raw zip or tar with the settings in the query string. */
    async create(
      accountId: string,
      input: { json: Omit<CreateFunctionBody, 'zipFile' | 'imageArchive'> } | { query: CreateFunctionQuery },
      pkg: FunctionPackage,
    ): Promise<FunctionConfig> {
      const s =
        'json' in input
          ? input.json
          : {
              ...input.query,
              environment: parseQueryEnvironment(input.query.environment),
              reservedConcurrency: input.query.reservedConcurrency ?? null,
              imageConfig: parseQueryImageConfig(input.query.imageConfig),
            };
      const packageType = 'zip' in pkg ? 'Zip' : 'Image';
      if (s.packageType !== undefined && s.packageType !== packageType) {
        throw errors.validation(
          packageType === 'Zip'
            ? 'packageType Image: send the image as imageArchive (or a raw application/x-tar body)'
            : 'packageType: Zip functions send a zipFile',
        );
      }
      if (!s.name) throw errors.validation('query.name: is required with a raw body');
      const name = s.name;
      if (packageType === 'Zip' && !s.runtime) {
        throw errors.validation('runtime: is required for a zip (nodejs, python, ruby, java or provided)');
      }
      if (packageType === 'Image' && (s.runtime !== undefined || s.handler !== undefined)) {
        throw errors.validation('runtime, handler: an image function has neither: its ENTRYPOINT and CMD (or imageConfig) run it');
      }
      if (packageType === 'Zip' && s.imageConfig !== undefined) throw errors.validation('imageConfig: only for packageType Image');
      const runtime = s.runtime ? canonicalRuntime(s.runtime) : null;
      const settings: Omit<VersionSettings, 'codeSha256' | 'imageDigest'> = {
        packageType,
        runtime,
        handler: runtime ? (s.handler ?? DEFAULTS.handler[runtime]) : null,
        memoryMb: s.memoryMb ?? DEFAULTS.memoryMb,
        timeoutS: s.timeoutS ?? DEFAULTS.timeoutS,
        architecture: s.architecture ?? DEFAULTS.architecture,
        ephemeralStorageMb: s.ephemeralStorageMb ?? DEFAULTS.ephemeralStorageMb,
        environment: s.environment ?? {},
        reservedConcurrency: s.reservedConcurrency ?? null,
        imageConfig: s.imageConfig ?? null,
      };
      checkEnvironment(settings.environment);
      const inspected = await inspectPackage(pkg, settings);
      if (inspected.image) checkImageRuns(inspected.image, settings.imageConfig);
      const config = await repo.transaction(async (tx) => {
        await checkReservation(tx, accountId, null, settings.reservedConcurrency);
        const stored = await storePackage(tx, accountId, inspected);
        const id = await repo.insertFunction(tx, accountId, name);
        if (id === null) throw errors.functionExists(name);
        await repo.insertVersion(tx, accountId, id, 1, { ...settings, ...stored });
        return (await repo.findConfig(tx, accountId, name, 1))!;
      });
      forget(accountId, name);
      return config;
    },

    /** The package is checked before the transaction; that it suits the function, against the settings current inside it. */
    async updateCode(accountId: string, name: string, pkg: FunctionPackage, ifLatest?: number): Promise<FunctionConfig> {
      const before = await mustFind(accountId, name);
      const packageType = 'zip' in pkg ? 'Zip' : 'Image';
      const wrongKind = () =>
        errors.validation(
          `${name} is a ${before.packageType === 'Zip' ? 'zip' : 'container image'} function: send ${before.packageType === 'Zip' ? 'zipFile' : 'imageArchive'} (a function's package type never changes)`,
        );
      if (before.packageType !== packageType) throw wrongKind();
      const inspected = await inspectPackage(pkg, { runtime: null, handler: null, architecture: before.architecture });
      return newVersion(
        accountId,
        name,
        async (current, tx) => {
          if (current.packageType !== packageType || current.architecture !== before.architecture) throw wrongKind();
          if (inspected.manifest) checkHandler(current.runtime!, current.handler!, inspected.manifest);
          if (inspected.image) checkImageRuns(inspected.image, current.imageConfig);
          return { ...storedSettings(current), ...(await storePackage(tx, accountId, inspected)) };
        },
        ifLatest,
      );
    },

    /** `ifLatest`: only if that version is still the latest (see newVersion). */
    async updateConfiguration(accountId: string, name: string, patch: UpdateConfigurationBody, ifLatest?: number): Promise<FunctionConfig> {
      if (patch.environment) checkEnvironment(patch.environment);
      return newVersion(
        accountId,
        name,
        async (current, tx) => {
          if (current.packageType === 'Image' && (patch.runtime !== undefined || patch.handler !== undefined)) {
            throw errors.validation('runtime, handler: an image function has neither; change imageConfig instead');
          }
          if (current.packageType === 'Image' && patch.architecture !== undefined && patch.architecture !== current.architecture) {
            throw errors.validation("architecture: an image function's architecture is its image's; upload an image for the other one");
          }
          if (current.packageType === 'Zip' && patch.imageConfig !== undefined)
            throw errors.validation('imageConfig: only for packageType Image');
          const next: VersionSettings = {
            ...storedSettings(current),
            ...patch,
            runtime: patch.runtime === undefined ? current.runtime : canonicalRuntime(patch.runtime),
            reservedConcurrency: patch.reservedConcurrency === undefined ? current.reservedConcurrency : patch.reservedConcurrency,
            imageConfig: patch.imageConfig === undefined ? current.imageConfig : patch.imageConfig,
          };
          if (next.packageType === 'Zip' && (next.runtime !== current.runtime || next.handler !== current.handler)) {
            const zip = await repo.readZip(accountId, current.codeSha256);
            checkHandler(next.runtime!, next.handler!, await inspectZip(zip!, limits, false));
          }
          await checkReservation(tx, accountId, { id: current.id, before: current.reservedConcurrency }, next.reservedConcurrency);
          return next;
        },
        ifLatest,
      );
    },

    get: mustFind,

    list: (accountId: string, limit: number, after: string | null) => repo.listLatest(accountId, limit, after),

    /** These versions of a function (those that exist), oldest first; none when the function does not exist. */
    versionsNumbered: (accountId: string, name: string, versions: readonly number[]) =>
      repo.listVersionsNumbered(accountId, name, versions),

    /** A page of versions, oldest first: every configuration or code change makes one, so they are many. */
    async versionsPage(
      accountId: string,
      name: string,
      limit: number,
      after: number,
    ): Promise<{ versions: FunctionConfig[]; next: number | null }> {
      const page = await repo.listVersions(accountId, name, { limit: limit + 1, after });
      if (page.length === 0 && after === 0) throw errors.functionNotFound(name);
      if (page.length === 0) await mustFind(accountId, name);
      const more = page.length > limit;
      const versions = more ? page.slice(0, limit) : page;
      return { versions, next: more ? versions[versions.length - 1]!.version : null };
    },

    /** Deletes the function, then the code and the image blobs nothing else of the account uses. */
    async remove(accountId: string, name: string): Promise<void> {
      const deleted = await repo.transaction(async (tx) => {
        if (!(await repo.deleteFunction(tx, accountId, name))) return false;
        await images.lock(tx, accountId);
        await images.collect(tx, accountId);
        return true;
      });
      forget(accountId, name);
      for (const fn of removedListeners) fn(accountId, name);
      if (!deleted) throw errors.functionNotFound(name);
    },

    /** The zip by hash, for an executor; a key scoped to one account only sees that account's code. */
    async code(principal: Principal, sha256: string): Promise<Buffer> {
      const zip = /^[0-9a-f]{64}$/.test(sha256) ? await repo.readZipByHash(sha256, principal.accountId) : null;
      if (!zip) throw errors.codeNotFound(sha256);
      return zip;
    },

    /** An image blob by digest, for an executor, read chunk by chunk as it is sent; scoped as `code`. */
    async imageBlob(principal: Principal, digest: string): Promise<{ bytes: number; chunks: AsyncIterable<Buffer> }> {
      const found = /^sha256:[0-9a-f]{64}$/.test(digest) ? await images.findBlob(digest, principal.accountId) : null;
      if (!found) throw errors.codeNotFound(digest);
      async function* chunks() {
        for (let seq = 0; ; seq++) {
          const chunk = await images.readChunk(found!.accountId, digest, seq);
          if (!chunk) return;
          yield chunk;
        }
      }
      return { bytes: found.bytes, chunks: chunks() };
    },

    /**
     * The account's concurrency limit (its own, or the deployment's default), what its functions reserve
     * of it, and what is left to the others: from a cache that lives as long as a cached configuration.
     */
    concurrency: accountConcurrency,

    /** The same figures when cached (no query, no promise: the warm invoke path), else undefined. */
    cachedConcurrency,

    /**
     * Refuses an account limit (null: the deployment's default) below what the account's functions
     * reserve plus the minimum that must stay unreserved under it. Called in the transaction that sets
     * the limit: it takes the account's reservation lock (held until that transaction ends), as a
     * reservation raise does, so of a raise and a limit change made at the same moment the second sees the first.
     */
    async checkAccountLimit(conn: Transaction<Database>, accountId: string, wanted: number | null): Promise<void> {
      const tx: FunctionsTx = conn.withTables<FunctionTables>();
      await repo.lockReservations(tx, accountId);
      const reserved = await repo.reservedTotal(tx, accountId);
      const limit = wanted ?? defaultLimit;
      const minUnreserved = minUnreservedOf(limit);
      if (limit - reserved < minUnreserved) {
        const least = leastLimitFor(reserved);
        const named = wanted === null ? `null (the deployment's default of ${defaultLimit})` : String(wanted);
        throw errors.validation(
          `limit: ${named} would leave the account's unreserved concurrency at ${Math.max(0, limit - reserved)}, below its minimum of ${minUnreserved} ` +
            `(its functions reserve ${reserved}); at least ${least} is needed here, or lower the reservations first`,
          [{ field: 'limit', message: `at least ${least}` }],
        );
      }
    },

    /**
     * Calls `fn` after a function is deleted on this process. A function made again under the same name is
     * another function: what was cached by its name (an alias's version) must not outlive the old one.
     */
    onRemoved(fn: (accountId: string, name: string) => void): void {
      removedListeners.push(fn);
    },

    /** After the account's limit changed: this process reads it again at once (the others within the cache's lifetime). */
    forgetAccountLimit: forgetConcurrency,

    /** The deployment's default account limit (TALLY_ACCOUNT_CONCURRENCY). */
    defaultAccountLimit: defaultLimit,

    /** How many functions the account has and the bytes of code it stores. */
    usage: (accountId: string) => repo.accountUsage(accountId),

    /** The invoke hot path: configuration from a short-lived cache, concurrent misses sharing one query. */
    async resolve(accountId: string, name: string, version?: number): Promise<InvokeTarget> {
      const target = await cache.get(`${accountId}/${name}/${version ?? ''}`);
      if (!target) throw errors.functionNotFound(version === undefined ? name : `${name} version ${version}`);
      return target;
    },
  };
}

export type FunctionsService = ReturnType<typeof createFunctionsService>;
