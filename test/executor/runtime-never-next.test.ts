import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FunctionInstance } from '../../executor/runtime/instance.js';
import type { InvocationResult } from '../../executor/runtime/types.js';
import { event, makeSpec, silentLog, useSandbox } from './helpers.js';

/**
 * Found by a review on 2026-12-07: a warm invocation whose runtime never asks for it (/next). The cold path has the init
 * timer; the function's timeout starts only at the handoff. A runtime that answers its first call
 * and then never calls /next again leaves the second call with no timer at all: it never ends, the
 * instance is awake (unparked, full CPU) and unbilled, and no usage record is ever written.
 */
const sandbox = useSandbox({ spares: 0 });
const live: FunctionInstance[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-runtime-never-next-'));
chmodSync(dir, 0o755);

afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.dispose()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A provided runtime: answers its first event, then never calls /next again (spins instead, once it has CPU).
writeFileSync(path.join(dir, 'bootstrap'), '#!/bin/sh\nexec node /var/task/runtime.mjs\n');
chmodSync(path.join(dir, 'bootstrap'), 0o755);
writeFileSync(
  path.join(dir, 'runtime.mjs'),
  `const api = \`http://\${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation\`;
const next = await fetch(\`\${api}/next\`);
const id = next.headers.get('lambda-runtime-aws-request-id');
await next.text();
await fetch(\`\${api}/\${id}/response\`, { method: 'POST', body: '"first"' });
// Never asks for the next event: works for free whenever the executor gives it CPU.
for (;;) {}
`,
  { mode: 0o644 },
);

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'still running'> =>
  Promise.race([p, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms).unref())]);

describe('a warm instance whose runtime does not call /next for the call it is given', () => {
  it('ends that call by its timeout (1 s) rather than leaving it open forever', async () => {
    const fn = new FunctionInstance(makeSpec(dir, { runtime: 'provided', handler: 'none', timeoutS: 1 }), {
      log: silentLog,
      isolation: sandbox.isolation,
    });
    live.push(fn);
    const first = await fn.invoke(event({ n: 1 }), { requestId: 'warm-next-1' });
    expect(first.status, first.log).toBe('success');
    const cpuBefore = fn.kernelCounters().cpuNanos;
    const second = within<InvocationResult>(fn.invoke(event({ n: 2 }), { requestId: 'warm-next-2' }), 8000);
    const result = await second;
    const cpuMs = Math.round((fn.kernelCounters().cpuNanos - cpuBefore) / 1e6);
    // Lambda ends it at the function's timeout (or the init timeout) and bills it; here it never ends,
    // and the instance, woken for it, spins meanwhile with no bill.
    expect(result, `after 8 s, ${cpuMs} ms of the instance's CPU, none of it billed`).not.toBe('still running');
    expect((result as InvocationResult).status).toBe('timeout');
  }, 20_000);
});
