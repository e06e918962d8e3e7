import { describe, expect, it } from 'vitest';
import { ExpressionError, nextTick, parseExpression } from '../../src/modules/schedules/schedule-expression.js';

/** The next `count` ticks after `from`, as ISO strings (UTC). */
function ticks(expression: string, from: string, count: number, tz = 'UTC', anchor = from): string[] {
  const expr = parseExpression(expression);
  const out: string[] = [];
  let after = new Date(new Date(from).getTime() - 1);
  for (let i = 0; i < count; i++) {
    const next = nextTick(expr, tz, new Date(anchor), after);
    if (!next) break;
    out.push(next.toISOString().replace('.000Z', 'Z'));
    after = next;
  }
  return out;
}

describe("AWS's documented cron examples (EventBridge), from Monday 2026-03-02 00:00 UTC", () => {
  const from = '2026-03-02T00:00:00Z';
  it('cron(0 10 * * ? *): 10:00 every day', () => {
    expect(ticks('cron(0 10 * * ? *)', from, 2)).toEqual(['2026-03-02T10:00:00Z', '2026-03-03T10:00:00Z']);
  });
  it('cron(15 12 * * ? *): 12:15 every day', () => {
    expect(ticks('cron(15 12 * * ? *)', from, 1)).toEqual(['2026-03-02T12:15:00Z']);
  });
  it('cron(0 18 ? * MON-FRI *): 18:00 Monday to Friday', () => {
    expect(ticks('cron(0 18 ? * MON-FRI *)', from, 6)).toEqual([
      '2026-03-02T18:00:00Z',
      '2026-03-03T18:00:00Z',
      '2026-03-04T18:00:00Z',
      '2026-03-05T18:00:00Z',
      '2026-03-06T18:00:00Z',
      '2026-03-09T18:00:00Z',
    ]);
  });
  it('cron(0 8 1 * ? *): 08:00 on the first of every month', () => {
    expect(ticks('cron(0 8 1 * ? *)', from, 2)).toEqual(['2026-04-01T08:00:00Z', '2026-05-01T08:00:00Z']);
  });
  it('cron(0/15 * * * ? *): every 15 minutes', () => {
    expect(ticks('cron(0/15 * * * ? *)', from, 3)).toEqual(['2026-03-02T00:00:00Z', '2026-03-02T00:15:00Z', '2026-03-02T00:30:00Z']);
  });
  it('cron(0/10 * ? * MON-FRI *): every 10 minutes on weekdays', () => {
    expect(ticks('cron(0/10 * ? * MON-FRI *)', '2026-03-06T23:45:00Z', 2)).toEqual(['2026-03-06T23:50:00Z', '2026-03-09T00:00:00Z']);
  });
  it('cron(0/5 8-17 ? * MON-FRI *): every 5 minutes from 08:00 to 17:55 on weekdays', () => {
    const t = ticks('cron(0/5 8-17 ? * MON-FRI *)', from, 120);
    expect(t[0]).toBe('2026-03-02T08:00:00Z');
    expect(t[119]).toBe('2026-03-02T17:55:00Z');
    expect(ticks('cron(0/5 8-17 ? * MON-FRI *)', '2026-03-02T17:56:00Z', 1)).toEqual(['2026-03-03T08:00:00Z']);
  });
  it('cron(0 9 ? * 2#1 *): 09:00 on the first Monday of each month', () => {
    expect(ticks('cron(0 9 ? * 2#1 *)', from, 3)).toEqual(['2026-03-02T09:00:00Z', '2026-04-06T09:00:00Z', '2026-05-04T09:00:00Z']);
  });
  it('cron(0 12 * * ? *) and the year field', () => {
    expect(ticks('cron(0 12 * * ? 2027)', from, 1)).toEqual(['2027-01-01T12:00:00Z']);
    expect(ticks('cron(0 12 * * ? 2020-2025)', from, 1)).toEqual([]);
    expect(ticks('cron(0 0 1 JAN ? 2026,2028/2)', from, 2)).toEqual(['2028-01-01T00:00:00Z', '2030-01-01T00:00:00Z']);
  });
});

describe('L, W and # at month ends', () => {
  it('L: the last day of each month, February of a leap year included', () => {
    expect(ticks('cron(0 0 L * ? *)', '2028-01-15T00:00:00Z', 4)).toEqual([
      '2028-01-31T00:00:00Z',
      '2028-02-29T00:00:00Z',
      '2028-03-31T00:00:00Z',
      '2028-04-30T00:00:00Z',
    ]);
    expect(ticks('cron(0 0 L 2 ? *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-02-28T00:00:00Z']);
  });
  it('6L: the last Friday of the month; L alone in day-of-week: Saturday', () => {
    expect(ticks('cron(0 0 ? * 6L *)', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-30T00:00:00Z',
      '2026-02-27T00:00:00Z',
      '2026-03-27T00:00:00Z',
    ]);
    expect(ticks('cron(0 0 ? * L *)', '2026-03-02T00:00:00Z', 1)).toEqual(['2026-03-07T00:00:00Z']);
  });
  it('W: the weekday nearest the day, never leaving the month', () => {
    // 2026-08-01 is a Saturday: 1W is Monday the 3rd (not Friday July 31).
    expect(ticks('cron(0 0 1W 8 ? *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-08-03T00:00:00Z']);
    // 2026-02-15 is a Sunday: 15W is Monday the 16th; 2026-03-14 is a Saturday: Friday the 13th.
    expect(ticks('cron(0 0 15W 2 ? *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-02-16T00:00:00Z']);
    expect(ticks('cron(0 0 14W 3 ? *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-03-13T00:00:00Z']);
    // 2026-05-31 is a Sunday: 31W is Friday the 29th; LW the last weekday: the same day.
    expect(ticks('cron(0 0 31W 5 ? *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-05-29T00:00:00Z']);
    expect(ticks('cron(0 0 LW 5 ? *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-05-29T00:00:00Z']);
  });
  it('#: the fifth Friday only in months that have one', () => {
    expect(ticks('cron(0 0 ? * FRI#5 *)', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-30T00:00:00Z',
      '2026-05-29T00:00:00Z',
      '2026-07-31T00:00:00Z',
    ]);
  });
  it('31 fires only in months that have a 31st; a range may wrap', () => {
    expect(ticks('cron(0 0 31 * ? *)', '2026-04-01T00:00:00Z', 2)).toEqual(['2026-05-31T00:00:00Z', '2026-07-31T00:00:00Z']);
    expect(ticks('cron(0 22-1 * * ? *)', '2026-03-02T00:00:00Z', 4)).toEqual([
      '2026-03-02T00:00:00Z',
      '2026-03-02T01:00:00Z',
      '2026-03-02T22:00:00Z',
      '2026-03-02T23:00:00Z',
    ]);
  });
});

describe('time zones and daylight saving time (AWS: skipped local times do not fire, repeated ones fire once)', () => {
  it('cron(30 2 * * ? *) in New York skips the spring-forward day', () => {
    // 2026-03-08: clocks go from 02:00 to 03:00 EST->EDT.
    expect(ticks('cron(30 2 * * ? *)', '2026-03-07T00:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-03-07T07:30:00Z', // 02:30 EST
      '2026-03-09T06:30:00Z', // 02:30 EDT: the 8th had no 02:30
      '2026-03-10T06:30:00Z',
    ]);
  });
  it('cron(30 1 * * ? *) in New York fires once on the fall-back day', () => {
    // 2026-11-01: 01:00-01:59 happens twice (EDT, then EST).
    expect(ticks('cron(30 1 * * ? *)', '2026-10-31T12:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-11-01T05:30:00Z', // 01:30 EDT, the first occurrence only
      '2026-11-02T06:30:00Z',
      '2026-11-03T06:30:00Z',
    ]);
  });
  it('an hourly cron keeps local hours; the repeated hour fires once', () => {
    expect(ticks('cron(0 * * * ? *)', '2026-11-01T04:00:00Z', 4, 'America/New_York')).toEqual([
      '2026-11-01T04:00:00Z', // 00:00 EDT
      '2026-11-01T05:00:00Z', // 01:00 EDT
      '2026-11-01T07:00:00Z', // 02:00 EST (01:00 EST was 01:00 again)
      '2026-11-01T08:00:00Z',
    ]);
  });
  it('cron(0 9 * * ? *) in Berlin is 08:00 UTC in winter and 07:00 UTC in summer', () => {
    expect(ticks('cron(0 9 * * ? *)', '2026-03-28T00:00:00Z', 2, 'Europe/Berlin')).toEqual([
      '2026-03-28T08:00:00Z',
      '2026-03-29T07:00:00Z',
    ]);
  });
  it('rate(1 day) is 24 hours, whatever the clocks do', () => {
    expect(ticks('rate(1 day)', '2026-03-07T12:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-03-07T12:00:00Z',
      '2026-03-08T12:00:00Z',
      '2026-03-09T12:00:00Z',
    ]);
  });
  it('at() is read in its time zone', () => {
    expect(ticks('at(2026-12-24T18:00:00)', '2026-01-01T00:00:00Z', 2, 'Europe/Paris')).toEqual(['2026-12-24T17:00:00Z']);
    expect(ticks('at(2026-03-08T02:30:00)', '2026-01-01T00:00:00Z', 1, 'America/New_York')).toEqual([]);
  });
});

describe('rates', () => {
  it('count from the anchor (the first tick), in minutes, hours or days', () => {
    expect(ticks('rate(5 minutes)', '2026-03-02T10:00:00Z', 3)).toEqual([
      '2026-03-02T10:00:00Z',
      '2026-03-02T10:05:00Z',
      '2026-03-02T10:10:00Z',
    ]);
    expect(ticks('rate(1 hour)', '2026-03-02T10:00:00Z', 2)).toEqual(['2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z']);
    const expr = parseExpression('rate(2 hours)');
    expect(nextTick(expr, 'UTC', new Date('2026-03-02T10:00:00Z'), new Date('2026-03-02T13:59:00Z'))?.toISOString()).toBe(
      '2026-03-02T14:00:00.000Z',
    );
  });
});

describe('refused expressions', () => {
  it.each([
    ['cron(0 10 * * * *)', 'one of day-of-month and day-of-week must be ?'],
    ['cron(0 10 ? * ? *)', 'one of day-of-month and day-of-week must be ?'],
    ['cron(0 10 * * ?)', 'needs 6 fields'],
    ['cron(60 10 * * ? *)', 'outside 0-59'],
    ['cron(0 24 * * ? *)', 'outside 0-23'],
    ['cron(0 1 * 13 ? *)', 'outside 1-12'],
    ['cron(0 1 ? * 8 *)', 'outside 1-7'],
    ['cron(0 1 ? * 3#1,6#3 *)', '# takes one day'],
    ['cron(0 1 * * ? 1969)', 'outside 1970-2199'],
    ['cron(5x 1 * * ? *)', 'is not a value'],
    ['cron(0/0 1 * * ? *)', 'positive step'],
    ['rate(0 minutes)', 'at least 1'],
    ['rate(5 weeks)', 'rate: must be'],
    ['rate(5)', 'rate: must be'],
    ['at(2026-02-30T10:00:00)', 'is not a date'],
    ['at(2026-02-10 10:00)', 'at: must be'],
    ['every day', 'must be rate('],
  ])('%s', (text, message) => {
    expect(() => parseExpression(text)).toThrow(ExpressionError);
    expect(() => parseExpression(text)).toThrow(message);
  });
});
