/**
 * Postgres array literals ('{a,b,NULL}') for a column of a batch, sent as one text parameter and cast
 * in SQL (`$1::uuid[]`). node-postgres would quote and escape every element through a regular
 * expression; for thousands of values per batch whose text needs no escaping (numbers, validated
 * uuids and timestamps) that was a visible share of the ingest CPU, so those are joined as they are.
 */

/** Numbers, validated uuids, or null: text that never needs quoting. */
export function plainArray(values: readonly (string | number | null)[]): string {
  let out = '';
  for (const v of values) out += v === null ? ',NULL' : `,${v}`;
  return `{${out.slice(1)}}`;
}

/** Any text (each element quoted, so 'NULL' stays the string), or null. */
export function textArray(values: readonly (string | null)[]): string {
  let out = '';
  for (const v of values) {
    if (v === null) out += ',NULL';
    else if (v.includes('"') || v.includes('\\')) out += `,"${v.replace(/[\\"]/g, '\\$&')}"`;
    else out += `,"${v}"`;
  }
  return `{${out.slice(1)}}`;
}

/*
 * Binary arrays, for the element types whose text input costs Postgres the most per element. Postgres
 * parses a text array element by element through the type's input function: `uuid_in` and
 * `timestamptz_in` (a date parser) took about 0.3 µs more per element than the same values in the
 * binary format, which `array_recv` copies (docs/performance.md, "Binary arrays"). node-postgres
 * sends a Buffer parameter in the binary format; the SQL's cast (`$1::uuid[]`) gives its type, which
 * must be the element type written in the header.
 *
 * The format (array_send): ndim, has-nulls flag, element type oid, then per dimension its length and
 * lower bound, then each element as its byte length and its bytes; all integers big-endian.
 */

const UUID_OID = 2950;
const TIMESTAMPTZ_OID = 1184;
/** Milliseconds from 1970-01-01 to 2000-01-01, Postgres's epoch. */
const PG_EPOCH_MS = 946_684_800_000;

function arrayHeader(elementOid: number, count: number, elementBytes: number): Buffer {
  const out = Buffer.allocUnsafe(20 + count * (4 + elementBytes));
  out.writeInt32BE(1, 0);
  out.writeInt32BE(0, 4);
  out.writeInt32BE(elementOid, 8);
  out.writeInt32BE(count, 12);
  out.writeInt32BE(1, 16);
  return out;
}

/** A hex digit's value by character code, 255 for any other character. */
const HEX = new Uint8Array(65536).fill(255);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}
/** Where each of a hyphenated uuid's 16 bytes starts, as two hex digits. */
const UUID_PAIRS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** An element's length, 4 bytes big-endian (below 256 here): byte writes, cheaper than writeInt32BE per element. */
function writeLength(out: Buffer, at: number, length: number): void {
  out[at] = 0;
  out[at + 1] = 0;
  out[at + 2] = 0;
  out[at + 3] = length;
}

/**
 * A uuid[] in the binary format. Each value must be the 36-character hyphenated form (what the usage
 * contract's pattern admits, in either case); anything else throws, since it would be a bug upstream.
 */
export function uuidArray(values: readonly string[]): Buffer {
  const out = arrayHeader(UUID_OID, values.length, 16);
  let at = 20;
  for (const v of values) {
    if (v.length !== 36 || v.charCodeAt(8) !== 45 || v.charCodeAt(13) !== 45 || v.charCodeAt(18) !== 45 || v.charCodeAt(23) !== 45) {
      throw new Error(`not a hyphenated uuid: ${v}`);
    }
    writeLength(out, at, 16);
    at += 4;
    for (let k = 0; k < 16; k++) {
      const i = UUID_PAIRS[k]!;
      const high = HEX[v.charCodeAt(i)]!;
      const low = HEX[v.charCodeAt(i + 1)]!;
      if (high === 255 || low === 255) throw new Error(`not a hyphenated uuid: ${v}`);
      out[at++] = (high << 4) | low;
    }
  }
  return out;
}

/** The decimal number of `width` digits at `at`, or -1 if any is not a digit. */
function digits(text: string, at: number, width: number): number {
  let value = 0;
  for (let i = at; i < at + width; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The last day read (as yyyymmdd) and its milliseconds since Postgres's epoch: a batch's instants mostly share their day. */
let lastDay = -1;
let lastDayMs = -1;

/** Milliseconds since Postgres's epoch of the day a `YYYY-MM-DD` text starts with, from 1900 to 2200; -1 for any other. */
function dayMs(text: string): number {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return -1;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return -1;
  const key = year * 10_000 + month * 100 + day;
  if (key === lastDay) return lastDayMs;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const valid =
    year >= 1900 && year <= 2200 && month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
  lastDay = key;
  lastDayMs = valid ? Date.UTC(year, month - 1, day) - PG_EPOCH_MS : -1;
  return lastDayMs;
}

/** 10 to the power of the fraction digits a text lacks from six, by the text's length (22-27). */
const FRACTION_SCALE = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100_000, 10_000, 1_000, 100, 10, 1];

/**
 * Microseconds since Postgres's epoch of a UTC instant in the plain shape executors send
 * (`YYYY-MM-DDTHH:MM:SS[.f]Z`, one to six fraction digits, seconds below 60, a year from 1900 to 2200,
 * whose microseconds from 2000 a double holds exactly: it does up to about 285 years either way), or
 * null for any other text, whose reading (offsets, rounding past microseconds, leap seconds, what is
 * not a date at all) is left to Postgres's own input function.
 */
export function pgTimestampMicros(text: string): number | null {
  const n = text.length; // 20 without a fraction, 21 + its digits with one
  if (n < 20 || n === 21 || n > 27 || text.charCodeAt(n - 1) !== 90 /* Z */) return null;
  if (text.charCodeAt(10) !== 84 /* T */ || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null;
  let fraction = 0;
  if (n > 20) {
    if (text.charCodeAt(19) !== 46 /* . */) return null;
    fraction = digits(text, 20, n - 21);
    if (fraction < 0) return null;
    fraction *= FRACTION_SCALE[n]!;
  }
  const day = dayMs(text);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (day === -1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  return (day + ((hour * 60 + minute) * 60 + second) * 1000) * 1000 + fraction;
}

/**
 * A timestamptz[] in the binary format, when every value is in the plain UTC shape (pgTimestampMicros);
 * else null, and the caller sends the text array, which Postgres reads as before.
 */
export function timestamptzArray(values: readonly string[]): Buffer | null {
  const out = arrayHeader(TIMESTAMPTZ_OID, values.length, 8);
  let at = 20;
  for (const v of values) {
    const us = pgTimestampMicros(v);
    if (us === null) return null;
    writeLength(out, at, 8);
    // An int64 as two 32-bit halves (exact, since |us| < 2^53), byte by byte: a BigInt per element costs more.
    const high = Math.floor(us / 2 ** 32);
    const low = us - high * 2 ** 32;
    out[at + 4] = (high >> 24) & 255;
    out[at + 5] = (high >> 16) & 255;
    out[at + 6] = (high >> 8) & 255;
    out[at + 7] = high & 255;
    out[at + 8] = (low / 2 ** 24) & 255;
    out[at + 9] = (low >>> 16) & 255;
    out[at + 10] = (low >>> 8) & 255;
    out[at + 11] = low & 255;
    at += 12;
  }
  return out;
}
