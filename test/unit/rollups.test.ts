import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetOutOfRange, rollupsOf, toMicroseconds, utcHourOf } from '../../src/modules/usage/rollups.js';
import type { MeteredEvent } from '../../src/modules/usage/usage.repository.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** An instant written as RFC 3339 allows (and the usage schema accepts): any separator, case and offset form. */
const written = fc
  .record({
    ms: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }),
    offsetMin: fc.constantFrom(0, 60, -300, 330, 345, -570, 840, -720),
    separator: fc.constantFrom('T', 't', ' '),
    zone: fc.constantFrom('Z', 'z', '+HH:MM', '+HHMM'),
    fraction: fc.constantFrom('', '.5', '.123', '.123456', '.9999999', '.123456789'),
  })
  .map(({ ms, offsetMin, separator, zone, fraction }) => {
    const utc = zone === 'Z' || zone === 'z';
    const local = new Date(ms + (utc ? 0 : offsetMin) * 60_000);
    const sign = offsetMin < 0 ? '-' : '+';
    const abs = Math.abs(offsetMin);
    const suffix = utc ? zone : `${sign}${pad(Math.floor(abs / 60))}${zone === '+HH:MM' ? ':' : ''}${pad(abs % 60)}`;
    const text =
      `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}${separator}` +
      `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}${suffix}`;
    return { ms: Math.floor(ms / 1000) * 1000, text };
  });

function event(over: Partial<MeteredEvent>): MeteredEvent {
  return {
    accountId: '00000000-0000-4000-8000-000000000001',
    invocationId: '00000000-0000-4000-8000-0000000000aa',
    idMonth: 0,
    functionId: 'fn',
    architecture: 'x86_64',
    memoryMb: 128,
    durationMs: '1',
    initDurationMs: null,
    billedMs: '1',
    startedAt: '2026-11-03T14:05:00Z',
    status: 'success',
    maxMemoryUsedMb: null,
    ephemeralStorageMb: 512,
    ...over,
  };
}

describe('usage rollups summed in the api', () => {
  it('places an instant in its UTC hour whatever its written form', () => {
    fc.assert(
      fc.property(written, ({ ms, text }) => {
        expect(utcHourOf(text)).toBe(new Date(ms).toISOString().slice(0, 13));
      }),
      { numRuns: 2000 },
    );
  });

  it('sums each key exactly as the rollups define it (BigInt reference), in key order, months from hours', () => {
    const arbitraryEvent = fc.record({
      account: fc.constantFrom('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'),
      at: written,
      functionId: fc.constantFrom('fn', 'fn-1', 'Fn', 'NULL', 'ünï'),
      architecture: fc.constantFrom('x86_64', 'arm64'),
      memoryMb: fc.integer({ min: 128, max: 10_240 }),
      duration: fc.oneof(fc.double({ min: 0, max: 1e12, noNaN: true }), fc.integer({ min: 0, max: 900_000 })),
      init: fc.option(fc.double({ min: 0, max: 20_000, noNaN: true }), { nil: undefined }),
      status: fc.constantFrom('success', 'error', 'timeout'),
      ephemeralStorageMb: fc.integer({ min: 512, max: 10_240 }),
    });
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { minLength: 1, maxLength: 60 }), (raw) => {
        const events = raw.map((r) => {
          // billed = ceil(min(duration, 900000) + min(init, 10000)), as ingest computes it (exactly, in decimals).
          const handler = Math.min(r.duration, 900_000);
          const init = r.init === undefined ? 0 : Math.min(r.init, 10_000);
          const billed = Math.ceil(handler + init);
          return event({
            accountId: r.account,
            startedAt: r.at.text,
            functionId: r.functionId,
            architecture: r.architecture,
            memoryMb: r.memoryMb,
            durationMs: String(r.duration),
            initDurationMs: r.init === undefined ? null : String(r.init),
            billedMs: String(billed),
            status: r.status,
            ephemeralStorageMb: r.ephemeralStorageMb,
          });
        });
        const want = new Map<string, bigint[]>();
        for (const e of events) {
          const hour = `${new Date(raw[events.indexOf(e)]!.at.ms).toISOString().slice(0, 13)}:00:00Z`;
          const key = [e.accountId, hour, e.functionId, e.architecture].join('|');
          const billed = BigInt(e.billedMs);
          const handler = BigInt(Math.ceil(Math.min(Number(e.durationMs), 900_000)));
          const extra = BigInt(e.ephemeralStorageMb - 512);
          const add = [
            1n,
            billed,
            billed * BigInt(e.memoryMb),
            billed * extra,
            (billed - handler) * BigInt(e.memoryMb),
            (billed - handler) * extra,
            e.status === 'error' ? 1n : 0n,
            e.status === 'timeout' ? 1n : 0n,
          ];
          want.set(
            key,
            (want.get(key) ?? add.map(() => 0n)).map((v, i) => v + add[i]!),
          );
        }
        const { hourly, monthly } = rollupsOf(events);
        const got = new Map(
          hourly.map((h) => [
            [h.accountId, h.hour, h.functionId, h.architecture].join('|'),
            [h.requests, h.billedMs, h.mbMs, h.ephemeralMbMs, h.initMbMs, h.initEphemeralMbMs, h.errors, h.timeouts].map(BigInt),
          ]),
        );
        expect(got).toEqual(want);
        // One order for every writer: by key.
        const keys = hourly.map((h) => `${h.hour}\0${h.accountId}\0${h.functionId}\0${h.architecture}`);
        expect(keys).toEqual([...keys].sort());
        // The months are the hours summed.
        const months = new Map<string, number[]>();
        for (const h of hourly) {
          const k = `${h.accountId}|${h.hour.slice(0, 7)}-01|${h.architecture}`;
          const add = [h.requests, h.mbMs, h.ephemeralMbMs, h.initMbMs, h.initEphemeralMbMs];
          months.set(
            k,
            (months.get(k) ?? [0, 0, 0, 0, 0]).map((v, i) => v + add[i]!),
          );
        }
        expect(
          new Map(
            monthly.map((m) => [
              `${m.accountId}|${m.period}|${m.architecture}`,
              [m.requests, m.mbMs, m.ephemeralMbMs, m.initMbMs, m.initEphemeralMbMs],
            ]),
          ),
        ).toEqual(months);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses text that is not an RFC 3339 instant rather than guess its hour', () => {
    expect(() => utcHourOf('2026-11-03')).toThrow(/RFC 3339/);
  });

  it('cuts a fraction past microseconds (which Postgres would round, into the next hour or month) and keeps the rest', () => {
    const cases: [string, string][] = [
      ['2026-10-31T23:59:59.9999999Z', '2026-10-31T23:59:59.999999Z'],
      ['2026-11-15T06:59:59.999999999+01:00', '2026-11-15T06:59:59.999999+01:00'],
      ['2026-11-15T06:59:59.1234565z', '2026-11-15T06:59:59.123456z'],
      ['2026-11-15T06:59:59.123456Z', '2026-11-15T06:59:59.123456Z'],
      ['2026-11-15T06:59:59.5-0330', '2026-11-15T06:59:59.5-0330'],
      ['2026-11-15T06:59:59Z', '2026-11-15T06:59:59Z'],
    ];
    for (const [text, cut] of cases) expect(toMicroseconds(text), text).toBe(cut);
    expect(utcHourOf(toMicroseconds('2026-10-31T23:59:59.9999999Z'))).toBe('2026-10-31T23');
  });

  it('tells an offset of 16 hours or more (which Postgres refuses) from the offsets of real time zones', () => {
    for (const text of ['2026-11-15T20:30:00+16:00', '2026-11-15T20:30:00-23:59', '2026-11-15T20:30:00+1600']) {
      expect(offsetOutOfRange(text), text).toBe(true);
    }
    for (const text of ['2026-11-15T20:30:00Z', '2026-11-15T20:30:00+14:00', '2026-11-15T20:30:00-15:59', '2026-11-15T20:30:00.5+0545']) {
      expect(offsetOutOfRange(text), text).toBe(false);
    }
  });
});
