import { sql, type ColumnType, type Generated, type Kysely, type Transaction } from 'kysely';
import type { Runtime } from '../../contracts/executor.js';
import type { Architecture } from '../../contracts/usage.js';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import type { ImageConfigOverrides, PackageType } from '../../contracts/executor.js';
import type { ImageTables } from './images.repository.js';

type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface FunctionCodeTable {
  account_id: string;
  sha256: string;
  zip: Buffer;
  zip_bytes: number;
  unzipped_bytes: ColumnType<string, number, never>;
  created_at: CreatedAt;
}

export interface FunctionsTable {
  account_id: string;
  id: Generated<string>;
  name: string;
  latest_version: Generated<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface FunctionVersionsTable {
  account_id: string;
  function_id: string;
  version: number;
  runtime: Runtime | null;
  handler: string | null;
  memory_mb: number;
  timeout_s: number;
  architecture: Architecture;
  ephemeral_storage_mb: number;
  environment: ColumnType<Record<string, string>, string, never>;
  reserved_concurrency: number | null;
  code_sha256: string | null;
  package_type: ColumnType<PackageType, PackageType | undefined, never>;
  image_digest: string | null;
  image_config: ColumnType<ImageConfigOverrides | null, string | null, never>;
  created_at: CreatedAt;
}

// A type alias, not an interface: withTables<T> needs T's implicit index signature.
export type FunctionTables = ImageTables & {
  function_code: FunctionCodeTable;
  functions: FunctionsTable;
  function_versions: FunctionVersionsTable;
};

export type FunctionsDb = Kysely<Database & FunctionTables>;
export type FunctionsTx = Transaction<Database & FunctionTables>;

/** One immutable version of a function, as the api shows it and the executor runs it. */
export interface FunctionConfig {
  accountId: string;
  id: string;
  name: string;
  version: number;
  latestVersion: number;
  packageType: PackageType;
  /** Null for an image: its entry point is its runtime. */
  runtime: Runtime | null;
  handler: string | null;
  memoryMb: number;
  timeoutS: number;
  architecture: Architecture;
  ephemeralStorageMb: number;
  environment: Record<string, string>;
  reservedConcurrency: number | null;
  /** The zip's SHA-256, or for an image its manifest digest's hex (as Lambda reports CodeSha256). */
  codeSha256: string;
  codeSize: number;
  codeUnzippedSize: number;
  /** An image function's manifest digest and its overrides of the image's settings. */
  imageDigest: string | null;
  imageConfig: ImageConfigOverrides | null;
  createdAt: Date;
  lastModified: Date;
}

export type VersionSettings = Pick<
  FunctionConfig,
  | 'runtime'
  | 'handler'
  | 'memoryMb'
  | 'timeoutS'
  | 'architecture'
  | 'ephemeralStorageMb'
  | 'environment'
  | 'reservedConcurrency'
  | 'packageType'
  | 'imageDigest'
  | 'imageConfig'
> & {
  /** The zip's SHA-256; null for an image. */
  codeSha256: string | null;
};

export function createFunctionsRepository(base: Db) {
  const db: FunctionsDb = base.withTables<FunctionTables>();

  /** Functions joined with one version each (the latest unless `version` is given) and their code sizes. */
  const configs = (q: FunctionsDb | FunctionsTx) =>
    q
      .selectFrom('functions as f')
      .innerJoin('function_versions as v', (j) => j.onRef('v.account_id', '=', 'f.account_id').onRef('v.function_id', '=', 'f.id'))
      .leftJoin('function_code as c', (j) => j.onRef('c.account_id', '=', 'v.account_id').onRef('c.sha256', '=', 'v.code_sha256'))
      .leftJoin('images as i', (j) => j.onRef('i.account_id', '=', 'v.account_id').onRef('i.digest', '=', 'v.image_digest'))
      .select([
        'f.account_id',
        'f.id',
        'f.name',
        'f.latest_version',
        'f.created_at',
        'v.version',
        'v.runtime',
        'v.handler',
        'v.memory_mb',
        'v.timeout_s',
        'v.architecture',
        'v.ephemeral_storage_mb',
        'v.environment',
        'v.reserved_concurrency',
        'v.code_sha256',
        'v.package_type',
        'v.image_digest',
        'v.image_config',
        'v.created_at as version_created_at',
        'c.zip_bytes',
        'c.unzipped_bytes',
        'i.bytes as image_bytes',
        'i.unpacked_bytes as image_unpacked_bytes',
      ]);

  type Row = Awaited<ReturnType<ReturnType<typeof configs>['executeTakeFirstOrThrow']>>;
  const toConfig = (r: Row): FunctionConfig => ({
    accountId: r.account_id,
    id: r.id,
    name: r.name,
    version: r.version,
    latestVersion: r.latest_version,
    packageType: r.package_type,
    runtime: r.runtime,
    handler: r.handler,
    memoryMb: r.memory_mb,
    timeoutS: r.timeout_s,
    architecture: r.architecture,
    ephemeralStorageMb: r.ephemeral_storage_mb,
    environment: r.environment,
    reservedConcurrency: r.reserved_concurrency,
    codeSha256: r.code_sha256 ?? r.image_digest!.slice('sha256:'.length),
    codeSize: r.zip_bytes ?? Number(r.image_bytes),
    codeUnzippedSize: Number(r.unzipped_bytes ?? r.image_unpacked_bytes),
    imageDigest: r.image_digest,
    imageConfig: r.image_config,
    createdAt: r.created_at,
    lastModified: r.version_created_at,
  });

  return {
    transaction: <T>(fn: (tx: FunctionsTx) => Promise<T>): Promise<T> => db.transaction().execute(fn),

    /** Stores a zip once per account; the same bytes uploaded again reuse the row. */
    async insertCode(tx: FunctionsTx, accountId: string, sha256: string, zip: Buffer, unzippedBytes: number): Promise<void> {
      await tx
        .insertInto('function_code')
        .values({ account_id: accountId, sha256, zip, zip_bytes: zip.length, unzipped_bytes: unzippedBytes })
        .onConflict((oc) => oc.columns(['account_id', 'sha256']).doNothing())
        .execute();
    },

    /** The new function's id, or null when the name is taken in this account. */
    async insertFunction(tx: FunctionsTx, accountId: string, name: string): Promise<string | null> {
      const row = await tx
        .insertInto('functions')
        .values({ account_id: accountId, name })
        .onConflict((oc) => oc.columns(['account_id', 'name']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id ?? null;
    },

    async insertVersion(tx: FunctionsTx, accountId: string, functionId: string, version: number, s: VersionSettings): Promise<void> {
      await tx
        .insertInto('function_versions')
        .values({
          account_id: accountId,
          function_id: functionId,
          version,
          runtime: s.runtime,
          handler: s.handler,
          memory_mb: s.memoryMb,
          timeout_s: s.timeoutS,
          architecture: s.architecture,
          ephemeral_storage_mb: s.ephemeralStorageMb,
          environment: JSON.stringify(s.environment),
          reserved_concurrency: s.reservedConcurrency,
          code_sha256: s.codeSha256,
          package_type: s.packageType,
          image_digest: s.imageDigest,
          image_config: s.imageConfig === null ? null : JSON.stringify(s.imageConfig),
        })
        .execute();
    },

    /**
     * Serializes changes that raise a reservation in one account, so that two functions reserving at
     * once cannot together take more than the account may give (docs/scaling.md, "Reserved concurrency").
     */
    async lockReservations(tx: FunctionsTx, accountId: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`reserved-concurrency/${accountId}`}, 0))`.execute(tx);
    },

    /** The operator's concurrency limit for the account (null: the deployment's default), as the transaction sees it. */
    async accountLimit(tx: FunctionsTx, accountId: string): Promise<number | null> {
      const row = await tx.selectFrom('accounts').select('concurrency_limit').where('id', '=', accountId).executeTakeFirst();
      return row?.concurrency_limit ?? null;
    },

    /**
     * The account's own concurrency limit and what its functions reserve together, in one query: the
     * invoke path's cache of them misses with one round trip, as it did for the reservations alone.
     */
    async concurrencyOf(accountId: string): Promise<{ limit: number | null; reserved: number }> {
      const r = await sql<{ account_limit: number | null; reserved: string }>`
        select (select concurrency_limit from accounts where id = ${accountId}::uuid) as account_limit,
               coalesce(sum(v.reserved_concurrency), 0) as reserved
          from functions f
          join function_versions v on v.account_id = f.account_id and v.function_id = f.id and v.version = f.latest_version
         where f.account_id = ${accountId}::uuid`.execute(db);
      const row = r.rows[0]!;
      return { limit: row.account_limit, reserved: Number(row.reserved) };
    },

    /** The concurrency the account's functions reserve: each function's latest version, all but `except`. */
    async reservedTotal(q: FunctionsDb | FunctionsTx | null, accountId: string, except?: string): Promise<number> {
      let query = (q ?? db)
        .selectFrom('functions as f')
        .innerJoin('function_versions as v', (j) =>
          j.onRef('v.account_id', '=', 'f.account_id').onRef('v.function_id', '=', 'f.id').onRef('v.version', '=', 'f.latest_version'),
        )
        .select(sql<string>`coalesce(sum(v.reserved_concurrency), 0)`.as('total'))
        .where('f.account_id', '=', accountId);
      if (except !== undefined) query = query.where('f.id', '<>', except);
      return Number((await query.executeTakeFirstOrThrow()).total);
    },

    /** How many functions the account has, and the bytes of code it stores (zips, and image blobs once each). */
    async accountUsage(accountId: string): Promise<{ functions: number; codeBytes: number }> {
      const row = await sql<{ functions: string; code_bytes: string }>`
        select (select count(*) from functions where account_id = ${accountId}) as functions,
               (select coalesce(sum(zip_bytes), 0) from function_code where account_id = ${accountId})
             + (select coalesce(sum(bytes), 0) from image_blobs where account_id = ${accountId}) as code_bytes`.execute(db);
      const r = row.rows[0]!;
      return { functions: Number(r.functions), codeBytes: Number(r.code_bytes) };
    },

    /** Locks the function row (updates to one function are serialized) and takes the next version number. */
    async nextVersion(tx: FunctionsTx, accountId: string, name: string): Promise<{ id: string; version: number } | null> {
      const row = await tx
        .updateTable('functions')
        .set({ latest_version: sql`latest_version + 1`, updated_at: sql`now()` })
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .returning(['id', 'latest_version'])
        .executeTakeFirst();
      return row ? { id: row.id, version: row.latest_version } : null;
    },

    async findConfig(
      q: FunctionsDb | FunctionsTx | null,
      accountId: string,
      name: string,
      version?: number,
    ): Promise<FunctionConfig | null> {
      const row = await configs(q ?? db)
        .where('f.account_id', '=', accountId)
        .where('f.name', '=', name)
        .where((eb) => (version === undefined ? eb('v.version', '=', eb.ref('f.latest_version')) : eb('v.version', '=', version)))
        .executeTakeFirst();
      return row ? toConfig(row) : null;
    },

    async listLatest(accountId: string, limit: number, after: string | null): Promise<FunctionConfig[]> {
      let q = configs(db)
        .where('f.account_id', '=', accountId)
        .where((eb) => eb('v.version', '=', eb.ref('f.latest_version')))
        .orderBy('f.name')
        .limit(limit);
      if (after !== null) q = q.where('f.name', '>', after);
      return (await q.execute()).map(toConfig);
    },

    /** Versions oldest first: all of them, or a page of `limit` after version `after`. */
    async listVersions(accountId: string, name: string, page?: { limit: number; after: number }): Promise<FunctionConfig[]> {
      let q = configs(db).where('f.account_id', '=', accountId).where('f.name', '=', name).orderBy('v.version');
      if (page) q = q.where('v.version', '>', page.after).limit(page.limit);
      return (await q.execute()).map(toConfig);
    },

    /** These versions of a function (those that exist), oldest first: a page of published ones, say. */
    async listVersionsNumbered(accountId: string, name: string, versions: readonly number[]): Promise<FunctionConfig[]> {
      if (versions.length === 0) return [];
      const q = configs(db).where('f.account_id', '=', accountId).where('f.name', '=', name).where('v.version', 'in', versions);
      return (await q.orderBy('v.version').execute()).map(toConfig);
    },

    async readZip(accountId: string, sha256: string): Promise<Buffer | null> {
      const row = await db
        .selectFrom('function_code')
        .select('zip')
        .where('account_id', '=', accountId)
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      return row?.zip ?? null;
    },

    /** Code by hash for an executor: any account's copy (the bytes are the same), or one account's. */
    async readZipByHash(sha256: string, accountId: string | null): Promise<Buffer | null> {
      let q = db.selectFrom('function_code').select('zip').where('sha256', '=', sha256);
      if (accountId !== null) q = q.where('account_id', '=', accountId);
      const row = await q.limit(1).executeTakeFirst();
      return row?.zip ?? null;
    },

    /** Deletes the function, its versions, and the code no other function of the account uses. */
    async deleteFunction(tx: FunctionsTx, accountId: string, name: string): Promise<boolean> {
      const fn = await tx
        .deleteFrom('functions')
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .returning('id')
        .executeTakeFirst();
      if (!fn) return false;
      // Versions went with the function (on delete cascade); now the code they alone used.
      await sql`
        delete from function_code c
         where c.account_id = ${accountId}
           and not exists (select 1 from function_versions v where v.account_id = c.account_id and v.code_sha256 = c.sha256)`.execute(tx);
      return true;
    },
  };
}

export type FunctionsRepository = ReturnType<typeof createFunctionsRepository>;
