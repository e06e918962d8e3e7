/** Terminal output: colours only on a TTY (and never with NO_COLOR), tables, sizes. */
export interface Out {
  color: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export function terminal(): Out {
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return { color, stdout: process.stdout, stderr: process.stderr };
}

const sgr = (open: number, close: number) => (out: Out, s: string) => (out.color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
export const bold = sgr(1, 22);
export const dim = sgr(2, 22);
export const red = sgr(31, 39);
export const green = sgr(32, 39);
export const yellow = sgr(33, 39);

export function printJson(out: Out, value: unknown): void {
  out.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export type Align = 'left' | 'right';

/** A plain-text table: a header row, then one row per item; numbers right-aligned. */
export function table(out: Out, headers: string[], rows: string[][], align: Align[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (s: string, i: number) => (align[i] === 'right' ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const line = (r: string[]) => r.map(cell).join('  ').replace(/\s+$/, '');
  return [bold(out, line(headers)), ...rows.map(line)].join('\n');
}

export function printTable(out: Out, headers: string[], rows: string[][], align: Align[] = []): void {
  out.stdout.write(`${table(out, headers, rows, align)}\n`);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
