import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './pg-cluster.js';

/** An api process of its own, as an operator runs it. */
export interface ApiProcess {
  child: ChildProcess;
  base: string;
  port: number;
  /** The ports it was given, by env variable (PORT, and those of `portEnv`). */
  ports: Record<string, number>;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string | null>;
  /** SIGTERM, then how long it took to exit and with what code. */
  terminate(): Promise<{ code: number | string | null; ms: number }>;
}

/** How often a start is tried again when a port picked for it was taken before the api bound it. */
const PORT_ATTEMPTS = 3;

/**
 * Spawns `argv` (default: the api from source through tsx) with `env` on a free port and waits for
 * `/readyz` (or `/healthz` with `waitFor: 'healthz'`). The env variables named in `portEnv` get free
 * ports of their own too (read them from `ports`). A port picked here is free when picked, but
 * another process may bind it before the api does (a parallel test's listen on port 0): the start is
 * then tried again on fresh ports.
 */
export async function startApi(
  env: Record<string, string | undefined>,
  opts: { argv?: string[]; waitFor?: 'readyz' | 'healthz'; timeoutMs?: number; portEnv?: string[]; detached?: boolean } = {},
): Promise<ApiProcess> {
  for (let attempt = 1; ; attempt++) {
    const picked: Record<string, string> = {};
    for (const name of [...(env.PORT ? [] : ['PORT']), ...(opts.portEnv ?? [])]) picked[name] = String(await freePort());
    try {
      return await launch({ ...env, ...picked }, opts);
    } catch (err) {
      const taken = err instanceof Error && /EADDRINUSE/.test(err.message);
      if (!taken || Object.keys(picked).length === 0 || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

async function launch(
  env: Record<string, string | undefined>,
  opts: { argv?: string[]; waitFor?: 'readyz' | 'healthz'; timeoutMs?: number; detached?: boolean },
): Promise<ApiProcess> {
  const port = Number(env.PORT);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, opts.argv ?? ['--import', 'tsx', 'src/server.ts'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    // As in a terminal: the leader of its own process group (what Ctrl-C signals whole).
    detached: opts.detached === true,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const base = `http://127.0.0.1:${port}`;
  const ports = Object.fromEntries(
    Object.entries(env)
      .filter(([k, v]) => /PORT$/.test(k) && v !== undefined)
      .map(([k, v]) => [k, Number(v)]),
  );
  const api: ApiProcess = {
    child,
    base,
    port,
    ports,
    output: () => out,
    exited,
    async terminate() {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
  const path = opts.waitFor === 'healthz' ? '/healthz' : '/readyz';
  for (const end = Date.now() + (opts.timeoutMs ?? 60_000); Date.now() < end; ) {
    if (child.exitCode !== null) throw new Error(`the api exited with ${child.exitCode}: ${out}`);
    try {
      if ((await fetch(base + path)).ok) return api;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`no ${path} within the time allowed: ${out}`);
}

export async function callApi(base: string, key: string | null, method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
