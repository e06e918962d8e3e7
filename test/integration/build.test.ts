import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { callApi, startApi, type ApiProcess } from '../helpers/process.js';

const run = promisify(execFile);
const ADMIN_KEY = 'build_admin_key_0123456789abcdef';

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

/** The production build: `npm run build`, then the compiled api as the image runs it (`node dist/src/server.js`). */
describe('the compiled api', () => {
  let db: TestDatabase;
  let api: ApiProcess;
  let adminPort: number;

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { timeout: 180_000 });
    db = await createTestDatabase();
    api = await startApi(
      {
        DATABASE_URL: db.ownerUrl,
        TALLY_APP_DATABASE_URL: db.url,
        TALLY_ADMIN_KEY: ADMIN_KEY,
        TALLY_EXECUTOR: 'off',
        NODE_ENV: 'production',
      },
      { argv: ['dist/src/server.js'], portEnv: ['TALLY_ADMIN_PORT'] },
    );
    adminPort = api.ports.TALLY_ADMIN_PORT!;
  }, 240_000);

  afterAll(async () => {
    // A step of the shutdown that overran its share of the grace period exits 1; its log line names the step.
    if (api) {
      const { code } = await api.terminate();
      expect(code, `the compiled api exited ${code} on SIGTERM; its last output:\n${api.output().slice(-4000)}`).toBe(0);
    }
    await db?.drop();
  });

  it('has its migrations, the runtime bootstraps and the answer clock beside the compiled code', () => {
    expect(existsSync('dist/src/server.js')).toBe(true);
    expect(existsSync('dist/executor/main.js')).toBe(true);
    expect(readdirSync('dist/migrations')).toEqual(readdirSync('migrations'));
    expect(existsSync('dist/executor/bootstrap/node/bootstrap.mjs')).toBe(true);
    expect(existsSync('dist/executor/bootstrap/python/bootstrap.py')).toBe(true);
    // Where dist/executor/runtime/answer-clock.js loads it from (docs/billing-clock.md).
    expect(existsSync('dist/executor/native/build/answer-clock.node')).toBe(true);
  });

  it('runs the answer clock from dist/', async () => {
    const script = "const m = await import('./dist/executor/runtime/answer-clock.js'); console.log(JSON.stringify(m.answerClockOff));";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(stdout.trim()).toBe('null');
  });

  it('imports nothing but Node.js and the production dependencies', () => {
    const deps = new Set(Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).dependencies as object));
    const builtins = new Set(builtinModules);
    const outside = new Set<string>();
    for (const file of jsFiles('dist')) {
      for (const [, fromSpec, dynamicSpec] of readFileSync(file, 'utf8').matchAll(
        /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm,
      )) {
        const spec = fromSpec ?? dynamicSpec;
        if (!spec || spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!deps.has(name)) outside.add(`${name} (${file})`);
      }
    }
    expect([...outside]).toEqual([]);
  });

  it('serves health and the API publicly, and metrics and docs only on the admin listener', async () => {
    expect((await callApi(api.base, null, 'GET', '/healthz')).json).toEqual({ status: 'ok' });
    expect((await callApi(api.base, null, 'GET', '/readyz')).json).toMatchObject({ status: 'ready' });
    expect((await callApi(api.base, ADMIN_KEY, 'POST', '/v1/accounts', { name: 'compiled' })).status).toBe(201);
    for (const path of ['/metrics', '/docs', '/docs/json', '/docs/static/index.html']) {
      const hidden = await callApi(api.base, null, 'GET', path);
      expect(hidden.status, path).toBe(404);
      expect(hidden.json.error).toMatchObject({ code: 'ROUTE_NOT_FOUND', requestId: expect.any(String) });
    }
    const admin = `http://127.0.0.1:${adminPort}`;
    const metrics = await callApi(admin, null, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/tally_http_request_seconds_count\{method="POST",route="\/v1\/accounts",status="201"\} 1/);
    expect((await callApi(admin, null, 'GET', '/docs/json')).json.openapi).toMatch(/^3\./);
    expect((await callApi(admin, null, 'GET', '/readyz')).status).toBe(200);
    expect((await callApi(admin, ADMIN_KEY, 'GET', '/v1/accounts')).status).toBe(404);
  });

  it('serves the web console built into dist/console/dist at /console', async () => {
    expect(existsSync('dist/console/dist/index.html')).toBe(true);
    const page = await fetch(`${api.base}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${api.base}${script}`)).status).toBe(200);
  });

  it('runs the tally CLI from dist/ (bin/tally.mjs without tsx)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tally-cli-home-'));
    const env = { ...process.env, TALLY_URL: api.base, TALLY_KEY: ADMIN_KEY, TALLY_CLI_FROM: 'dist', HOME: home };
    const version = await run(process.execPath, ['bin/tally.mjs', '--version'], { env });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    // An admin key is not an account: the api asks for one (400), the CLI exits 2 with the api's code.
    const list = await run(process.execPath, ['bin/tally.mjs', 'functions'], { env }).catch((e) => e);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain('ACCOUNT_REQUIRED');
  });
});
