import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../lib/logger.js';
import type { Db } from './database.js';

/** The role migration 0010 grants the api's privileges to; login roles are made members of it. */
export const APP_ROLE = 'tally_app';
/** The login role the api uses when TALLY_APP_DATABASE_URL does not name one. */
export const DERIVED_APP_USER = 'tally_api';

/**
 * The api's own connection when none is configured: the owner's URL with the user `tally_api` and a
 * password derived from the owner's (HMAC-SHA256), so every replica computes the same one without a
 * second secret to distribute, and the owner's password cannot be worked back from it. An owner URL
 * without a password (trust, peer or certificate authentication) gives one without a password.
 */
export function deriveAppUrl(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  const ownerPassword = decodeURIComponent(url.password);
  url.username = DERIVED_APP_USER;
  url.password = ownerPassword ? createHmac('sha256', ownerPassword).update('tally_api login').digest('base64url') : '';
  return url.toString();
}

const errorCode = (err: unknown) => (err as { code?: string }).code;

/**
 * Makes the login role of `appUrl` exist, as a member of tally_app, with the owner's connection.
 * `managePassword`: the password in the URL is Tally's own (derived), so it is set when it differs;
 * otherwise an existing role is left as its operator made it. Safe when replicas start together.
 */
export async function provisionAppLogin(owner: Db, appUrl: string, opts: { managePassword: boolean; log: Logger }): Promise<void> {
  const url = new URL(appUrl);
  const user = decodeURIComponent(url.username);
  const password = url.password ? decodeURIComponent(url.password) : null;
  if (!user) throw new Error('TALLY_APP_DATABASE_URL names no user');
  const { rows } = await sql<{ super: boolean; member: boolean; owns: boolean }>`
    select rolsuper as super, pg_has_role(rolname, ${APP_ROLE}, 'member') as member,
           exists (select 1 from pg_class c where c.relowner = r.oid and c.relnamespace = 'public'::regnamespace) as owns
    from pg_roles r where rolname = ${user}`.execute(owner);
  const exists = rows.length > 0;
  const statements: string[] = [];
  // format() quotes the name and the password as Postgres itself would.
  const quoted = async (template: string) =>
    (await sql<{ s: string }>`select format(${template}, ${user}::text, ${password}::text) as s`.execute(owner)).rows[0]!.s;
  if (!exists) statements.push(await quoted(password === null ? 'create role %I login' : 'create role %I login password %L'));
  else if (opts.managePassword && password !== null && !(await canLogIn(appUrl)))
    statements.push(await quoted('alter role %I password %L'));
  if (!exists || !rows[0]!.member) statements.push(await quoted(`grant ${APP_ROLE} to %I`));
  for (const statement of statements) {
    try {
      await sql.raw(statement).execute(owner);
    } catch (err) {
      // Another replica did the same an instant ago.
      if (!['42710', '23505', 'XX000'].includes(errorCode(err) ?? '')) {
        throw new Error(
          `could not prepare the api's database role ${user}: ${(err as Error).message} (the DATABASE_URL role needs CREATEROLE, or create ${user} yourself as a member of ${APP_ROLE})`,
        );
      }
    }
  }
  if (rows[0]?.super || rows[0]?.owns) {
    opts.log.warn(
      { user },
      'the api connects as a superuser or as the owner of the tables: the database cannot hold it to least privilege',
    );
  }
}

async function canLogIn(appUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: appUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
