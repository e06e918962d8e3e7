/** A billing period is a calendar month in UTC, written 'YYYY-MM' on the wire and 'YYYY-MM-01' in SQL. */
export type Period = string;

/** YYYY-MM; not year 0000, which Postgres's dates do not have. */
export const PERIOD_PATTERN = '^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])$';

export const periodOf = (at: Date): Period => at.toISOString().slice(0, 7);
export const periodStart = (p: Period): Date => new Date(`${p}-01T00:00:00.000Z`);
export const periodDate = (p: Period): string => `${p}-01`;
export const periodFromDate = (d: string): Period => d.slice(0, 7);

export function nextPeriod(p: Period): Period {
  const d = periodStart(p);
  return periodOf(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
}

export function previousPeriod(p: Period): Period {
  const d = periodStart(p);
  return periodOf(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)));
}

export const periodEnd = (p: Period): Date => periodStart(nextPeriod(p));

/** The month `n` months after `p` (before it when n is negative). */
export function addMonths(p: Period, n: number): Period {
  const d = periodStart(p);
  return periodOf(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1)));
}
