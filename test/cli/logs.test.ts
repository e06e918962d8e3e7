import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshHome, tally } from './helpers.js';

/**
 * `tally logs` against a stand-in for GET /v1/functions/:name/logs as the round 2 contract words it
 * ({ events, nextCursor }, cursor paging, text/event-stream to follow): the route is built on
 * another branch, so this checks the CLI's side of the contract.
 */
const EVENTS = Array.from({ length: 5 }, (_, i) => ({
  timestamp: `2026-12-03T10:00:0${i}.000Z`,
  requestId: i < 3 ? '11111111-2222-3333-4444-555555555555' : '66666666-7777-8888-9999-000000000000',
  message: `line ${i}${i === 2 ? ' ERROR boom' : ''}\n`,
}));

let server: Server;
let base: string;
const seen: URL[] = [];

function answer(req: IncomingMessage, res: import('node:http').ServerResponse) {
  const url = new URL(req.url!, 'http://x');
  seen.push(url);
  if (req.headers.authorization !== 'Bearer tk_logs') {
    res.writeHead(401, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'no', requestId: 'r1' } }));
  }
  const m = /^\/v1\/functions\/([^/]+)\/logs$/.exec(url.pathname);
  if (m?.[1] !== 'hello') {
    res.writeHead(404, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ error: { code: 'FUNCTION_NOT_FOUND', message: 'no such function', requestId: 'r2' } }));
  }
  let events = EVENTS;
  const filter = url.searchParams.get('filter');
  if (filter) events = events.filter((e) => e.message.includes(filter));
  if (req.headers.accept === 'text/event-stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let i = 0;
    const tick = setInterval(() => {
      const e = events[i++];
      if (!e) {
        clearInterval(tick);
        return res.end();
      }
      res.write(`id: ${i}\ndata: ${JSON.stringify(e)}\n\n`);
    }, 20);
    return;
  }
  const start = Number(url.searchParams.get('cursor') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? 100);
  const page = events.slice(start, start + Math.min(limit, 2));
  const next = start + page.length < events.length ? String(start + page.length) : null;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ events: page, nextCursor: next }));
}

beforeAll(async () => {
  server = createServer(answer);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const env = () => ({ TALLY_URL: base, TALLY_KEY: 'tk_logs', HOME: freshHome() });

describe('tally logs', () => {
  it('pages through every event with the cursor and prints one line each', async () => {
    seen.length = 0;
    const r = await tally(['logs', 'hello'], env());
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('2026-12-03T10:00:00.000Z 11111111 line 0');
    expect(lines[4]).toBe('2026-12-03T10:00:04.000Z 66666666 line 4');
    expect(seen.map((u) => u.searchParams.get('cursor'))).toEqual([null, '2', '4']);
  });

  it('passes --filter, --since and --limit to the api; --json prints one event per line', async () => {
    seen.length = 0;
    const r = await tally(['logs', 'hello', '--filter', 'ERROR', '--since', '2h', '--json'], env());
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([EVENTS[2]]);
    const q = seen[0]!.searchParams;
    expect(q.get('filter')).toBe('ERROR');
    const from = Date.parse(q.get('from')!);
    expect(Math.abs(Date.now() - 2 * 3_600_000 - from)).toBeLessThan(60_000);
    const limited = await tally(['logs', 'hello', '--limit', '3'], env());
    expect(limited.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect((await tally(['logs', 'hello', '--since', 'yesterday-ish'], env())).code).toBe(2);
  });

  it('-f follows the event stream; the api ending it is not a success (exit 5)', async () => {
    const r = await tally(['logs', 'hello', '-f'], env());
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`Tally at ${base} ended the stream`);
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.split(' ').slice(2).join(' ')),
    ).toEqual(EVENTS.map((e) => e.message.trimEnd()));
  });

  it('piped into a reader that stops early (| head -1): no EPIPE crash on standard error', async () => {
    // Found by review: `tally logs ... | head` printed a Node.js crash ("Error: write EPIPE", an unhandled 'error' event).
    const r = await new Promise<{ out: string; err: string }>((resolve) => {
      const child = spawn('sh', ['-c', `${process.execPath} bin/tally.mjs logs hello -f | head -1`], {
        env: { ...process.env, ...env(), TALLY_CLI_FROM: 'source' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', () => resolve({ out, err }));
    });
    expect(r.out).toMatch(/ line 0$/m);
    expect(r.err).toBe('');
  });

  it('an unknown function exits 4, a refused key 3', async () => {
    const missing = await tally(['logs', 'nope'], env());
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('FUNCTION_NOT_FOUND');
    expect((await tally(['logs', 'hello'], { ...env(), TALLY_KEY: 'tk_other' })).code).toBe(3);
  });
});
