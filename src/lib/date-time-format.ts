import formats, { type FormatsPlugin } from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the function itself at run time.
const full = (formats as unknown as FormatsPlugin).get('date-time', 'full') as {
  validate: (s: string) => boolean;
  compare: (a: string, b: string) => number | undefined;
};

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** The value of the two decimal digits at i and i + 1, or -1 when either is not a digit. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * True for an RFC 3339 date-time in the shape executors send, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`,
 * checked by character codes; undefined for any other text, which the caller hands to ajv-formats'
 * own check. Whatever this accepts, ajv-formats accepts too (a property test compares them): the
 * same month lengths, leap years and the leap second at 23:59:60Z.
 */
export function utcDateTime(s: string): true | undefined {
  const n = s.length;
  if (n < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const t = s.charCodeAt(10);
  const z = s.charCodeAt(n - 1);
  if ((t !== 84 && t !== 116) || (z !== 90 && z !== 122)) return undefined;
  if (n > 20) {
    // A fraction: a point and at least one digit, nothing else.
    if (n === 21 || s.charCodeAt(19) !== 46) return undefined;
    for (let i = 20; i < n - 1; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
  }
  const hi = twoDigits(s, 0);
  const lo = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return undefined;
  if (day > (month === 2 && isLeapYear(hi * 100 + lo) ? 29 : DAYS[month]!)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0) return undefined;
  return second < 60 || (second === 60 && hour === 23 && minute === 59) ? true : undefined;
}

/** ajv's `date-time` format: the UTC shape by character codes, anything else by ajv-formats (half the cost per usage event). */
export const dateTimeFormat = {
  type: 'string' as const,
  validate: (s: string): boolean => utcDateTime(s) ?? full.validate(s),
  compare: full.compare,
};
