/** RFC 4180 CSV: quote a field when it holds a comma, a quote or a line break. */
function field(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

export const wantsCsv = (accept: string | undefined) => !!accept && /\btext\/csv\b/i.test(accept);
