import { createTallyClient, type TallyClient } from '../client/index.js';
import type { Resolved } from './config.js';
import { apiFailure, CliError, EXIT } from './exit.js';
import { untimedFetch } from './untimed-fetch.js';

export interface Api {
  client: TallyClient;
  conn: Resolved;
}

export function connect(conn: Resolved, opts: { requireKey?: boolean; untimed?: boolean } = {}): Api {
  if (opts.requireKey !== false && !conn.key) {
    throw new CliError('no key: run tally login, or set TALLY_KEY (and TALLY_URL)', EXIT.auth);
  }
  checkUrl(conn.url);
  // A key with a character no header may carry (a control character, a typographic quote pasted from a document) made
  // fetch fail before sending anything, reported as "cannot reach Tally ... is it running?" (exit 5). Not printed.
  if (conn.key && /[^\u0020-\u007e]/.test(conn.key.trim())) {
    throw new CliError(
      `the key (${conn.source}) holds a character no Tally key has: a control character or one pasted from a document?`,
      EXIT.auth,
    );
  }
  // An answer that comes only when a function ends (up to 15 minutes) needs a fetch without undici's 300 s wait.
  const fetch = opts.untimed ? (untimedFetch as (input: Request) => Promise<Response>) : undefined;
  return { client: createTallyClient({ baseUrl: conn.url, key: conn.key, ...(fetch ? { fetch } : {}) }), conn };
}

/**
 * The api's URL, checked before any call: one that is not an http(s) URL (`127.0.0.1:3000`, a typo) is a usage error,
 * not "cannot reach Tally ... is it running?" (exit 5); one holding a password is refused without printing it (every
 * message names the URL, and fetch's own error quotes it whole).
 */
function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`the api URL ${url} is not a URL: expected http://host:port or https://host (TALLY_URL, --url)`, EXIT.usage);
  }
  if (parsed.username || parsed.password) {
    parsed.username = '';
    parsed.password = '';
    throw new CliError(`the api URL ${parsed.href} holds a user name or password: leave them out (the key authenticates)`, EXIT.usage);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError(`the api URL ${url} is not http:// or https:// (TALLY_URL, --url)`, EXIT.usage);
  }
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
