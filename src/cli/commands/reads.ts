import { connect, reach, unwrap } from '../api.js';
import type { Resolved } from '../config.js';
import { apiFailure, CliError, EXIT } from '../exit.js';
import { bold, dim, type Out, printJson, printTable } from '../output.js';

/** Prints a value as JSON; the command is done. */
function json(out: Out, value: unknown): number {
  printJson(out, value);
  return EXIT.ok;
}

/** Prints a quiet note (an empty list); the command is done. */
function note(out: Out, text: string): number {
  out.stdout.write(`${dim(out, text)}\n`);
  return EXIT.ok;
}

const R = 'right' as const;
const L = 'left' as const;

export async function functions(conn: Resolved, opts: { json?: boolean }, out: Out): Promise<number> {
  const { client } = connect(conn);
  const all = [];
  let after: string | undefined;
  do {
    const page = await unwrap(conn, () => client.GET('/v1/functions', { params: { query: { limit: 1000, ...(after ? { after } : {}) } } }));
    all.push(...page.functions);
    after = page.next ?? undefined;
  } while (after);
  if (opts.json) return json(out, { functions: all });
  if (all.length === 0) return note(out, 'no functions yet: tally deploy <dir> --runtime ... --handler ...');
  const concurrency = await unwrap(conn, () => client.GET('/v1/concurrency'));
  printTable(
    out,
    ['NAME', 'RUNTIME', 'HANDLER', 'MEMORY', 'ARCH', 'VERSION', 'MODIFIED', 'RESERVED'],
    all.map((f) => [
      f.name,
      f.runtime ?? f.packageType,
      f.handler ?? '-',
      `${f.memoryMb} MB`,
      f.architecture,
      String(f.version),
      f.lastModified.slice(0, 19).replace('T', ' '),
      f.reservedConcurrency === null ? '-' : String(f.reservedConcurrency),
    ]),
    [L, L, L, R, L, R, L, R],
  );
  const c = concurrency;
  out.stdout.write(
    `${dim(out, `concurrency: ${c.limit} for the account, ${c.reserved} reserved by functions, ${c.unreserved} shared by the others`)}\n`,
  );
  return EXIT.ok;
}

/** A calendar month `YYYY-MM` as [start, start of the next month), UTC. */
export function monthRange(month: string): { from: string; to: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new CliError(`--month ${month}: expected YYYY-MM`, EXIT.usage);
  const from = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  const to = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
  return { from: from.toISOString(), to: to.toISOString() };
}

export interface UsageOptions {
  by?: 'function' | 'architecture';
  month?: string;
  granularity?: 'hour' | 'day' | 'month';
  json?: boolean;
}

export async function usage(conn: Resolved, opts: UsageOptions, out: Out): Promise<number> {
  const { client } = connect(conn);
  if (opts.by && opts.by !== 'function' && opts.by !== 'architecture') {
    throw new CliError(`--by ${opts.by}: expected function or architecture`, EXIT.usage);
  }
  const granularity = opts.granularity ?? (opts.by ? 'month' : 'day');
  // A month past ends at its last hour; the current one at now (the api's default).
  const range: { from?: string; to?: string } = opts.month ? monthRange(opts.month) : {};
  const to = range.to && Date.parse(range.to) > Date.now() ? undefined : range.to;
  const query = {
    granularity,
    ...(opts.by ? { groupBy: opts.by } : {}),
    ...(range.from ? { from: range.from } : {}),
    ...(to ? { to } : {}),
  };
  const u = await unwrap(conn, () => client.GET('/v1/usage', { params: { query } }));
  if (opts.json) return json(out, u);
  const when = (start: string) =>
    granularity === 'month' ? start.slice(0, 7) : granularity === 'day' ? start.slice(0, 10) : start.slice(0, 13);
  const group = opts.by === 'function' ? 'FUNCTION' : opts.by === 'architecture' ? 'ARCH' : null;
  const headers = [granularity.toUpperCase(), ...(group ? [group] : []), 'REQUESTS', 'BILLED MS', 'GB-SECONDS', 'ERRORS', 'TIMEOUTS'];
  const counts = (c: { requests: number; billedMs: number; gbSeconds: string; errors: number; timeouts: number }) => [
    String(c.requests),
    String(c.billedMs),
    c.gbSeconds,
    String(c.errors),
    String(c.timeouts),
  ];
  const rows = u.buckets.map((b) => [
    when(b.start),
    ...(group ? [(opts.by === 'function' ? b.functionId : b.architecture) ?? '-'] : []),
    ...counts(b),
  ]);
  rows.push([bold(out, 'total'), ...(group ? [''] : []), ...counts(u.totals)]);
  out.stdout.write(`${dim(out, `usage ${u.from.slice(0, 16)}Z to ${u.to.slice(0, 16)}Z`)}\n`);
  printTable(out, headers, rows, [L, ...(group ? [L] : []), R, R, R, R, R]);
  return EXIT.ok;
}

export interface InvoicesOptions {
  csv?: boolean;
  html?: boolean;
  period?: string;
  status?: 'draft' | 'finalized' | 'void';
  json?: boolean;
}

export async function invoices(conn: Resolved, id: string | undefined, opts: InvoicesOptions, out: Out): Promise<number> {
  const { client } = connect(conn);
  if ((opts.csv || opts.html) && !id) throw new CliError('--csv and --html render one invoice: tally invoices <ID> --csv', EXIT.usage);
  if (opts.csv && opts.html) throw new CliError('--csv or --html, not both', EXIT.usage);
  if (id && (opts.csv || opts.html)) {
    const r = await reach(conn, () =>
      client.GET('/v1/invoices/{id}', {
        params: { path: { id } },
        headers: { accept: opts.csv ? 'text/csv' : 'text/html' },
        parseAs: 'text',
      }),
    );
    if (!r.response.ok) throw apiFailure(r.response, r.error);
    out.stdout.write(r.data as string);
    return EXIT.ok;
  }
  if (id) {
    const inv = await unwrap(conn, () => client.GET('/v1/invoices/{id}', { params: { path: { id } } }));
    if (opts.json) return json(out, inv);
    out.stdout.write(`${bold(out, inv.id)}  ${inv.period}  ${inv.status}  price version ${inv.priceVersion}\n`);
    printTable(
      out,
      ['LINE', 'DESCRIPTION', 'QUANTITY', 'FREE', 'BILLABLE', 'UNIT PRICE', 'AMOUNT'],
      inv.lines.map((l) => [l.id, l.description, l.quantity, l.freeQuantity, l.billableQuantity, l.unitPrice, l.amount]),
      [L, L, R, R, R, R, R],
    );
    out.stdout.write(`${bold(out, `total ${inv.total} ${inv.currency}`)}\n`);
    return EXIT.ok;
  }
  const query = { ...(opts.period ? { period: opts.period } : {}), ...(opts.status ? { status: opts.status } : {}) };
  const list = await unwrap(conn, () => client.GET('/v1/invoices', { params: { query } }));
  if (opts.json) return json(out, list);
  if (list.invoices.length === 0) return note(out, 'no invoices');
  printTable(
    out,
    ['ID', 'PERIOD', 'STATUS', 'TOTAL', 'CURRENCY', 'LINES'],
    list.invoices.map((i) => [i.id, i.period, i.status, i.total, i.currency, String(i.lines.length)]),
    [L, L, L, R, L, R],
  );
  return EXIT.ok;
}

export async function budgets(conn: Resolved, opts: { json?: boolean }, out: Out): Promise<number> {
  const { client } = connect(conn);
  const list = await unwrap(conn, () => client.GET('/v1/budgets', { params: { query: {} } }));
  if (opts.json) return json(out, list);
  if (list.budgets.length === 0) return note(out, 'no budgets');
  printTable(
    out,
    ['ID', 'AMOUNT', 'BASIS', 'THRESHOLDS', 'FUNCTION', 'HARD CAP', 'WEBHOOK'],
    list.budgets.map((b) => [
      b.id,
      `${b.amount} ${b.currency}`,
      b.basis,
      b.thresholds.map((t) => `${t}%`).join(' '),
      b.functionId ?? 'all',
      b.hardCap ? 'yes' : 'no',
      b.webhookUrl ?? '-',
    ]),
    [L, R, L, L, L, L, L],
  );
  return EXIT.ok;
}
