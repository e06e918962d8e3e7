/**
 * Errors that mean "the database cannot be reached right now" rather than "this request is wrong":
 * a connection refused, reset or cut while in use, a server shutting down, crashed or still starting,
 * no connection free in time. A request that meets one is answered 503 (retry), never 500: the same
 * request is expected to work once the database is back, and ingest is idempotent, so a retry of a
 * batch that was in fact committed is counted once.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// SQLSTATE class 08 (connection exception); 57P01-57P03: admin shutdown, crash shutdown, cannot connect now;
// 53300: too many connections; 25006: a write on a read-only server (a primary demoted by a failover, a standby
// reached before the new primary's address is).
const SQLSTATES = /^(08...|57P0[123]|53300|25006)$/;

const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.test(code))) return true;
    if (MESSAGES.some((m) => e instanceof Error && e.message.startsWith(m))) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}

/**
 * A statement the server cancelled: past the session's statement timeout (TALLY_DB_STATEMENT_TIMEOUT_MS;
 * blocked on a lock, or a runaway query), or cancelled by an operator. Its transaction rolled back whole,
 * so a request that meets one is answered 503 (retry), as an outage is: docs/operations.md, "Statement timeout".
 */
export function isStatementCancelled(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '57014') return true;
  }
  return false;
}
