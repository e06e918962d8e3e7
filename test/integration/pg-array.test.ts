import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { plainArray, textArray } from '../../src/db/pg-array.js';
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
