import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

export type AuthType = 'NONE' | 'TALLY_KEY';

export interface Cors {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
  allowCredentials?: boolean;
}

export interface FunctionUrl {
  accountId: string;
  functionId: string;
  functionName: string;
  /** The alias the URL belongs to; null: the function's own URL, which runs its latest version. */
  qualifier: string | null;
  urlId: string;
  authType: AuthType;
  cors: Cors | null;
  createdAt: Date;
  updatedAt: Date;
}

// biome-ignore lint/suspicious/noExplicitAny: rows of the hand-written SQL below, mapped by toUrl
type Row = Record<string, any>;
const toUrl = (r: Row): FunctionUrl => ({
  accountId: r.account_id,
  functionId: r.function_id,
  functionName: r.name,
  qualifier: r.qualifier,
  urlId: r.url_id,
  authType: r.auth_type,
  cors: r.cors,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The alias a URL was to belong to does not exist (or was deleted meanwhile): nothing was written. */
export class AliasMissing extends Error {}

const FK_VIOLATION = '23503';

export function createUrlsRepository(db: Db) {
  const select = sql`
    select u.*, f.name from function_urls u join functions f on f.account_id = u.account_id and f.id = u.function_id`;
  /** `is not distinct from`: null (the function's own URL) matches null. */
  const ofQualifier = (qualifier: string | null) => sql`u.qualifier is not distinct from ${qualifier}`;
  return {
    /**
     * Creates the URL of the function or of its alias (with `urlId`) or changes its settings (keeping its
     * id). Throws AliasMissing when the alias does not exist: the foreign key decides, so an alias deleted
     * between the service's check and this write leaves nothing behind.
     */
    async upsert(
      accountId: string,
      functionId: string,
      qualifier: string | null,
      urlId: string,
      settings: { authType: AuthType; cors: Cors | null },
      now: Date,
    ): Promise<void> {
      const cors = settings.cors ? JSON.stringify(settings.cors) : null;
      try {
        await sql`
          insert into function_urls (account_id, function_id, qualifier, url_id, auth_type, cors, created_at, updated_at)
          values (${accountId}, ${functionId}, ${qualifier}, ${urlId}, ${settings.authType}, ${cors}::jsonb, ${now}, ${now})
          on conflict (account_id, function_id, qualifier)
          do update set auth_type = excluded.auth_type, cors = excluded.cors, updated_at = excluded.updated_at`.execute(db);
      } catch (err) {
        if ((err as { code?: string }).code === FK_VIOLATION && qualifier !== null) throw new AliasMissing();
        throw err;
      }
    },

    async ofFunction(accountId: string, functionId: string, qualifier: string | null): Promise<FunctionUrl | null> {
      const { rows } = await sql<Row>`
        ${select} where u.account_id = ${accountId} and u.function_id = ${functionId} and ${ofQualifier(qualifier)}`.execute(db);
      return rows[0] ? toUrl(rows[0]) : null;
    },

    /** Every URL of the function: its own first, then its aliases' by name. */
    async listOfFunction(accountId: string, functionId: string): Promise<FunctionUrl[]> {
      const { rows } = await sql<Row>`
        ${select} where u.account_id = ${accountId} and u.function_id = ${functionId}
        order by u.qualifier nulls first`.execute(db);
      return rows.map(toUrl);
    },

    async byUrlId(urlId: string): Promise<FunctionUrl | null> {
      if (!/^[a-z0-9]{32}$/.test(urlId)) return null;
      const { rows } = await sql<Row>`${select} where u.url_id = ${urlId}`.execute(db);
      return rows[0] ? toUrl(rows[0]) : null;
    },

    /** The removed URL's id, or null when there was none. */
    async remove(accountId: string, functionId: string, qualifier: string | null): Promise<string | null> {
      const { rows } = await sql<{ url_id: string }>`
        delete from function_urls u
        where u.account_id = ${accountId} and u.function_id = ${functionId} and ${ofQualifier(qualifier)}
        returning u.url_id`.execute(db);
      return rows[0]?.url_id ?? null;
    },
  };
}

export type UrlsRepository = ReturnType<typeof createUrlsRepository>;
