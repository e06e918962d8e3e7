import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/**
 * A fetch for `tally invoke`, on node:http: Node's own fetch (undici) gives up on an answer whose headers take more
 * than 300 s, while a synchronous invocation answers only when the function ends, and a function may run 15 minutes.
 * Through it, an invocation of more than 5 minutes was reported as "cannot reach Tally ... is it running?" (exit 5)
 * while it ran on, and was billed: a user who believed it and ran it again paid twice (found by review).
 * Errors carry their cause as fetch's do (`TypeError('fetch failed', { cause })`), so `reach` names them alike.
 */
export async function untimedFetch(input: Request): Promise<Response> {
  const url = new URL(input.url);
  const body = input.body ? Buffer.from(await input.arrayBuffer()) : null;
  const headers: Record<string, string> = {};
  input.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (body) headers['content-length'] = String(body.length);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const req = send(url, { method: input.method, headers }, (res: IncomingMessage) => {
      const answer = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (Array.isArray(value)) for (const v of value) answer.append(name, v);
        else if (value !== undefined) answer.set(name, value);
      }
      const status = res.statusCode ?? 502;
      const empty = status === 204 || status === 304 || input.method === 'HEAD';
      if (empty) res.resume();
      const stream = empty ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
      resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: answer }));
    });
    req.on('error', (cause) => reject(new TypeError('fetch failed', { cause })));
    req.end(body ?? undefined);
  });
}
