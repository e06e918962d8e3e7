import { MAX_BILLED_DURATION_MS } from '../../contracts/usage.js';
import type { MeteredEvent } from './usage.repository.js';

/**
 * What one batch adds to the hourly and monthly rollups, summed here in the api rather than by
 * Postgres (docs/usage-path.md, "Where the rollups are summed"): Postgres then only upserts rows
 * that arrive pre-summed, which took a fifth to a third of its CPU per event off the ingest statement.
 *
 * The arithmetic is the rollups' definition, in integers:
 *   mb_ms              = billed_ms x memory_mb
 *   ephemeral_mb_ms    = billed_ms x (ephemeral_storage_mb - 512)
 *   init_mb_ms         = (billed_ms - ceil(min(duration_ms, 900000))) x memory_mb
 *   init_ephemeral_... = (billed_ms - ceil(min(duration_ms, 900000))) x (ephemeral_storage_mb - 512)
 * Plain JS numbers are exact for it: an event's product is at most 910,000 x 10,240 (under 2^34),
 * so a batch of up to 2^19 events sums below 2^53 (the contract allows 10,000).
 */

export interface HourlyDelta {
  accountId: string;
  /** The UTC hour the invocations started in, as an ISO instant ('2026-11-03T14:00:00Z'). */
  hour: string;
  functionId: string;
  architecture: string;
  requests: number;
  billedMs: number;
  mbMs: number;
  ephemeralMbMs: number;
  initMbMs: number;
  initEphemeralMbMs: number;
  errors: number;
  timeouts: number;
}

export interface MonthlyDelta {
  accountId: string;
  /** The first day of the UTC month ('2026-11-01'). */
  period: string;
  architecture: string;
  requests: number;
  mbMs: number;
  ephemeralMbMs: number;
  initMbMs: number;
  initEphemeralMbMs: number;
}

/** Above this many events a batch's sums could pass 2^53; the contract's limit is far below. */
const MAX_EXACT_EVENTS = 2 ** 19;

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:([Zz])|([+-])(\d\d):?(\d\d)?)$/;

/**
 * The UTC hour an RFC 3339 instant falls in, as 'YYYY-MM-DDTHH' (what Postgres's
 * date_trunc('hour', started_at, 'UTC') gives for the same text). A UTC instant already starts with
 * it; one with an offset is moved by the offset (Date.UTC carries the overflow into the day, month
 * and year as Postgres does).
 */
export function utcHourOf(iso: string): string {
  const last = iso.charCodeAt(iso.length - 1);
  if ((last === 90 /* Z */ || last === 122) && iso.charCodeAt(10) === 84 /* T */ && iso.charCodeAt(13) === 58 /* : */) {
    return iso.slice(0, 13);
  }
  const m = RFC3339.exec(iso);
  if (!m) throw new Error(`not an RFC 3339 instant: ${iso}`);
  const sign = m[8] === '-' ? -1 : 1;
  const offsetMin = m[7] ? 0 : sign * (Number(m[9]) * 60 + Number(m[10] ?? 0));
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]) - offsetMin, Number(m[6]));
  return new Date(ms).toISOString().slice(0, 13);
}

/**
 * The instant with its fraction cut to microseconds, the precision Postgres stores. RFC 3339 allows
 * any number of digits, and Postgres would round the extra ones, which can carry into the next hour
 * or month (23:59:59.9999999 is stored as the next day's 00:00:00). Ingest cuts them before the text
 * reaches the rollups (utcHourOf), the open-month check and the stored row, so all three read the
 * same instant: the microsecond it lies in. Text with six digits or fewer comes back as it is.
 */
export function toMicroseconds(iso: string): string {
  const dot = iso.indexOf('.', 19);
  if (dot < 0) return iso;
  let end = dot + 1;
  while (end < iso.length && iso.charCodeAt(end) >= 48 && iso.charCodeAt(end) <= 57) end++;
  return end - dot - 1 <= 6 ? iso : iso.slice(0, dot + 7) + iso.slice(end);
}

/**
 * Whether the instant's UTC offset is 16 hours or more: RFC 3339 text may say up to 23:59, but no
 * time zone is that far from UTC and Postgres refuses it ("time zone displacement out of range"),
 * which would fail the whole batch's statement.
 */
export function offsetOutOfRange(iso: string): boolean {
  const last = iso.charCodeAt(iso.length - 1);
  if (last === 90 /* Z */ || last === 122) return false;
  const m = RFC3339.exec(iso);
  return m?.[9] !== undefined && Number(m[9]) >= 16;
}

/**
 * Whether a date-time's date and time are separated as RFC 3339 and the rollups read it ('T', 't' or a
 * space). The schema's date-time format takes any whitespace there (a tab, a no-break space, U+3000),
 * which JavaScript reads too; utcHourOf does not, and the batch's statement failed whole (a 500 naming
 * no event, which a sender retries for ever). The format leaves exactly one character between the
 * ten of the date and the time.
 */
export function separatorReadable(iso: string): boolean {
  const c = iso.charCodeAt(10);
  return c === 84 /* T */ || c === 116 /* t */ || c === 32;
}

/** ceil(min(duration, 900000)): a duration's billed part before init. */
function handlerMs(durationMs: string): number {
  // durationMs is the shortest decimal form of a double (String(number)), so the double it came from
  // has the same ceiling: no integer lies between a double and its shortest form.
  return Math.ceil(Math.min(Number(durationMs), MAX_BILLED_DURATION_MS));
}

/**
 * The batch's rollup rows, each list sorted by its key, hour (or month) first, then account, function
 * and architecture: every writer upserts rollup rows in that one order, so two batches never wait
 * for each other in a cycle. (The hour leads because keys that share a long prefix are slow to
 * sort: with the account first, sorting a batch of a thousand hours cost half of this function.)
 */
export function rollupsOf(events: readonly MeteredEvent[]): { hourly: HourlyDelta[]; monthly: MonthlyDelta[] } {
  if (events.length > MAX_EXACT_EVENTS) throw new Error(`a batch of ${events.length} events is too large to sum exactly`);
  const hourly = new Map<string, HourlyDelta>();
  for (const e of events) {
    const hour = utcHourOf(e.startedAt);
    const billed = Number(e.billedMs);
    const init = billed - handlerMs(e.durationMs);
    const extra = e.ephemeralStorageMb - 512;
    const hourKey = `${hour}\0${e.accountId}\0${e.functionId}\0${e.architecture}`;
    let h = hourly.get(hourKey);
    if (h === undefined) {
      h = {
        accountId: e.accountId,
        hour: `${hour}:00:00Z`,
        functionId: e.functionId,
        architecture: e.architecture,
        requests: 0,
        billedMs: 0,
        mbMs: 0,
        ephemeralMbMs: 0,
        initMbMs: 0,
        initEphemeralMbMs: 0,
        errors: 0,
        timeouts: 0,
      };
      hourly.set(hourKey, h);
    }
    h.requests++;
    h.billedMs += billed;
    h.mbMs += billed * e.memoryMb;
    h.ephemeralMbMs += billed * extra;
    h.initMbMs += init * e.memoryMb;
    h.initEphemeralMbMs += init * extra;
    if (e.status === 'error') h.errors++;
    else if (e.status === 'timeout') h.timeouts++;
  }
  // The months from the hours: a batch has fewer hours than events.
  const monthly = new Map<string, MonthlyDelta>();
  for (const h of hourly.values()) {
    const month = h.hour.slice(0, 7);
    const monthKey = `${month}\0${h.accountId}\0${h.architecture}`;
    let m = monthly.get(monthKey);
    if (m === undefined) {
      m = {
        accountId: h.accountId,
        period: `${month}-01`,
        architecture: h.architecture,
        requests: 0,
        mbMs: 0,
        ephemeralMbMs: 0,
        initMbMs: 0,
        initEphemeralMbMs: 0,
      };
      monthly.set(monthKey, m);
    }
    m.requests += h.requests;
    m.mbMs += h.mbMs;
    m.ephemeralMbMs += h.ephemeralMbMs;
    m.initMbMs += h.initMbMs;
    m.initEphemeralMbMs += h.initEphemeralMbMs;
  }
  const sorted = <T>(map: Map<string, T>) => [...map.keys()].sort().map((k) => map.get(k)!);
  return { hourly: sorted(hourly), monthly: sorted(monthly) };
}
