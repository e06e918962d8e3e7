import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY, admin, bearer, newTenant, useTestApp, postLogLine } from '../helpers/app.js';
import { freshHome, type Run } from './helpers.js';

// `tally logs -f` against the real api, ended by the api: a revoked key (an `event: error` naming
// UNAUTHENTICATED), or the api stopping. The CLI printed the error event as if it were a log line
// ("undefined -------- The API key has been revoked") and exited 0 either way, so a script (or a
// loop that restarts the follower when it fails) took a follower cut off for one that was done
// (found by review).
const t = useTestApp(new Date().toISOString());
const replicas: App[] = [];
afterAll(async () => {
  for (const r of replicas) await r.close();
});

/** An api replica of its own on the test's database, listening on a port. */
async function replica(): Promise<{ app: App; base: string }> {
  const app = await buildApp({ db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY });
  await app.listen({ port: 0, host: '127.0.0.1' });
  replicas.push(app);
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

/** `tally logs <fn> -f` running; `seen` what it printed so far, `done` how it ended. */
function follow(base: string, key: string, fn: string) {
  const child = spawn(process.execPath, ['bin/tally.mjs', 'logs', fn, '-f'], {
    env: { ...process.env, TALLY_CLI_FROM: 'source', TALLY_URL: base, TALLY_KEY: key, HOME: freshHome(), TALLY_PROFILE: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  void done.then(() => clearTimeout(timer));
  return { seen: () => stdout, done };
}

async function writeLine(accountId: string, executorKey: string, fn: string, message: string) {
  const r = await postLogLine(t.app, executorKey, { accountId, functionName: fn }, message);
  expect(r.statusCode, r.body).toBe(200);
}

describe('tally logs -f, ended by the api', () => {
  it('a key revoked while following: exit 3, the reason on standard error, nothing posing as a log line', async () => {
    const { base } = await replica();
    const a = await newTenant(t.app);
    const created = await t.app.inject({ method: 'POST', url: `/v1/accounts/${a.id}/keys`, headers: admin, payload: { role: 'account' } });
    const key = created.json() as { id: string; key: string };
    const f = follow(base, key.key, 'fn');
    await expect
      .poll(
        async () => {
          await writeLine(a.id, a.executorKey, 'fn', 'followed line');
          return f.seen();
        },
        { timeout: 15_000, interval: 1_000 },
      )
      .toContain('followed line');

    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${key.id}`, headers: bearer(a.accountKey) });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const r = await f.done;
    expect(r.stdout).not.toContain('undefined');
    expect(r.stdout).not.toContain('revoked');
    expect(r.stderr).toContain('UNAUTHENTICATED');
    expect(r.code).toBe(3);
  }, 40_000);

  it('the api stopping: the follower ends with an error naming the api, not exit 0', async () => {
    const { app, base } = await replica();
    const a = await newTenant(t.app);
    const f = follow(base, a.accountKey, 'fn');
    await expect
      .poll(
        async () => {
          await writeLine(a.id, a.executorKey, 'fn', 'before the api stops');
          return f.seen();
        },
        { timeout: 15_000, interval: 1_000 },
      )
      .toContain('before the api stops');
    await app.close();
    const r = await f.done;
    expect(r.stderr).toContain(base);
    expect(r.code).toBe(5);
  }, 40_000);
});
