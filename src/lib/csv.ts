/**
 * A cell a spreadsheet would run as a formula (OWASP's CSV injection triggers, tab and carriage return
 * included). A plain decimal number is exempt: "-3.00" is read as the number -3 by every spreadsheet, and
 * invoices carry negative amounts (credits, adjustments) that must stay numbers there.
 */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

/** RFC 4180 CSV, with formula-looking text neutralised by a leading apostrophe (shown as text, not run). */
function field(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_TRIGGER.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

export const wantsCsv = (accept: string | undefined) => !!accept && /\btext\/csv\b/i.test(accept);
