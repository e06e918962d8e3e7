import type { LogEvent } from '../../client/index.js';
import { connect, reach, unwrap } from '../api.js';
import type { Resolved } from '../config.js';
import { apiFailure, CliError, EXIT } from '../exit.js';
import { dim, type Out, yellow } from '../output.js';

export interface LogsOptions {
  follow?: boolean;
  since?: string;
  filter?: string;
  requestId?: string;
  limit?: number;
  json?: boolean;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: a duration back from now (`90s`, `15m`, `1h`, `2d`) or a timestamp (ISO 8601). */
export function parseSince(since: string, now = Date.now()): string {
  const m = /^(\d+)([smhd])$/.exec(since.trim());
  if (m) return new Date(now - Number(m[1]) * UNITS[m[2]!]!).toISOString();
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new CliError(`--since ${since}: expected a duration such as 15m, 1h, 2d, or a timestamp`, EXIT.usage);
  return new Date(t).toISOString();
}

/**
 * A message as it may reach a terminal: a function's own text, so a carriage return, an escape
 * sequence or any other control character (but a tab) is shown as `\r`, `\e`, `\xNN`, not obeyed.
 * Obeyed, it could erase the line's real timestamp and request id and print one that passes as
 * another invocation's platform line (a forged REPORT).
 */
function printable(message: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return message.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (c) =>
    c === '\r' ? '\\r' : c === '\n' ? '\\n' : c === '\u001b' ? '\\e' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function printEvent(out: Out, e: LogEvent, json: boolean | undefined): void {
  if (json) {
    out.stdout.write(`${JSON.stringify(e)}\n`);
    return;
  }
  const message = `${printable(e.message.endsWith('\n') ? e.message.slice(0, -1) : e.message)}\n`;
  const id = e.requestId ? yellow(out, e.requestId.slice(0, 8)) : dim(out, '-'.repeat(8));
  out.stdout.write(`${dim(out, e.timestamp)} ${id} ${message}`);
}

/** What the follower's stream carries: log lines, or the api's reason for ending it (`event: error`). */
type StreamItem = { error: false; event: LogEvent } | { error: true; code: string; message: string };

/** Server-sent events: each `data:` payload is one log event (or a page `{ events }`), or an `event: error`. */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamItem> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = block.split('\n');
      const type = fields
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim();
      const data = fields
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!data) continue;
      const parsed = JSON.parse(data) as LogEvent | { events: LogEvent[] } | { code?: string; message?: string };
      if (type === 'error') {
        const e = parsed as { code?: string; message?: string };
        yield { error: true, code: e.code ?? 'ERROR', message: e.message ?? data };
      } else if ('events' in parsed) for (const event of parsed.events) yield { error: false, event };
      else yield { error: false, event: parsed as LogEvent };
    }
  }
}

/**
 * Prints the followed lines until the stream ends. It ends only when the api ends it: with an error
 * (a revoked key, a failure), or without one when the api stops or the connection is cut. Each is a
 * failure with its exit code, never a 0: until 2026-12 an error was printed as if it were a log line
 * and the command exited 0 (found by review).
 */
async function printFollowed(conn: Resolved, body: ReadableStream<Uint8Array>, out: Out, json: boolean | undefined): Promise<never> {
  try {
    for await (const item of sseEvents(body)) {
      if (!item.error) {
        printEvent(out, item.event, json);
        continue;
      }
      const auth = item.code === 'UNAUTHENTICATED' || item.code === 'FORBIDDEN';
      throw new CliError(`${item.code}: ${item.message} (the api ended the stream)`, auth ? EXIT.auth : EXIT.failed);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    const why = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new CliError(`the connection to Tally at ${conn.url} was cut (${why}): follow again with tally logs -f`, EXIT.unreachable);
  }
  throw new CliError(`Tally at ${conn.url} ended the stream (is it stopping?): follow again with tally logs -f`, EXIT.unreachable);
}

export async function logs(conn: Resolved, name: string, opts: LogsOptions, out: Out): Promise<number> {
  const { client } = connect(conn);
  const query = {
    ...(opts.since ? { from: parseSince(opts.since) } : {}),
    ...(opts.filter ? { filter: opts.filter } : {}),
    ...(opts.requestId ? { requestId: opts.requestId } : {}),
  };
  if (opts.follow) {
    const r = await reach(conn, () =>
      client.GET('/v1/functions/{name}/logs', {
        params: { path: { name }, query },
        headers: { accept: 'text/event-stream' },
        parseAs: 'stream',
      }),
    );
    if (!r.response.ok) throw apiFailure(r.response, r.error);
    if (!r.data) throw new CliError(`Tally at ${conn.url} answered the follow with no stream`, EXIT.failed);
    return printFollowed(conn, r.data, out, opts.json);
  }
  let cursor: string | undefined;
  let left = opts.limit ?? Number.POSITIVE_INFINITY;
  do {
    const limit = Math.min(left, 1000);
    const page = await unwrap(conn, () =>
      client.GET('/v1/functions/{name}/logs', {
        params: { path: { name }, query: { ...query, limit, ...(cursor ? { cursor } : {}) } },
      }),
    );
    for (const e of page.events) printEvent(out, e, opts.json);
    left -= page.events.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && left > 0);
  return EXIT.ok;
}
