import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { pgTimestampMicros, plainArray, textArray, timestamptzArray, uuidArray } from '../../src/db/pg-array.js';
import { useTestApp } from '../helpers/app.js';

const t = useTestApp();

describe('array literals sent as one text parameter', () => {
  it('reach Postgres as the same values, NULLs and awkward text included', async () => {
    const texts = ['plain', 'NULL', 'null', '', 'with space', 'a,b', '{braces}', 'quote"inside', 'back\\slash', 'ünï', null];
    const { rows } = await sql<{ texts: (string | null)[]; ints: (number | null)[]; nums: string[]; at: Date[] }>`
      select ${textArray(texts)}::text[] as texts, ${plainArray([1, -2, null, 2147483647])}::int[] as ints,
             ${plainArray(['0.5', '1e-7', '123456789.123456'])}::numeric[]::text[] as nums,
             ${textArray(['2026-11-03T14:05:00.123Z', '2026-11-03 15:05:00+01:00', '2026-11-03t14:05:00z'])}::timestamptz[] as at`.execute(
      t.db.db,
    );
    expect(rows[0]!.texts).toEqual(texts);
    expect(rows[0]!.ints).toEqual([1, -2, null, 2147483647]);
    expect(rows[0]!.nums).toEqual(['0.5', '0.0000001', '123456789.123456']);
    expect(rows[0]!.at.map((d) => d.toISOString())).toEqual([
      '2026-11-03T14:05:00.123Z',
      '2026-11-03T14:05:00.000Z',
      '2026-11-03T14:05:00.000Z',
    ]);
    const empty = await sql<{ n: number }>`select cardinality(${plainArray([])}::int[]) as n`.execute(t.db.db);
    expect(empty.rows[0]!.n).toBe(0);
  });
});

/** A random instant in the plain UTC shape, from year 1900 to 2200, with 0 to 6 fraction digits. */
function randomInstant(random: () => number): string {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const year = 1900 + Math.floor(random() * 301);
  const month = 1 + Math.floor(random() * 12);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  const day = 1 + Math.floor(random() * days);
  const fractionDigits = Math.floor(random() * 7);
  const fraction = fractionDigits === 0 ? '' : `.${pad(Math.floor(random() * 10 ** fractionDigits), fractionDigits)}`;
  const time = `${pad(Math.floor(random() * 24), 2)}:${pad(Math.floor(random() * 60), 2)}:${pad(Math.floor(random() * 60), 2)}`;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}${fraction}Z`;
}

/** A small seeded generator (mulberry32): the same texts every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('binary arrays (uuid[], timestamptz[])', () => {
  it('reach Postgres as the very values the text arrays give', async () => {
    const random = seeded(15);
    const edges = [
      '2000-01-01T00:00:00Z',
      '1999-12-31T23:59:59.999999Z',
      '1970-01-01T00:00:00.000001Z',
      '1900-01-01T00:00:00Z',
      '2200-12-31T23:59:59.999999Z',
      '2024-02-29T12:00:00.5Z',
      '2000-02-29T00:00:00.10Z',
      '2026-12-06T08:41:51.123Z',
    ];
    const instants = [...edges, ...Array.from({ length: 5_000 }, () => randomInstant(random))];
    const binary = timestamptzArray(instants);
    expect(binary).not.toBeNull();
    const hex = () => Math.floor(random() * 16).toString(16);
    const uuids = Array.from({ length: 2_000 }, () => {
      const text = Array.from({ length: 32 }, hex).join('');
      const id = `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
      return random() < 0.5 ? id.toUpperCase() : id;
    });
    const { rows } = await sql<{ times: boolean; ids: boolean; differing: string[] }>`
      select ${binary}::timestamptz[] = ${textArray(instants)}::timestamptz[] as times,
             ${uuidArray(uuids)}::uuid[] = ${plainArray(uuids)}::uuid[] as ids,
             array(select b::text from unnest(${binary}::timestamptz[], ${textArray(instants)}::timestamptz[]) as x(b, t)
                   where b is distinct from t limit 5) as differing`.execute(t.db.db);
    expect(rows[0]).toEqual({ times: true, ids: true, differing: [] });
  });

  it('leave to Postgres every instant not in the plain UTC shape, and refuse a text that is not a hyphenated uuid', () => {
    for (const text of [
      '2026-11-03T15:05:00+01:00', // an offset
      '2026-11-03t14:05:00z', // lower case
      '2026-11-03 14:05:00Z', // a space
      '2026-11-03T14:05:00.1234567Z', // past microseconds: Postgres rounds
      '2016-12-31T23:59:60Z', // a leap second
      '2026-02-29T00:00:00Z', // not a day
      '2026-11-03T24:00:00Z',
      '1899-12-31T23:59:59Z', // further from 2000 than the years a double's microseconds hold exactly
      '2201-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999999Z',
      '2026-11-03T14:05:00.Z',
    ]) {
      expect(pgTimestampMicros(text), text).toBeNull();
    }
    expect(timestamptzArray(['2026-11-03T14:05:00Z', '2026-11-03T15:05:00+01:00'])).toBeNull();
    expect(pgTimestampMicros('2000-01-01T00:00:00.000001Z')).toBe(1);
    for (const bad of [
      '0193a1b2c3d47e5f8a9b000000000001',
      '0193a1b2-c3d4-7e5f-8a9b-00000000000g',
      '{0193a1b2-c3d4-7e5f-8a9b-0000000001}',
    ]) {
      expect(() => uuidArray([bad]), bad).toThrow(/not a hyphenated uuid/);
    }
  });
});
