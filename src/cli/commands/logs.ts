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

/** Server-sent events: each `data:` payload is one log event (or a page `{ events }`). */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<LogEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!data) continue;
      const parsed = JSON.parse(data) as LogEvent | { events: LogEvent[] };
      if ('events' in parsed) yield* parsed.events;
      else yield parsed;
    }
  }
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
    if (!r.data) return EXIT.ok;
    for await (const e of sseEvents(r.data)) printEvent(out, e, opts.json);
    return EXIT.ok;
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
