import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** A published version: Tally's version number, as Lambda names it. */
export interface PublishedVersion {
  version: number;
  description: string;
  publishedAt: Date;
}

/** A second published version an alias sends `weight` (0 to 1) of its invocations to (Lambda's RoutingConfig). */
export interface AliasRouting {
  version: number;
  weight: number;
}

/** A name for a published version, or for the latest one (`version` null: $LATEST). */
export interface FunctionAlias {
  functionId: string;
  name: string;
  version: number | null;
  /** A weighted alias: the other version and its share; null for one version. */
  routing: AliasRouting | null;
  description: string;
  revisionId: string;
  createdAt: Date;
  updatedAt: Date;
}

// biome-ignore lint/suspicious/noExplicitAny: rows of the hand-written SQL below, mapped by toAlias
type Row = Record<string, any>;
const toAlias = (r: Row): FunctionAlias => ({
  functionId: r.function_id,
  name: r.name,
  version: r.version,
  routing: r.additional_version === null ? null : { version: r.additional_version, weight: r.additional_weight },
  description: r.description,
  revisionId: r.revision_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toPublished = (r: Row): PublishedVersion => ({ version: r.version, description: r.description, publishedAt: r.published_at });

const FK_VIOLATION = '23503';
const UNIQUE_VIOLATION = '23505';
const pgCode = (err: unknown) => (err as { code?: string }).code;

export function createVersionsRepository(db: Db) {
  return {
    /** Marks a version published (once: a second call keeps the first description); answers the row. */
    async publish(accountId: string, functionId: string, version: number, description: string, now: Date): Promise<PublishedVersion> {
      await sql`
        insert into function_published_versions (account_id, function_id, version, description, published_at)
        values (${accountId}, ${functionId}, ${version}, ${description}, ${now})
        on conflict do nothing`.execute(db);
      return (await this.published(accountId, functionId, version))!;
    },

    async published(accountId: string, functionId: string, version: number): Promise<PublishedVersion | null> {
      const { rows } = await sql<Row>`
        select * from function_published_versions
        where account_id = ${accountId} and function_id = ${functionId} and version = ${version}`.execute(db);
      return rows[0] ? toPublished(rows[0]) : null;
    },

    /** Published versions oldest first: all of them, or a page of `limit` after version `after`. */
    async listPublished(accountId: string, functionId: string, page?: { after: number; limit: number }): Promise<PublishedVersion[]> {
      const { rows } = await sql<Row>`
        select * from function_published_versions
        where account_id = ${accountId} and function_id = ${functionId} and version > ${page?.after ?? 0}
        order by version limit ${page?.limit ?? null}`.execute(db);
      return rows.map(toPublished);
    },

    /** false when the alias exists already; throws VersionNotPublished when the version is not published. */
    async insertAlias(accountId: string, a: Omit<FunctionAlias, 'updatedAt'>): Promise<boolean> {
      try {
        await sql`
          insert into function_aliases (account_id, function_id, name, version, additional_version, additional_weight,
            description, revision_id, created_at, updated_at)
          values (${accountId}, ${a.functionId}, ${a.name}, ${a.version}, ${a.routing?.version ?? null}, ${a.routing?.weight ?? null},
            ${a.description}, ${a.revisionId}, ${a.createdAt}, ${a.createdAt})`.execute(db);
        return true;
      } catch (err) {
        if (pgCode(err) === UNIQUE_VIOLATION) return false;
        if (pgCode(err) === FK_VIOLATION) throw new VersionNotPublished();
        throw err;
      }
    },

    /** false when there is no such alias; throws VersionNotPublished as insertAlias. */
    async updateAlias(
      accountId: string,
      functionId: string,
      name: string,
      change: { version: number | null; routing: AliasRouting | null; description: string; revisionId: string; updatedAt: Date },
      expectedRevision: string | null,
    ): Promise<boolean | 'revision_mismatch'> {
      try {
        const { rows } = await sql<Row>`
          update function_aliases set version = ${change.version},
            additional_version = ${change.routing?.version ?? null}, additional_weight = ${change.routing?.weight ?? null},
            description = ${change.description},
            revision_id = ${change.revisionId}, updated_at = ${change.updatedAt}
          where account_id = ${accountId} and function_id = ${functionId} and name = ${name}
            and (${expectedRevision}::uuid is null or revision_id = ${expectedRevision}::uuid)
          returning name`.execute(db);
        if (rows.length > 0) return true;
        return (await this.alias(accountId, functionId, name)) ? 'revision_mismatch' : false;
      } catch (err) {
        if (pgCode(err) === FK_VIOLATION) throw new VersionNotPublished();
        throw err;
      }
    },

    async alias(accountId: string, functionId: string, name: string): Promise<FunctionAlias | null> {
      const { rows } = await sql<Row>`
        select * from function_aliases where account_id = ${accountId} and function_id = ${functionId} and name = ${name}`.execute(db);
      return rows[0] ? toAlias(rows[0]) : null;
    },

    /** Aliases by name, after `after`; `version` narrows to those naming it. */
    async listAliases(accountId: string, functionId: string, limit: number, after: string | null, version?: number | null) {
      const { rows } = await sql<Row>`
        select * from function_aliases
        where account_id = ${accountId} and function_id = ${functionId}
          and (${after}::text is null or name > ${after})
          and (${version === undefined} or version is not distinct from ${version ?? null}::int)
        order by name limit ${limit}`.execute(db);
      return rows.map(toAlias);
    },

    async removeAlias(accountId: string, functionId: string, name: string): Promise<boolean> {
      const r = await sql`
        delete from function_aliases where account_id = ${accountId} and function_id = ${functionId} and name = ${name}`.execute(db);
      return Number(r.numAffectedRows ?? 0) > 0;
    },
  };
}

export class VersionNotPublished extends Error {}

export type VersionsRepository = ReturnType<typeof createVersionsRepository>;
