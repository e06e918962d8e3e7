import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FunctionPool } from '../../executor/runtime/pool.js';
import type { Isolation } from '../../executor/sandbox/isolation.js';
import { event, makeSpec, silentLog, useSandbox } from './helpers.js';

/**
 * Found by review (2026-12-07): a warm call whose instance the closing pool stops before its runtime
 * took the event is an InstanceGoneError, which the pool answers by starting a fresh instance, after
 * close(): that instance runs the function, is listed nowhere close() looks, and outlives the pool.
 */
const sandbox = useSandbox({ spares: 0 });
const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-pool-close-retry-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A provided runtime that answers its first event, then waits 3 s before asking for the next.
writeFileSync(path.join(dir, 'bootstrap'), '#!/bin/sh\nexec node /var/task/runtime.mjs\n');
chmodSync(path.join(dir, 'bootstrap'), 0o755);
writeFileSync(
  path.join(dir, 'runtime.mjs'),
  `const api = \`http://\${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation\`;
for (let n = 0; ; n++) {
  if (n > 0) await new Promise((r) => setTimeout(r, 3000));
  const next = await fetch(\`\${api}/next\`);
  const id = next.headers.get('lambda-runtime-aws-request-id');
  await next.text();
  await fetch(\`\${api}/\${id}/response\`, { method: 'POST', body: JSON.stringify(n) });
}
`,
  { mode: 0o644 },
);

describe('a pool closing while a warm call waits for its runtime to take the event', () => {
  it('starts no fresh instance for that call after it closed', async () => {
    let opens = 0;
    let closed = false;
    let opensAfterClose = 0;
    const isolation: Isolation = {
      mode: sandbox.isolation.mode,
      open: async (spec, runtime) => {
        opens += 1;
        if (closed) opensAfterClose += 1;
        return sandbox.isolation.open(spec, runtime);
      },
      close: async () => undefined,
    };
    const p = new FunctionPool({ log: silentLog, capacity: 2, idleTimeoutMs: 60_000, instance: { isolation } });
    const spec = makeSpec(dir, { runtime: 'provided', handler: 'none', timeoutS: 10 });
    const first = await p.invoke(spec, event({}), 'first');
    expect(first.status, first.log).toBe('success');
    const second = p.invoke(spec, event({}), 'second').then(
      (r) => ({ ran: r.status }),
      (err: unknown) => ({ refused: String(err) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    closed = true;
    await p.close();
    const outcome = await second;
    const stillListed = p.stats().instances;
    await p.close();
    // Before the fix: { opens: 2, opensAfterClose: 1, stillListed: 1, outcome: { ran: 'success' } }.
    expect({ opens, opensAfterClose, stillListed, outcome }).toEqual({
      opens: 1,
      opensAfterClose: 0,
      stillListed: 0,
      outcome: { refused: expect.stringMatching(/closed/) },
    });
  }, 20_000);
});
