import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY, bearer, newTenant, useTestApp } from '../helpers/app.js';
import { freshHome, tally } from './helpers.js';

// `tally deploy` on an existing function publishes the code (a new version, live at once), then applies the settings
// given. When the api refused a setting the command said only "error VALIDATION_FAILED: ...", so the user took the
// deploy for undone while the new code was already the latest version, under the old settings (found by review).
const t = useTestApp(new Date().toISOString());
let api: App;
let base: string;

beforeAll(async () => {
  api = await buildApp({ db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api?.close();
});

describe('tally deploy, a setting refused after the code was published', () => {
  it('says the code is live as the new version and the settings were not applied; exits 2', async () => {
    const a = await newTenant(t.app);
    const env = { TALLY_URL: base, TALLY_KEY: a.accountKey, HOME: freshHome() };
    const dir = mkdtempSync(join(tmpdir(), 'tally-cli-fn-'));
    writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => 1;');
    const created = await tally(['deploy', dir, '--name', 'fn', '--runtime', 'nodejs', '--handler', 'index.handler'], env);
    expect(created.code, created.stderr).toBe(0);

    writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => 2;');
    const r = await tally(['deploy', dir, '--name', 'fn', '--memory', '1'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/VALIDATION_FAILED/);
    const latest = await t.app.inject({ method: 'GET', url: '/v1/functions/fn', headers: bearer(a.accountKey) });
    const fn = latest.json() as { version: number; memoryMb: number };
    expect(fn.version).toBe(2);
    expect(r.stderr).toContain('the code was published as fn version 2');
    expect(r.stderr).toContain('settings were not applied');
  });
});
