import { createTallyClient, type TallyClient } from '../client/index.js';
import type { Resolved } from './config.js';
import { apiFailure, CliError, EXIT } from './exit.js';

export interface Api {
  client: TallyClient;
  conn: Resolved;
}

export function connect(conn: Resolved, opts: { requireKey?: boolean } = {}): Api {
  if (opts.requireKey !== false && !conn.key) {
    throw new CliError('no key: run tally login, or set TALLY_KEY (and TALLY_URL)', EXIT.auth);
  }
  return { client: createTallyClient({ baseUrl: conn.url, key: conn.key }), conn };
}

/** A connection failure (refused, unknown host) as exit 5, naming the URL tried. */
export async function reach<T>(conn: Resolved, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof CliError) throw err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new CliError(`cannot reach Tally at ${conn.url} (${why}): is it running? (TALLY_URL, tally login --url)`, EXIT.unreachable);
  }
}

/** The answer's data, or the api's error as a CliError with its exit code. */
export async function unwrap<D>(conn: Resolved, call: () => Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const r = await reach(conn, call);
  if (!r.response.ok) throw apiFailure(r.response, r.error);
  return r.data as D;
}
