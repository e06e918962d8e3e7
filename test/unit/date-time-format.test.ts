import formats, { type FormatsPlugin } from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateTimeFormat, utcDateTime } from '../../src/lib/date-time-format.js';

const full = (formats as unknown as FormatsPlugin).get('date-time', 'full') as { validate: (s: string) => boolean };

const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((a) => a.join(''));
const near = (values: string[], n: number) => fc.oneof(fc.constantFrom(...values), digits(n));
// Texts near the UTC shape: every field drawn from its edges or at random, each separator sometimes wrong.
const candidate = fc
  .record({
    year: fc.oneof(fc.constantFrom('2000', '1900', '2024', '2026', '2100', '0000'), digits(4), fc.constantFrom('202', '20265', '2o26')),
    month: near(['00', '01', '02', '09', '12', '13'], 2),
    day: near(['00', '01', '28', '29', '30', '31', '32'], 2),
    hour: near(['00', '23', '24'], 2),
    minute: near(['00', '59', '60'], 2),
    second: near(['00', '59', '60', '61'], 2),
    fraction: fc.oneof(
      fc.constant(''),
      fc.constant('.'),
      digits(3).map((d) => `.${d}`),
      fc.constantFrom('.5x', ',5', '.٣'),
    ),
    t: fc.constantFrom('T', 't', ' ', 'X', '\t'),
    zone: fc.constantFrom('Z', 'z', '', '+00:00', '-05:30', '+0100', '+25:00', 'ZZ', ' Z'),
    dash: fc.constantFrom('-', '-', '-', '/'),
    colon: fc.constantFrom(':', ':', ':', '.'),
  })
  .map((p) => `${p.year}${p.dash}${p.month}-${p.day}${p.t}${p.hour}${p.colon}${p.minute}:${p.second}${p.fraction}${p.zone}`);

describe('the date-time format', () => {
  it('gives the same verdict as ajv-formats on texts near the UTC shape, and its fast path accepts nothing ajv-formats refuses', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          candidate,
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        (s) => {
          expect(dateTimeFormat.validate(s)).toBe(full.validate(s));
          if (utcDateTime(s) === true) expect(full.validate(s)).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('takes the fast path for what executors send, and hands other shapes on', () => {
    expect(utcDateTime('2026-12-04T22:14:19.123Z')).toBe(true);
    expect(utcDateTime('2024-02-29T00:00:00Z')).toBe(true);
    expect(utcDateTime('2016-12-31T23:59:60Z')).toBe(true);
    expect(utcDateTime('2026-12-04T22:14:19+01:00')).toBeUndefined();
    expect(dateTimeFormat.validate('2026-12-04T22:14:19+01:00')).toBe(true);
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-12-04T24:00:00Z',
      '2026-12-04T12:00:60Z',
      '2026-12-04T22:14:19.Z',
      '2026-12-04T22:14:19',
    ])
      expect(dateTimeFormat.validate(bad)).toBe(false);
  });
});
