import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { removeTestDir } from '../helpers/cleanup.js';
import { makeZip } from '../helpers/functions.js';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApi, type ApiProcess } from '../helpers/process.js';

/** Tally as `npm start` runs it: no DATABASE_URL, so the embedded Postgres in a fresh data folder. */
type Running = Pick<ApiProcess, 'child' | 'output' | 'base'>;

const dataDir = mkdtempSync(join(tmpdir(), 'tally-server-test-'));
afterAll(() => removeTestDir(dataDir));

/**
 * `npm start` as a user runs it: the embedded Postgres (no DATABASE_URL), the default host.
 * `detached`: as in a terminal, the leader of its own process group (what Ctrl-C signals whole).
 */
async function start(extraEnv: Record<string, string> = {}, opts: { detached?: boolean } = {}): Promise<Running> {
  return startApi({ TALLY_DATA_DIR: dataDir, DATABASE_URL: undefined, HOST: undefined, ...extraEnv }, opts);
}

const stop = (r: Running) =>
  new Promise<number | null>((resolve) => {
    r.child.once('exit', (code) => resolve(code));
    r.child.kill('SIGTERM');
  });

async function call(base: string, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as any };
}

/** A start that is expected to fail: its exit code and what it wrote to stderr. */
async function failedStart(env: Record<string, string>): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, err };
}

/** Posts a body and sends SIGTERM the moment it has been written: the answer must still come back whole. */
function postThenTerminate(r: Running, key: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(`${r.base}/v1/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(payload, () => setTimeout(() => r.child.kill('SIGTERM'), 5));
  });
}

describe('npm start on the embedded database', () => {
  it('prints a generated admin key once, ingests and queries, drains on SIGTERM, and keeps its data across restarts', async () => {
    const first = await start();
    const printed = /Tally admin key \(shown once, store it now\): (\S+)/.exec(first.output());
    expect(printed).not.toBeNull();
    const adminKey = printed![1]!;

    const account = await call(first.base, adminKey, 'POST', '/v1/accounts', { name: 'startup' });
    expect(account.status).toBe(201);
    const executor = await call(first.base, adminKey, 'POST', `/v1/accounts/${account.json.id}/keys`, { role: 'executor' });
    const reader = await call(first.base, adminKey, 'POST', `/v1/accounts/${account.json.id}/keys`, { role: 'account' });
    const startedAt = new Date().toISOString();
    const event = () => ({
      invocationId: randomUUID(),
      accountId: account.json.id,
      functionId: 'f',
      architecture: 'x86_64',
      memoryMb: 128,
      durationMs: 10,
      startedAt,
      status: 'success',
    });
    const ingested = await call(first.base, executor.json.key, 'POST', '/v1/usage', { events: [event(), event()] });
    expect(ingested.json).toMatchObject({ accepted: 2 });

    // In flight when SIGTERM arrives: answered in full (or refused whole with 503), never cut off.
    const inFlight = await postThenTerminate(first, executor.json.key, { events: Array.from({ length: 5000 }, event) });
    expect([200, 503]).toContain(inFlight.status);
    const drained = inFlight.status === 200 ? JSON.parse(inFlight.body).accepted : 0;
    expect(await new Promise((resolve) => first.child.once('exit', resolve))).toBe(0);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const second = await start();
    try {
      // At once, while its executor may still be building its sandbox: the invocation waits for it, no 503.
      const zipFile = makeZip([{ name: 'index.js', data: 'exports.handler = async () => ({ uid: process.getuid() });\n' }]).toString(
        'base64',
      );
      const deployed = await call(second.base, reader.json.key, 'POST', '/v1/functions', { name: 'early', runtime: 'nodejs', zipFile });
      expect(deployed.status).toBe(201);
      const early = await call(second.base, reader.json.key, 'POST', '/v1/functions/early/invoke', {});
      expect(early.status, JSON.stringify(early.json)).toBe(200);
      expect(early.json.uid).toBeGreaterThanOrEqual(1_000_000_000);
      expect(second.output()).not.toContain('Tally admin key');
      // The two ingested, the drained batch, and the early invocation once its executor reported it.
      await expect
        .poll(async () => (await call(second.base, reader.json.key, 'GET', '/v1/usage?granularity=month')).json.totals.requests, {
          timeout: 10_000,
        })
        .toBe(3 + drained);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  }, 120_000);

  it('Ctrl-C in its terminal (SIGINT to the whole process group) lets an invocation in flight finish', async () => {
    const ownDir = mkdtempSync(join(tmpdir(), 'tally-server-ctrlc-'));
    const adminKey = 'ctrl_c_admin_key_0123456789abcdef';
    const r = await start({ TALLY_DATA_DIR: ownDir, TALLY_ADMIN_KEY: adminKey }, { detached: true });
    const group = r.child.pid!;
    try {
      const account = await call(r.base, adminKey, 'POST', '/v1/accounts', { name: 'ctrl-c' });
      const key = (await call(r.base, adminKey, 'POST', `/v1/accounts/${account.json.id}/keys`, { role: 'account' })).json.key;
      const code = 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return { done: true }; };\n';
      const zipFile = makeZip([{ name: 'index.js', data: code }]).toString('base64');
      expect((await call(r.base, key, 'POST', '/v1/functions', { name: 'slow', runtime: 'nodejs', zipFile, timeoutS: 10 })).status).toBe(
        201,
      );
      expect((await call(r.base, key, 'POST', '/v1/functions/slow/invoke', {})).json).toEqual({ done: true }); // warm
      const inFlight = call(r.base, key, 'POST', '/v1/functions/slow/invoke', {});
      await new Promise((resolve) => setTimeout(resolve, 500));
      process.kill(-group, 'SIGINT');
      // The instance was not in the terminal's group: it ran to its end while the api drained.
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ done: true });
      await new Promise((resolve) => (r.child.exitCode !== null ? resolve(null) : r.child.once('exit', resolve)));
    } finally {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        /* gone already */
      }
      removeTestDir(ownDir);
    }
  }, 120_000);

  it('refuses a bad setting at start-up, naming the variable', async () => {
    const { code, err } = await failedStart({ PORT: 'eighty', TALLY_DATA_DIR: dataDir });
    expect(code).toBe(2);
    expect(err).toContain('PORT');
  });

  it('holds its port from start-up: a port in use fails before the embedded database is made', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const fresh = mkdtempSync(join(tmpdir(), 'tally-port-taken-'));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const { code, err } = await failedStart({ PORT: String(port), HOST: '127.0.0.1', TALLY_DATA_DIR: fresh, DATABASE_URL: '' });
      expect(code).toBe(1);
      expect(err).toContain('EADDRINUSE');
      // Without the hold, the database folder was made and migrated before the listen failed.
      expect(existsSync(join(fresh, 'pg'))).toBe(false);
    } finally {
      blocker.close();
      await removeTestDir(fresh);
    }
  });
});
