import { refusedEnvironmentVariable } from '../../contracts/environment.js';
import type { InvokeSpec } from '../../contracts/executor.js';
import { errors } from '../../lib/errors.js';
import type { Principal } from '../accounts/auth.js';
import type { FunctionConfig, FunctionsRepository, FunctionsTx, VersionSettings } from './functions.repository.js';
import { DEFAULTS, type CreateFunctionBody, type CreateFunctionQuery, type UpdateConfigurationBody } from './functions.schemas.js';
import { checkHandler, inspectZip, MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES, sha256Hex, type ZipLimits } from './functions.zip.js';

/** Lambda's limit on a function's environment variables, all together. */
export const MAX_ENVIRONMENT_BYTES = 4096;
const ENV_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** What the invoke path needs, cached per (account, name[, version]). */
export interface InvokeTarget {
  config: FunctionConfig;
  /** The InvokeSpec as JSON, encoded once per version. */
  spec: Buffer;
}

export interface FunctionsServiceOptions {
  limits?: Partial<ZipLimits>;
  /** How long an api process trusts a cached function configuration (other processes' updates show after this). */
  cacheTtlMs?: number;
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

export const toInvokeSpec = (c: FunctionConfig): InvokeSpec => ({
  accountId: c.accountId,
  functionId: c.id,
  name: c.name,
  version: c.version,
  runtime: c.runtime,
  handler: c.handler,
  memoryMb: c.memoryMb,
  timeoutS: c.timeoutS,
  architecture: c.architecture,
  ephemeralStorageMb: c.ephemeralStorageMb,
  environment: c.environment,
  reservedConcurrency: c.reservedConcurrency,
  codeSha256: c.codeSha256,
});

export function createFunctionsService(deps: { repo: FunctionsRepository; options?: FunctionsServiceOptions }) {
  const { repo } = deps;
  const limits: ZipLimits = { maxZipBytes: MAX_ZIP_BYTES, maxUnzippedBytes: MAX_UNZIPPED_BYTES, ...deps.options?.limits };
  const ttlMs = deps.options?.cacheTtlMs ?? 2_000;
  const cache = new Map<string, { target: InvokeTarget; expires: number }>();
  const loading = new Map<string, Promise<InvokeTarget | null>>();
  /** Bumped by every local change: a read that started before it must not be cached after it. */
  let generation = 0;

  /** Drops every cached version of one function (this process; others refresh within the TTL). */
  function forget(accountId: string, name: string): void {
    generation += 1;
    const prefix = `${accountId}/${name}/`;
    for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
    for (const key of loading.keys()) if (key.startsWith(prefix)) loading.delete(key);
  }

  async function mustFind(accountId: string, name: string, version?: number): Promise<FunctionConfig> {
    const found = await repo.findConfig(null, accountId, name, version);
    if (!found) throw errors.functionNotFound(version === undefined ? name : `${name} version ${version}`);
    return found;
  }

  /** Writes the next version of an existing function from its current settings and a change, in one transaction. */
  async function newVersion(
    accountId: string,
    name: string,
    change: (current: FunctionConfig, tx: FunctionsTx) => Promise<VersionSettings>,
  ): Promise<FunctionConfig> {
    const config = await repo.transaction(async (tx) => {
      const next = await repo.nextVersion(tx, accountId, name);
      if (!next) throw errors.functionNotFound(name);
      const current = await repo.findConfig(tx, accountId, name, next.version - 1);
      if (!current) throw errors.functionNotFound(name);
      await repo.insertVersion(tx, accountId, next.id, next.version, await change(current, tx));
      return (await repo.findConfig(tx, accountId, name, next.version))!;
    });
    forget(accountId, name);
    return config;
  }

  return {
    /** From a JSON body (base64 zip) or a raw zip with the settings in the query string. */
    async create(
      accountId: string,
      input: { json: Omit<CreateFunctionBody, 'zipFile'> } | { query: CreateFunctionQuery },
      zip: Buffer,
    ): Promise<FunctionConfig> {
      const s =
        'json' in input
          ? input.json
          : {
              ...input.query,
              environment: parseQueryEnvironment(input.query.environment),
              reservedConcurrency: input.query.reservedConcurrency ?? null,
            };
      if (!s.name) throw errors.validation('query.name: is required with an application/zip body');
      if (!s.runtime) throw errors.validation('query.runtime: is required with an application/zip body (nodejs, python or provided)');
      const name = s.name;
      const runtime = s.runtime;
      const settings: Omit<VersionSettings, 'codeSha256'> = {
        runtime,
        handler: s.handler ?? DEFAULTS.handler[runtime],
        memoryMb: s.memoryMb ?? DEFAULTS.memoryMb,
        timeoutS: s.timeoutS ?? DEFAULTS.timeoutS,
        architecture: s.architecture ?? DEFAULTS.architecture,
        ephemeralStorageMb: s.ephemeralStorageMb ?? DEFAULTS.ephemeralStorageMb,
        environment: s.environment ?? {},
        reservedConcurrency: s.reservedConcurrency ?? null,
      };
      checkEnvironment(settings.environment);
      const manifest = await inspectZip(zip, limits);
      checkHandler(settings.runtime, settings.handler, manifest);
      const codeSha256 = sha256Hex(zip);
      const config = await repo.transaction(async (tx) => {
        await repo.insertCode(tx, accountId, codeSha256, zip, manifest.unzippedBytes);
        const id = await repo.insertFunction(tx, accountId, name);
        if (id === null) throw errors.functionExists(name);
        await repo.insertVersion(tx, accountId, id, 1, { ...settings, codeSha256 });
        return (await repo.findConfig(tx, accountId, name, 1))!;
      });
      forget(accountId, name);
      return config;
    },

    /** The zip is checked before the transaction; the handler against the settings current inside it. */
    async updateCode(accountId: string, name: string, zip: Buffer): Promise<FunctionConfig> {
      const manifest = await inspectZip(zip, limits);
      const codeSha256 = sha256Hex(zip);
      return newVersion(accountId, name, async (current, tx) => {
        checkHandler(current.runtime, current.handler, manifest);
        await repo.insertCode(tx, accountId, codeSha256, zip, manifest.unzippedBytes);
        return { ...current, codeSha256 };
      });
    },

    async updateConfiguration(accountId: string, name: string, patch: UpdateConfigurationBody): Promise<FunctionConfig> {
      if (patch.environment) checkEnvironment(patch.environment);
      return newVersion(accountId, name, async (current) => {
        const next: VersionSettings = {
          ...current,
          ...patch,
          reservedConcurrency: patch.reservedConcurrency === undefined ? current.reservedConcurrency : patch.reservedConcurrency,
        };
        if (next.runtime !== current.runtime || next.handler !== current.handler) {
          const zip = await repo.readZip(accountId, current.codeSha256);
          checkHandler(next.runtime, next.handler, await inspectZip(zip!, limits, false));
        }
        return next;
      });
    },

    get: mustFind,

    list: (accountId: string, limit: number, after: string | null) => repo.listLatest(accountId, limit, after),

    async versions(accountId: string, name: string): Promise<FunctionConfig[]> {
      const all = await repo.listVersions(accountId, name);
      if (all.length === 0) throw errors.functionNotFound(name);
      return all;
    },

    async remove(accountId: string, name: string): Promise<void> {
      const deleted = await repo.transaction((tx) => repo.deleteFunction(tx, accountId, name));
      forget(accountId, name);
      if (!deleted) throw errors.functionNotFound(name);
    },

    /** The zip by hash, for an executor; a key scoped to one account only sees that account's code. */
    async code(principal: Principal, sha256: string): Promise<Buffer> {
      const zip = /^[0-9a-f]{64}$/.test(sha256) ? await repo.readZipByHash(sha256, principal.accountId) : null;
      if (!zip) throw errors.codeNotFound(sha256);
      return zip;
    },

    /** The invoke hot path: configuration from a short-lived cache, concurrent misses sharing one query. */
    async resolve(accountId: string, name: string, version?: number): Promise<InvokeTarget> {
      const key = `${accountId}/${name}/${version ?? ''}`;
      const hit = cache.get(key);
      if (hit && hit.expires > Date.now()) return hit.target;
      let pending = loading.get(key);
      if (!pending) {
        const startedAt = generation;
        const load = repo.findConfig(null, accountId, name, version).then((config) => {
          if (!config) return null;
          const target = { config, spec: Buffer.from(JSON.stringify(toInvokeSpec(config))) };
          if (cache.size >= 10_000) cache.clear();
          if (generation === startedAt) cache.set(key, { target, expires: Date.now() + ttlMs });
          return target;
        });
        pending = load;
        loading.set(key, load);
        void load.finally(() => loading.get(key) === load && loading.delete(key)).catch(() => undefined);
      }
      const target = await pending;
      if (!target) throw errors.functionNotFound(version === undefined ? name : `${name} version ${version}`);
      return target;
    },
  };
}

export type FunctionsService = ReturnType<typeof createFunctionsService>;
