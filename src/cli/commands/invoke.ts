import { readFileSync } from 'node:fs';
import { connect, reach } from '../api.js';
import type { Resolved } from '../config.js';
import { apiFailure, CliError, EXIT } from '../exit.js';
import { dim, type Out, printJson, red } from '../output.js';

export interface InvokeOptions {
  data?: string;
  async?: boolean;
  log?: boolean;
  version?: number;
  json?: boolean;
}

/** The event: inline JSON, `@file`, or `@-` for standard input; checked before anything is sent. */
export function readEvent(data: string | undefined): string {
  if (data === undefined) return '{}';
  let text = data;
  if (data.startsWith('@')) {
    const path = data.slice(1);
    try {
      text = readFileSync(path === '-' ? 0 : path, 'utf8');
    } catch (err) {
      throw new CliError(`--data ${data}: ${(err as Error).message}`, EXIT.usage);
    }
  }
  try {
    JSON.parse(text);
  } catch {
    throw new CliError(`--data: not valid JSON${data.startsWith('@') ? ` in ${data.slice(1)}` : ''}`, EXIT.usage);
  }
  return text;
}

export async function invoke(conn: Resolved, name: string, opts: InvokeOptions, out: Out): Promise<number> {
  const { client } = connect(conn, { untimed: true });
  const event = readEvent(opts.data);
  const r = await reach(conn, () =>
    client.POST('/v1/functions/{name}/invoke', {
      params: {
        path: { name },
        query: { ...(opts.log && !opts.async ? { log: 'tail' as const } : {}), ...(opts.version ? { version: opts.version } : {}) },
        header: opts.async ? { 'x-tally-invocation-type': 'Event' } : {},
      },
      body: event,
      bodySerializer: (b) => b as string,
      parseAs: 'text',
    }),
  );
  if (!r.response.ok) {
    let body: unknown = r.error;
    // Tally's errors are JSON; a proxy's (a 502 page) is not, and is reported by its status, not as a crash.
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body || 'null');
      } catch {
        body = null;
      }
    }
    throw apiFailure(r.response, body);
  }
  const text = r.data ?? '';
  if (opts.async) {
    const { requestId } = JSON.parse(text) as { requestId: string };
    if (opts.json) printJson(out, { requestId });
    else out.stdout.write(`queued ${requestId}\n${dim(out, `tally invocation status: GET /v1/invocations/${requestId}`)}\n`);
    return EXIT.ok;
  }
  const log = r.response.headers.get('x-tally-log-result');
  if (log) out.stderr.write(dim(out, Buffer.from(log, 'base64').toString('utf8')));
  const failed = r.response.headers.get('x-tally-function-error');
  if (opts.json) {
    printJson(out, {
      requestId: r.response.headers.get('x-tally-request-id'),
      billedDurationMs: Number(r.response.headers.get('x-tally-billed-duration-ms')),
      functionError: failed,
      result: text ? JSON.parse(text) : null,
    });
  } else {
    out.stdout.write(`${text}\n`);
  }
  if (failed) {
    const type = r.response.headers.get('x-tally-error-type') ?? failed;
    out.stderr.write(`${red(out, 'function error')} ${type} (request ${r.response.headers.get('x-tally-request-id')})\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
