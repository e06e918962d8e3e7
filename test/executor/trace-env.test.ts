import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BOOTSTRAP_DIR } from '../../executor/runtime/launch.js';
import { resolvePython } from '../../executor/runtime/pool.js';
import { RuntimeApi } from '../../executor/runtime/runtime-api.js';

/**
 * `_X_AMZN_TRACE_ID` is new with every invocation. Set through the C environment (setenv), glibc
 * would keep every value for the process's life (about 150 bytes each), so a warm instance would
 * grow until the kernel killed it for memory. Each of Tally's bootstraps keeps the variable in
 * the language's own view of the environment instead: these tests run a bootstrap as the executor
 * does, against the real Runtime API, with a long trace id each time, and check that the handler
 * sees each invocation's id and that the process does not grow with them.
 */

const TRACE_BYTES = 3000;
/** Long enough for the runtimes' own heaps (V8's young generation grows for the first thousands) to settle. */
const WARM_CALLS = 3000;
const CALLS = 3000;
/** With the leak, CALLS ids of TRACE_BYTES would keep about 9 MB. */
const MAX_GROWTH_KB = 3 * 1024;

interface Runtime {
  name: string;
  file: string;
  code: string;
  argv: () => Promise<string[] | null>;
}

const hasRuby = spawnSync('ruby', ['--version']).status === 0;

const runtimes: Runtime[] = [
  {
    name: 'nodejs',
    file: 'index.mjs',
    // What the handler sees in process.env, and what a child process it starts sees.
    code: `import { execFileSync } from 'node:child_process';
let calls = 0;
export const handler = async () => {
  calls += 1;
  const child = calls <= 3 ? execFileSync('/bin/sh', ['-c', 'printf %s "$_X_AMZN_TRACE_ID"'], { encoding: 'utf8' }) : null;
  const env = process.env;
  return { seen: env._X_AMZN_TRACE_ID, has: '_X_AMZN_TRACE_ID' in env, listed: Object.keys(env).includes('_X_AMZN_TRACE_ID'), copied: { ...env }._X_AMZN_TRACE_ID, child };
};
`,
    argv: async () => [process.execPath, '--v8-pool-size=1', path.join(DEFAULT_BOOTSTRAP_DIR, 'node', 'bootstrap.mjs')],
  },
  {
    name: 'python',
    file: 'index.py',
    code: `import os

def handler(event, context):
    return {"seen": os.environ.get("_X_AMZN_TRACE_ID"), "has": "_X_AMZN_TRACE_ID" in os.environ, "listed": "_X_AMZN_TRACE_ID" in dict(os.environ), "copied": os.getenv("_X_AMZN_TRACE_ID"), "child": None}
`,
    argv: async () => [await resolvePython(), '-u', path.join(DEFAULT_BOOTSTRAP_DIR, 'python', 'bootstrap.py')],
  },
  {
    name: 'ruby',
    file: 'index.rb',
    code: `def handler(event:, context:)
  { seen: ENV['_X_AMZN_TRACE_ID'], has: ENV.key?('_X_AMZN_TRACE_ID'), listed: ENV.to_h.key?('_X_AMZN_TRACE_ID'), copied: ENV.fetch('_X_AMZN_TRACE_ID', nil), child: nil }
end
`,
    argv: async () => (hasRuby ? ['ruby', '--disable-gems', path.join(DEFAULT_BOOTSTRAP_DIR, 'ruby', 'bootstrap.rb')] : null),
  },
];

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tally-trace-env-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(runtimes)('the $name bootstrap keeps _X_AMZN_TRACE_ID out of the C environment', (runtime) => {
  let api: RuntimeApi;
  let child: ChildProcess;

  beforeAll(async () => {
    const argv = await runtime.argv();
    if (!argv) throw new Error(`${runtime.name} is not installed here (scripts/runtime-deps.sh installs it)`);
    const taskRoot = mkdtempSync(path.join(root, `${runtime.name}-`));
    writeFileSync(path.join(taskRoot, runtime.file), runtime.code);
    api = await RuntimeApi.start();
    const ready = new Promise<void>((resolve) => api.bind({ onNext: () => resolve(), onInitError: () => undefined }));
    child = spawn(argv[0]!, argv.slice(1), {
      cwd: taskRoot,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: 'C.UTF-8',
        AWS_LAMBDA_RUNTIME_API: api.address,
        LAMBDA_TASK_ROOT: taskRoot,
        _HANDLER: 'index.handler',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await ready;
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await api?.close();
  });

  const invoke = (traceId: string | undefined) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const requestId = randomUUID();
      api.deliver(
        {
          requestId,
          event: Buffer.from('{}'),
          timeoutMs: 10_000,
          functionArn: 'arn:aws:lambda:local:000000000000:function:trace',
          traceId: traceId ?? '',
        },
        {
          onHandoff: () => undefined,
          onOutcome: (outcome) => {
            if (outcome.kind === 'error') reject(new Error(outcome.body.toString()));
            else resolve(JSON.parse(outcome.body.toString()) as Record<string, unknown>);
          },
        },
      );
    });

  const traceOf = (i: number) =>
    `Root=1-${i.toString(16).padStart(8, '0')}-${randomUUID().replaceAll('-', '').slice(0, 24)};Parent=${'p'.repeat(TRACE_BYTES)};Sampled=1`;

  it('shows the handler each invocation its own trace id, in every way it can read the environment', async () => {
    for (let i = 0; i < 3; i++) {
      const traceId = traceOf(i);
      const seen = await invoke(traceId);
      expect(seen).toMatchObject({ seen: traceId, has: true, listed: true, copied: traceId });
      if (runtime.name === 'nodejs') expect(seen.child).toBe(traceId);
    }
  });

  it('does not keep the trace ids it was given', { timeout: 60_000 }, async () => {
    for (let i = 0; i < WARM_CALLS; i++) await invoke(traceOf(i));
    const before = rssKb(child.pid!);
    let last: Record<string, unknown> = {};
    let traceId = '';
    for (let i = 0; i < CALLS; i++) {
      traceId = traceOf(WARM_CALLS + i);
      last = await invoke(traceId);
    }
    expect(last.seen).toBe(traceId);
    expect(rssKb(child.pid!) - before).toBeLessThan(MAX_GROWTH_KB);
  });
});
