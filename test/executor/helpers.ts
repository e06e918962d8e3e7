import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createExecutorMetrics, createInvokeServer } from '../../executor/invoke-server.js';
import { FunctionPool, resolvePython } from '../../executor/runtime/pool.js';
import type { FunctionSpec } from '../../executor/runtime/types.js';
import type { IsolatedInstance, Isolation } from '../../executor/sandbox/isolation.js';
import { KernelSandbox, type SandboxOptions } from '../../executor/sandbox/sandbox.js';
import type { InvokeSpec } from '../../src/contracts/executor.js';
import type { Route } from '../../src/modules/executors/executors.service.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export const silentLog = pino({ level: 'silent' });

/** An InvokeSpec as the api sends it, for tests of the executor's front (a new account and function each call). */
export function invokeSpec(overrides: Partial<InvokeSpec> = {}): InvokeSpec {
  return {
    accountId: randomUUID(),
    functionId: randomUUID(),
    name: 'fn',
    version: 1,
    runtime: 'nodejs',
    handler: 'index.handler',
    memoryMb: 128,
    timeoutS: 3,
    architecture: 'x86_64',
    ephemeralStorageMb: 512,
    environment: {},
    reservedConcurrency: null,
    codeSha256: 'a'.repeat(64),
    ...overrides,
  };
}

/** The executor's front over `pool`, in process, keeping what it spools (the usage that would be billed) in `records`. */
export function frontOf(pool: Pick<FunctionPool, 'invoke' | 'stats'>) {
  const records: unknown[] = [];
  const front = createInvokeServer({
    token: 't'.repeat(40),
    pool,
    spool: { append: async (r: unknown[]) => void records.push(...r), accepting: () => true },
    metrics: createExecutorMetrics(),
    log: silentLog,
  });
  return { front, records };
}

/**
 * Copies the fixture functions outside the repository: the repo's package.json says
 * "type": "module", which would turn a function's CommonJS index.js into ESM. Real code is
 * unpacked outside any package scope, as in Lambda's /var/task.
 */
export function copyFixtures(): { dir: (name: string) => string; remove: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tally-fixtures-'));
  cpSync(FIXTURES, root, { recursive: true });
  return { dir: (name) => path.join(root, name), remove: () => rmSync(root, { recursive: true, force: true }) };
}

let counter = 0;

export function makeSpec(codeDir: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  counter += 1;
  return {
    functionId: `fn-${process.pid}-${counter}`,
    name: `test-fn-${counter}`,
    version: '1',
    runtime: 'nodejs',
    handler: 'index.handler',
    memoryMb: 128,
    timeoutS: 3,
    environment: {},
    codeDir,
    ...overrides,
  };
}

export function event(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function json(payload: Buffer): any {
  return JSON.parse(payload.toString('utf8'));
}

/** Host pids of every process running as `uid` (a sandboxed instance's processes: its pid namespace hides its host pids). */
export function processesOf(uid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const match = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (match && Number(match[1]) === uid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface TestSandbox {
  /** The sandbox every instance of the file runs in (a real one: uids, namespaces, cgroups). */
  readonly isolation: KernelSandbox;
  readonly pythonPath: string;
}

/** One kernel sandbox for a test file, with a key of its own so files never sweep each other's cgroups. */
export function useSandbox(options: Partial<SandboxOptions> = {}): TestSandbox {
  const state = {} as { isolation: KernelSandbox; pythonPath: string; dir: string };
  beforeAll(async () => {
    state.dir = mkdtempSync(path.join(os.tmpdir(), 'tally-sandbox-test-'));
    state.pythonPath = await resolvePython();
    state.isolation = await KernelSandbox.start({
      dir: state.dir,
      executorKey: randomBytes(4).toString('hex'),
      network: 'outbound',
      spares: 1,
      log: silentLog,
      pythonPath: state.pythonPath,
      ...options,
    });
  });
  afterAll(async () => {
    await state.isolation?.close();
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });
  return {
    get isolation() {
      return state.isolation;
    },
    get pythonPath() {
      return state.pythonPath;
    },
  };
}

/** `base`, its instances with some of their controls replaced (`replace` is given the real instance). */
export function wrapIsolation(base: Isolation, replace: (box: IsolatedInstance) => Partial<IsolatedInstance>): Isolation {
  return {
    mode: base.mode,
    open: async (spec, runtime) => {
      const box = await base.open(spec, runtime);
      return Object.assign(Object.create(box) as IsolatedInstance, replace(box));
    },
    close: async () => undefined,
  };
}

/**
 * `box`'s park, counted: `parked('executor')` for each write of the executor's own, `parked('clock')` for
 * each the answer clock's thread made and the executor only noted (one write per park either way).
 */
export function countedParks(
  box: IsolatedInstance,
  parked: (by: 'executor' | 'clock') => void,
): Pick<IsolatedInstance, 'park' | 'parkedWith'> {
  return {
    park: () => {
      box.park();
      parked('executor');
    },
    parkedWith: (value: string) => {
      const noted = box.parkedWith?.(value) ?? false;
      if (noted) parked('clock');
      return noted;
    },
  };
}

/**
 * A custom runtime (`provided`) in a folder of its own, removed after the file's tests: a `bootstrap` that runs
 * `source` as an ES module with Node.js (the host's, bound read-only into the sandbox as /usr is).
 */
export function nodeCustomRuntime(prefix: string, source: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tally-${prefix}-`));
  chmodSync(dir, 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'bootstrap'), '#!/bin/sh\nexec node /var/task/runtime.mjs\n', { mode: 0o755 });
  writeFileSync(path.join(dir, 'runtime.mjs'), source, { mode: 0o644 });
  return dir;
}

/**
 * An executor's invoke server over a pool of `isolation`'s instances, its code from `codeDir` (by the spec's code
 * hash), on a loopback port, with the api's route to it; its spooled usage records land in `records`. `cleanup`
 * takes what closes it.
 */
export async function invokeServerOn(
  isolation: Isolation,
  codeDir: (codeSha256: string) => string,
  cleanup: (() => unknown)[],
): Promise<{ route: Route; records: { invocationId?: string; status?: string }[] }> {
  const token = 't'.repeat(40);
  const records: { invocationId?: string; status?: string }[] = [];
  const pool = new FunctionPool({
    log: silentLog,
    capacity: 4,
    instance: { isolation, code: { acquire: async (sha: string) => codeDir(sha), release: () => undefined } },
  });
  const front = createInvokeServer({
    token,
    pool,
    spool: { append: async (r: unknown[]) => void records.push(...(r as typeof records)), accepting: () => true },
    metrics: createExecutorMetrics(),
    log: silentLog,
  });
  await new Promise<void>((resolve) => front.server.listen(0, '127.0.0.1', resolve));
  cleanup.push(async () => {
    front.closeConnections();
    await new Promise((resolve) => front.server.close(resolve));
    await pool.close();
  });
  const url = `http://127.0.0.1:${(front.server.address() as AddressInfo).port}`;
  return {
    route: { id: 'executor-1', url, capacity: 100, authorization: `Bearer ${token}`, startedAt: 0, inFlight: 0, downUntil: 0 },
    records,
  };
}
