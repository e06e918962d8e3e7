import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshHome, tally } from './helpers.js';

// A synchronous invocation is answered when the function ends, and a function may run 15 minutes. Node's fetch
// (undici) gives up on headers after 300 s: `tally invoke` of a function running longer said "cannot reach Tally
// ... is it running?" and exited 5 at 300 s while the function ran on and was billed; run again, it was billed twice
// (found by review). A stand-in for the invoke route answers after 3 s, as the api does for a function that long,
// to a CLI whose fetch gives up on headers after 1 s (fixtures/short-headers-timeout.mjs; 300 s by default): the 5
// minutes in seconds.
const ANSWER_AFTER_MS = 3_000;
const SHORT_HEADERS_TIMEOUT = `--import=${new URL('./fixtures/short-headers-timeout.mjs', import.meta.url).pathname}`;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const timer = setTimeout(() => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-tally-request-id': '11111111-2222-3333-4444-555555555555',
        'x-tally-billed-duration-ms': String(ANSWER_AFTER_MS),
      });
      res.end('{"done":"after the fetch timeout"}');
    }, ANSWER_AFTER_MS);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

describe('tally invoke of a function that runs more than 5 minutes', () => {
  it(
    'waits for its answer and prints it',
    async () => {
      const started = Date.now();
      const r = await tally(['invoke', 'slow', '--data', '{"n":1}'], {
        TALLY_URL: base,
        TALLY_KEY: 'tk_x',
        HOME: freshHome(),
        NODE_OPTIONS: SHORT_HEADERS_TIMEOUT,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('{"done":"after the fetch timeout"}\n');
      expect(Date.now() - started).toBeGreaterThanOrEqual(ANSWER_AFTER_MS);
    },
    ANSWER_AFTER_MS + 60_000,
  );
});
