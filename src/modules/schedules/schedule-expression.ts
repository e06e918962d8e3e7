import { IANAZone } from 'luxon';

/**
 * Schedule expressions as EventBridge Scheduler reads them (docs/events.md, "Schedules"):
 * `rate(n minute|minutes|hour|hours|day|days)`, AWS's six-field `cron(min hour dom month dow year)`
 * and the one-time `at(yyyy-mm-ddThh:mm:ss)`, evaluated in an IANA time zone.
 *
 * Written here rather than taken from a library: the one npm package for AWS's syntax computes in
 * UTC only and accepts malformed fields, and the general cron libraries lack `W`, the year field or
 * AWS's day-of-week numbering (1 = Sunday). Time zones come from Luxon (the IANA database through
 * Intl). Daylight saving time follows AWS's rule: a local time the clocks skip does not fire, a
 * local time that happens twice fires once (at its first occurrence); rates are fixed durations
 * (a day is 24 hours), whatever the clocks do.
 */

export type ScheduleExpression = { kind: 'rate'; everyMs: number } | { kind: 'cron'; cron: CronFields } | { kind: 'at'; local: LocalTime };

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

type DomItem = { kind: 'L' } | { kind: 'LW' } | { kind: 'W'; day: number };
type DowItem = { kind: 'last'; dow: number } | { kind: 'nth'; dow: number; n: number };

export interface CronFields {
  minutes: number[];
  hours: number[];
  months: Set<number>;
  /** null: any year (until 2199). */
  years: Set<number> | null;
  /** The day is chosen by day of month or by day of week: AWS requires `?` in the other. */
  day: { by: 'month'; values: Set<number>; special: DomItem[] } | { by: 'week'; values: Set<number>; special: DowItem[] };
}

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
}

const MINUTE_MS = 60_000;
const UNIT_MS: Record<string, number> = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const LAST_YEAR = 2199;

const fail = (message: string): never => {
  throw new ExpressionError(message);
};

/** Whether the name is an IANA time zone this process knows. */
export const validTimeZone = (tz: string) => IANAZone.isValidZone(tz);

export function parseExpression(text: string): ScheduleExpression {
  const m = /^(rate|cron|at)\((.*)\)$/.exec(text.trim());
  if (!m) return fail('must be rate(value unit), cron(minutes hours day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss)');
  const body = m[2]!.trim();
  if (m[1] === 'rate') return parseRate(body);
  if (m[1] === 'at') return { kind: 'at', local: parseAt(body) };
  return { kind: 'cron', cron: parseCron(body) };
}

function parseRate(body: string): ScheduleExpression {
  const m = /^(\d{1,7})\s+(minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!m) return fail('rate: must be rate(value unit), value a positive whole number, unit minute(s), hour(s) or day(s)');
  const value = Number(m[1]);
  if (value < 1) return fail('rate: the value must be at least 1');
  return { kind: 'rate', everyMs: value * UNIT_MS[m[2]!.replace(/s$/, '')]! };
}

function parseAt(body: string): LocalTime {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) return fail('at: must be at(yyyy-mm-ddThh:mm:ss), a local time without offset (the schedule has a timezone)');
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    return fail(`at: ${body} is not a date and time`);
  }
  return { year, month, day, hour, minute, second };
}

/** One numeric field: `*`, values, ranges (a range may wrap: 22-2), steps (`a/s`, `a-b/s`, `* /s`), comma lists. */
function parseField(name: string, text: string, min: number, max: number, names: string[] = [], nameBase = 1): Set<number> {
  const out = new Set<number>();
  const value = (token: string): number => {
    const upper = token.toUpperCase();
    const named = names.indexOf(upper);
    if (named >= 0) return named + nameBase;
    if (!/^\d{1,4}$/.test(token)) return fail(`cron: ${name} field: "${token}" is not a value`);
    const n = Number(token);
    if (n < min || n > max) return fail(`cron: ${name} field: ${n} is outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    if (part === '') return fail(`cron: ${name} field: an empty item in "${text}"`);
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) return fail(`cron: ${name} field: "${part}" has two steps`);
    const step = stepText === undefined ? 1 : /^\d{1,4}$/.test(stepText) && Number(stepText) >= 1 ? Number(stepText) : 0;
    if (step === 0) return fail(`cron: ${name} field: "${part}" needs a positive step`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range!.includes('-')) {
      const [a, b, more] = range!.split('-');
      if (more !== undefined || !a || !b) return fail(`cron: ${name} field: "${range}" is not a range`);
      [from, to] = [value(a), value(b)];
    } else [from, to] = [value(range!), stepText === undefined ? value(range!) : max];
    if (from > to && name === 'year') return fail(`cron: year field: the range ${range} runs backwards`);
    // A range that wraps (22-2 hours) runs to the end of the field and on from its start.
    const span = from <= to ? to - from : max - from + 1 + (to - min);
    for (let i = 0; i <= span; i += step) out.add(((from - min + i) % (max - min + 1)) + min);
  }
  return out;
}

function parseDayOfMonth(text: string): CronFields['day'] {
  const special: DomItem[] = [];
  const plain: string[] = [];
  for (const item of text.split(',')) {
    const upper = item.toUpperCase();
    if (upper === 'L') special.push({ kind: 'L' });
    else if (upper === 'LW') special.push({ kind: 'LW' });
    else if (/^\d{1,2}W$/.test(upper)) {
      const day = Number(upper.slice(0, -1));
      if (day < 1 || day > 31) fail(`cron: day-of-month field: ${item}: the day must be 1-31`);
      special.push({ kind: 'W', day });
    } else plain.push(item);
  }
  return { by: 'month', values: plain.length ? parseField('day-of-month', plain.join(','), 1, 31) : new Set(), special };
}

function parseDayOfWeek(text: string): CronFields['day'] {
  const upper = text.toUpperCase();
  const day = (token: string) => {
    const named = DAYS.indexOf(token);
    if (named >= 0) return named + 1;
    if (!/^[1-7]$/.test(token)) fail(`cron: day-of-week field: "${token}" is not 1-7 or SUN-SAT`);
    return Number(token);
  };
  if (upper.includes('#')) {
    const m = /^([A-Z]{3}|\d)#([1-5])$/.exec(upper);
    if (!m) return fail('cron: day-of-week field: # takes one day and its instance in the month (1-5), alone in the field, as 3#2');
    return { by: 'week', values: new Set(), special: [{ kind: 'nth', dow: day(m[1]!), n: Number(m[2]) }] };
  }
  const special: DowItem[] = [];
  const plain: string[] = [];
  for (const item of upper.split(',')) {
    if (item === 'L')
      plain.push('7'); // the last day of the week: Saturday
    else if (/^([A-Z]{3}|\d)L$/.test(item)) special.push({ kind: 'last', dow: day(item.slice(0, -1)) });
    else plain.push(item);
  }
  return { by: 'week', values: plain.length ? parseField('day-of-week', plain.join(','), 1, 7, DAYS) : new Set(), special };
}

function parseCron(body: string): CronFields {
  const fields = body.split(/\s+/);
  if (fields.length !== 6) return fail(`cron: needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    return fail('cron: one of day-of-month and day-of-week must be ? and the other not (AWS does not combine them)');
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return {
    minutes: sorted(parseField('minutes', min, 0, 59)),
    hours: sorted(parseField('hours', hour, 0, 23)),
    months: parseField('month', month, 1, 12, MONTHS),
    years: year === '*' ? null : parseField('year', year, 1970, LAST_YEAR),
    day: dom === '?' ? parseDayOfWeek(dow) : parseDayOfMonth(dom),
  };
}

export function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday ... 7 = Saturday, as AWS numbers them. */
const weekday = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;

/** The weekday (Mon-Fri) nearest to the given day, never leaving its month. */
function nearestWeekday(y: number, m: number, day: number): number | null {
  const last = daysIn(y, m);
  if (day > last) return null;
  const w = weekday(y, m, day);
  if (w === 7) return day === 1 ? 3 : day - 1;
  if (w === 1) return day === last ? day - 2 : day + 1;
  return day;
}

function dayMatches(c: CronFields, y: number, m: number, d: number): boolean {
  const last = daysIn(y, m);
  if (c.day.by === 'month') {
    if (c.day.values.has(d)) return true;
    return c.day.special.some((s) => {
      if (s.kind === 'L') return d === last;
      if (s.kind === 'W') return nearestWeekday(y, m, s.day) === d;
      let lw = last;
      while (weekday(y, m, lw) === 1 || weekday(y, m, lw) === 7) lw -= 1;
      return d === lw;
    });
  }
  const w = weekday(y, m, d);
  if (c.day.values.has(w)) return true;
  return c.day.special.some((s) => s.dow === w && (s.kind === 'last' ? d + 7 > last : Math.ceil(d / 7) === s.n));
}

/**
 * The instant a local time names in a zone, or null when the clocks skip it. A local time that
 * happens twice (clocks turned back) names its first occurrence.
 */
export function instantOf(zone: IANAZone, local: Omit<LocalTime, 'second'> & { second?: number }): number | null {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
  let best: number | null = null;
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000]) {
    const offset = zone.offset(probe);
    const t = wall - offset * MINUTE_MS;
    if (zone.offset(t) === offset && (best === null || t < best)) best = t;
  }
  return best;
}

/** Local date and time of an instant in a zone. */
function localOf(zone: IANAZone, t: number): LocalTime {
  const d = new Date(t + zone.offset(t) * MINUTE_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The first tick of a cron expression strictly after `after`, in the zone; null when there is none (before 2200). */
function nextCron(c: CronFields, zone: IANAZone, after: number): number | null {
  const start = localOf(zone, after);
  let { year: y, month: m, day: d } = start;
  let first = true;
  const nextMonth = () => {
    [y, m, d] = m === 12 ? [y + 1, 1, 1] : [y, m + 1, 1];
    first = false;
  };
  while (y <= LAST_YEAR) {
    if (c.years && !c.years.has(y)) {
      const later = [...c.years].filter((v) => v > y);
      if (later.length === 0) return null;
      [y, m, d, first] = [Math.min(...later), 1, 1, false];
      continue;
    }
    if (!c.months.has(m) || d > daysIn(y, m)) {
      nextMonth();
      continue;
    }
    if (dayMatches(c, y, m, d)) {
      for (const hour of c.hours) {
        if (first && hour < start.hour) continue;
        for (const minute of c.minutes) {
          if (first && hour === start.hour && minute < start.minute) continue;
          const t = instantOf(zone, { year: y, month: m, day: d, hour, minute });
          if (t !== null && t > after) return t;
        }
      }
    }
    if (d >= daysIn(y, m)) nextMonth();
    else {
      d += 1;
      first = false;
    }
  }
  return null;
}

/**
 * The first tick strictly after `after` (epoch ms). Rates count from `anchor` (their first tick);
 * `at()` has one tick. Null when no tick is left.
 */
export function nextTick(expr: ScheduleExpression, timezone: string, anchor: Date, after: Date): Date | null {
  const t = after.getTime();
  if (expr.kind === 'rate') {
    const a = anchor.getTime();
    if (t < a) return new Date(a);
    return new Date(a + (Math.floor((t - a) / expr.everyMs) + 1) * expr.everyMs);
  }
  const zone = IANAZone.create(timezone);
  if (expr.kind === 'at') {
    const at = instantOf(zone, expr.local);
    return at !== null && at > t ? new Date(at) : null;
  }
  const next = nextCron(expr.cron, zone, t);
  return next === null ? null : new Date(next);
}

/** The instant of an `at()` expression, or null when that local time does not exist in the zone. */
export function atInstant(expr: ScheduleExpression & { kind: 'at' }, timezone: string): Date | null {
  const t = instantOf(IANAZone.create(timezone), expr.local);
  return t === null ? null : new Date(t);
}
