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
  urlId: r.url_id,
  authType: r.auth_type,
  cors: r.cors,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function createUrlsRepository(db: Db) {
  const select = sql`
    select u.*, f.name from function_urls u join functions f on f.account_id = u.account_id and f.id = u.function_id`;
  return {
    /** Creates the function's URL (with `urlId`) or changes its settings (keeping its id). */
    async upsert(accountId: string, functionId: string, urlId: string, authType: AuthType, cors: Cors | null, now: Date): Promise<void> {
      await sql`
        insert into function_urls (account_id, function_id, url_id, auth_type, cors, created_at, updated_at)
        values (${accountId}, ${functionId}, ${urlId}, ${authType}, ${cors ? JSON.stringify(cors) : null}::jsonb, ${now}, ${now})
        on conflict (account_id, function_id) do update set auth_type = excluded.auth_type, cors = excluded.cors, updated_at = excluded.updated_at`.execute(
        db,
      );
    },

    async ofFunction(accountId: string, functionId: string): Promise<FunctionUrl | null> {
      const { rows } = await sql<Row>`${select} where u.account_id = ${accountId} and u.function_id = ${functionId}`.execute(db);
      return rows[0] ? toUrl(rows[0]) : null;
    },

    async byUrlId(urlId: string): Promise<FunctionUrl | null> {
      if (!/^[a-z0-9]{32}$/.test(urlId)) return null;
      const { rows } = await sql<Row>`${select} where u.url_id = ${urlId}`.execute(db);
      return rows[0] ? toUrl(rows[0]) : null;
    },

    async remove(accountId: string, functionId: string): Promise<boolean> {
      const r = await sql`delete from function_urls where account_id = ${accountId} and function_id = ${functionId}`.execute(db);
      return Number(r.numAffectedRows ?? 0) > 0;
    },
  };
}

export type UrlsRepository = ReturnType<typeof createUrlsRepository>;
