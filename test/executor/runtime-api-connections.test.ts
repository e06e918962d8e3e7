import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FunctionInstance } from '../../executor/runtime/instance.js';
import { event, makeSpec, silentLog, useSandbox } from './helpers.js';

/**
 * Found by a review on 2026-12-07: the Runtime API server has no connection limit and no header timeout
 * (`requestTimeout: 0` makes node's `headersTimeout` 0 too). A function can open connections to its
 * Runtime API that each send half a request line and never finish it; each one holds a socket (and
 * its parser and buffered header bytes) in the executor for as long as the instance lives, frozen
 * between calls. With 1024 files per process and 1024 processes per sandbox, one tenant can run the
 * executor, shared by every tenant, out of file descriptors.
 */
const sandbox = useSandbox({ spares: 0 });
const live: FunctionInstance[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-runtime-api-connections-'));
chmodSync(dir, 0o755);
afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.dispose()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PER_CHILD = 900;
const CHILDREN = 3;
writeFileSync(
  path.join(dir, 'index.js'),
  `const { spawn } = require('node:child_process');
const holder = \`
  const net = require('node:net');
  const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
  let open = 0;
  for (let i = 0; i < ${PER_CHILD}; i++) {
    const s = net.connect(Number(port), host, () => {
      s.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\\\\r\\\\nX-Slow: ');
      if (++open === ${PER_CHILD}) process.stdout.write('ready\\\\n');
    });
    s.on('error', () => undefined);
  }
  setInterval(() => undefined, 1e6);
\`;
exports.handler = async () => {
  const ready = [];
  for (let c = 0; c < ${CHILDREN}; c++) {
    const child = spawn(process.execPath, ['-e', holder], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    ready.push(new Promise((resolve) => child.stdout.on('data', resolve)));
    child.unref();
  }
  await Promise.race([Promise.all(ready), new Promise((r) => setTimeout(r, 8000))]);
  return 'held';
};
`,
  { mode: 0o644 },
);

const openFds = () => readdirSync('/proc/self/fd').length;

describe('a function flooding its own Runtime API with half-sent requests', () => {
  it('cannot make the executor hold thousands of sockets for it', async () => {
    const fn = new FunctionInstance(makeSpec(dir, { memoryMb: 512, timeoutS: 15 }), { log: silentLog, isolation: sandbox.isolation });
    live.push(fn);
    const before = openFds();
    const result = await fn.invoke(event({}), { requestId: 'flood-1' });
    expect(result.status, result.log).toBe('success');
    // Long after the call, while the instance is parked or frozen: still held.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const held = openFds() - before;
    // What a cap would allow is a choice; a few hundred is far more than any runtime needs (one or two).
    expect(held, `the executor holds ${held} more file descriptors for this one instance`).toBeLessThan(512);
  }, 60_000);
});
