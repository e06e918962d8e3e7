import { parseSandboxConfig, type SandboxConfig } from '../../executor/config.js';
import { removeTestDir } from './cleanup.js';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, crc32 } from 'node:zlib';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, buildServices, type App, type AppDeps, type Services } from '../../src/app.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { startExecutor, type Executor } from '../../executor/main.js';
import { ADMIN_KEY, admin, bearer, fleetKey } from './app.js';
import { JAVA_RUNTIME_CACHE } from './builds.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface ZipEntry {
  name: string;
  data?: string | Buffer;
  /** Unix mode (0o100644 is added for plain permission bits); absent: a zip "made on DOS", no mode. */
  mode?: number;
  symlink?: string;
  store?: boolean;
  /** Lie in the headers. */
  crc?: number;
  declaredSize?: number;
}

/** A zip writer for tests: yazl and the zip tool refuse the malformed archives these tests need. */
export function makeZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = e.symlink !== undefined ? Buffer.from(e.symlink) : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '');
    const isDir = e.name.endsWith('/');
    const body = e.store || isDir ? raw : deflateRawSync(raw);
    const method = e.store || isDir ? 0 : 8;
    const name = Buffer.from(e.name);
    const crc = e.crc ?? crc32(raw);
    const size = e.declaredSize ?? raw.length;
    const mode =
      e.symlink !== undefined
        ? 0o120777
        : e.mode === undefined
          ? undefined
          : e.mode < 0o1000
            ? (isDir ? 0o040000 : 0o100000) | e.mode
            : e.mode;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 10);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(mode === undefined ? 20 : (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((((mode ?? 0) << 16) | (isDir ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Zips a folder and everything under it, keeping each file's mode. */
export function zipTree(dir: string): Buffer {
  const files = (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => statSync(join(dir, f)).isFile()).sort();
  return makeZip(files.map((name) => ({ name, data: readFileSync(join(dir, name)), mode: statSync(join(dir, name)).mode & 0o777 })));
}

/** Zips a folder of examples/ (or any folder), keeping each file's mode. */
export function zipFolder(dir: string): Buffer {
  return makeZip(
    readdirSync(dir).map((name) => ({ name, data: readFileSync(join(dir, name)), mode: statSync(join(dir, name)).mode & 0o777 })),
  );
}

export const b64 = (zip: Buffer) => zip.toString('base64');

export interface FunctionsContext {
  app: App;
  services: Services;
  db: TestDatabase;
  /** The api, listening on loopback. */
  base: string;
  /** A platform executor key no executor holds yet. */
  fleet: string;
  executor: Executor | null;
  tmp: string;
  /** Starts an in-process executor with a platform key of its own (unless one is given). */
  startExecutor(overrides?: {
    capacity?: number;
    flushIntervalMs?: number;
    key?: string;
    dir?: string;
    sandbox?: Partial<SandboxConfig>;
    imageIdleMs?: number;
    /** The machine's boot as the executor is told it (executor/boot-trust.ts); the kernel's by default. */
    bootId?: string | null;
    /** Where the executor reaches the api (a proxy in front of it); the api itself by default. */
    apiUrl?: string;
    /** How long after receiving an invocation a cold instance may still launch its runtime. */
    prepareLimitMs?: number;
  }): Promise<Executor>;
  /** The key an executor started by startExecutor runs with. */
  keyOf(executorId: string): string;
}

/** The api on its own database, listening on loopback (executors reach it over HTTP), with one in-process executor unless told otherwise. */
export function useFunctionsApp(
  opts: { executor?: boolean; functions?: AppDeps['functions']; deps?: Partial<AppDeps> } = {},
): FunctionsContext {
  const ctx = { executor: null } as FunctionsContext;
  const executors: Executor[] = [];
  beforeAll(async () => {
    ctx.tmp = mkdtempSync(join(tmpdir(), 'tally-fn-test-'));
    ctx.db = await createTestDatabase();
    const migrations = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length;
    const deps: AppDeps = {
      db: ctx.db.db,
      clock: systemClock,
      logger: silentLogger(),
      adminKey: ADMIN_KEY,
      expectedMigrations: migrations,
      functions: opts.functions,
      ...opts.deps,
    };
    ctx.services = buildServices(deps);
    ctx.app = await buildApp(deps, ctx.services);
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const address = ctx.app.server.address() as { port: number };
    ctx.base = `http://127.0.0.1:${address.port}`;
    ctx.fleet = await fleetKey(ctx.app);
    const keys = new Map<string, string>();
    ctx.keyOf = (id) => keys.get(id)!;
    ctx.startExecutor = async (o = {}) => {
      const key = o.key ?? (await fleetKey(ctx.app));
      const started = await startExecutor({
        apiUrl: o.apiUrl ?? ctx.base,
        key,
        host: '127.0.0.1',
        port: 0,
        dir: o.dir ?? mkdtempSync(join(ctx.tmp, 'executor-')),
        capacity: o.capacity ?? 8,
        idleTimeoutMs: 60_000,
        flushIntervalMs: o.flushIntervalMs ?? 100,
        shutdownTimeoutMs: 5_000,
        logLevel: 'silent',
        logger: silentLogger(),
        sandbox: { ...parseSandboxConfig({}), spares: 1, ...o.sandbox },
        // Built once for the whole test run, not once per executor.
        javaRuntimeCache: JAVA_RUNTIME_CACHE,
        imageIdleMs: o.imageIdleMs,
        bootId: o.bootId,
        prepareLimitMs: o.prepareLimitMs,
      });
      keys.set(started.id, key);
      executors.push(started);
      return started;
    };
    if (opts.executor !== false) ctx.executor = await ctx.startExecutor();
  });
  afterAll(async () => {
    await Promise.all(executors.map((e) => e.stop()));
    await ctx.app?.close();
    // pg's pool.end() resolves before its sockets are closed; a forced drop right after can hit a
    // closing client with "terminating connection" (57P01). Let them close first (destroy is idempotent).
    await ctx.db?.db.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await ctx.db?.drop();
    if (ctx.tmp) await removeTestDir(ctx.tmp);
  });
  return ctx;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One HTTP call to the listening api; a Buffer body is sent raw, anything else as JSON. */
export async function call(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const raw = Buffer.isBuffer(body) || typeof body === 'string';
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : raw ? (body as string | Buffer) : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const NODE_ECHO =
  'exports.handler = async (event, context) => ({ echo: event, pid: process.pid, uid: process.getuid(), fn: context.functionName });\n';

/** Deploys a function through the api (JSON body) and returns its configuration. */
export async function deploy(base: string, key: string, name: string, zip: Buffer, settings: Record<string, unknown> = {}) {
  const r = await call(base, key, 'POST', '/v1/functions', { name, runtime: 'nodejs', zipFile: b64(zip), ...settings });
  if (r.status !== 201) throw new Error(`deploy ${name}: ${r.status} ${r.text}`);
  return r.json;
}

/** Deploys NODE_ECHO (or the zip `settings` names) through an app's inject, with an account key; throws unless 201. */
export async function injectDeploy(app: App, key: string, name: string, settings: Record<string, unknown> = {}): Promise<void> {
  const zipFile = b64(makeZip([{ name: 'index.js', data: NODE_ECHO }]));
  const r = await app.inject({
    method: 'POST',
    url: '/v1/functions',
    headers: bearer(key),
    payload: { name, runtime: 'nodejs', zipFile, ...settings },
  });
  if (r.statusCode !== 201) throw new Error(`deploy ${name}: ${r.statusCode} ${r.body}`);
}

/** Usage totals of one function over the last day, as GET /v1/usage reports them. */
export async function usageTotals(base: string, key: string, functionId: string) {
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const r = await call(base, key, 'GET', `/v1/usage?granularity=month&functionId=${functionId}&from=${from}&to=${to}`);
  if (r.status !== 200) throw new Error(`usage: ${r.status} ${r.text}`);
  return r.json.totals as { requests: number; billedMs: number; gbSeconds: string; errors: number; timeouts: number };
}

export { admin };

/** Real time that a test can move forward (ages, windows) while functions run for real. */
export function shiftedClock() {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

/** Polls `probe` until it answers something truthy (or the time is up). */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  for (const end = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 50))) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}
