import pg from 'pg';
import { AppError, errors } from '../../lib/errors.js';

/**
 * The replication slot of a `postgres` event source on the user's database (docs/sources.md,
 * "Postgres table changes"): made (or checked) when the mapping is created, dropped when it is
 * deleted if Tally made it, and measured for the lag. The user's role needs REPLICATION (or
 * superuser) and a publication of the tables; nothing else is created on their database.
 */

/** A slot created for a mapping unless the user names one: `tally_<mapping id without dashes>`. */
export const defaultSlotName = (mappingId: string) => `tally_${mappingId.replace(/-/g, '')}`;

/** Slot names are lower-case letters, digits and underscores (Postgres' own rule), at most 63 characters. */
export const SLOT_PATTERN = '^[a-z0-9_]{1,63}$';

const CONNECT_TIMEOUT_MS = 5_000;
/** Creating a logical slot waits for the transactions running on the user's database to end. */
const CREATE_TIMEOUT_MS = 15_000;

/** A plain SQL connection to the user's database (not a replication one), ended by the caller. */
export async function userDb(url: string, purpose: string): Promise<pg.Client> {
  const c = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: `tally-event-source ${purpose}`.slice(0, 63),
  });
  c.on('error', () => {}); // a broken connection surfaces through the query that meets it
  await c.connect();
  return c;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * At mapping creation: checks that the publication exists and makes the slot (`pgoutput`) when it
 * does not exist yet, answering whether Tally made it (and so drops it with the mapping). A slot
 * that exists already is the user's: TRIM_HORIZON resumes from its confirmed position, LATEST
 * skips what it holds (advanced to the current WAL position). A new slot starts at the current
 * position either way: logical decoding has no history before its slot.
 */
export async function prepareSlot(
  url: string,
  o: { publication: string; slot: string; startingPosition: 'TRIM_HORIZON' | 'LATEST' },
): Promise<{ created: boolean }> {
  let c: pg.Client;
  try {
    c = await userDb(url, 'setup');
  } catch (err) {
    throw errors.validation(`source.url: cannot connect to the database: ${message(err)}`, [{ field: 'source.url' }]);
  }
  try {
    const wal = await c.query<{ setting: string }>(`select current_setting('wal_level') as setting`);
    if (wal.rows[0]?.setting !== 'logical') {
      throw errors.validation(
        `source.url: the database runs with wal_level=${wal.rows[0]?.setting}; logical replication needs wal_level=logical`,
        [{ field: 'source.url' }],
      );
    }
    const pub = await c.query('select 1 from pg_publication where pubname = $1', [o.publication]);
    if (pub.rowCount === 0) {
      throw errors.validation(
        `source.publication: no publication named ${o.publication} in this database (CREATE PUBLICATION ${o.publication} FOR TABLE ...)`,
        [{ field: 'source.publication' }],
      );
    }
    const existing = await c.query<{ plugin: string; slot_type: string; database: string; active: boolean }>(
      `select plugin, slot_type, database, active from pg_replication_slots where slot_name = $1`,
      [o.slot],
    );
    const s = existing.rows[0];
    if (s) {
      const here = (await c.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
      if (s.slot_type !== 'logical' || s.plugin !== 'pgoutput' || s.database !== here) {
        throw errors.validation(`source.slot: slot ${o.slot} exists but is not a pgoutput logical slot of database ${here}`, [
          { field: 'source.slot' },
        ]);
      }
      if (o.startingPosition === 'LATEST') {
        if (s.active) throw errors.validation(`source.slot: slot ${o.slot} is in use by another client`, [{ field: 'source.slot' }]);
        await c.query('select pg_replication_slot_advance($1, pg_current_wal_lsn())', [o.slot]);
      }
      return { created: false };
    }
    await c.query(`set statement_timeout = ${CREATE_TIMEOUT_MS}`);
    await c.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [o.slot]);
    return { created: true };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw errors.validation(`source: preparing replication slot ${o.slot} failed: ${message(err)}`, [{ field: 'source' }]);
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * Drops the slot (a forgotten slot keeps the user's WAL forever). A poller still streaming from it
 * (its lease pass has not stopped it yet) has its walsender ended first; it then finds no slot and
 * does not make one again. Tried for about 3 s while the slot is in use (a poller reconnecting);
 * resolves with the error when it did not succeed, at once when the database cannot be reached.
 */
export async function dropSlot(url: string, slot: string): Promise<Error | null> {
  let c: pg.Client;
  try {
    c = await userDb(url, 'cleanup');
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  try {
    for (let attempt = 0; ; attempt++) {
      await c.query('select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1 and active', [slot]);
      // Dropped only if it is idle: a walsender just ended may hold it for a moment longer.
      await c.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active', [slot]);
      const left = await c.query('select 1 from pg_replication_slots where slot_name = $1', [slot]);
      if (left.rowCount === 0) return null;
      if (attempt === 10) return new Error(`slot ${slot} is still in use`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    await c.end().catch(() => {});
  }
}

/** The name rule of publications and slots, checked again in the service (the Lambda API does not pass the route schema). */
export const validName = (name: string) => new RegExp(SLOT_PATTERN).test(name);

/** WAL bytes the slot still holds back: from its confirmed position to the database's current one. */
export async function slotLagBytes(c: pg.Client, slot: string): Promise<bigint | null> {
  const r = await c.query<{ lag: string | null }>(
    `select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint::text as lag
       from pg_replication_slots where slot_name = $1`,
    [slot],
  );
  const lag = r.rows[0]?.lag;
  return lag === undefined || lag === null ? null : BigInt(lag) < 0n ? 0n : BigInt(lag);
}
