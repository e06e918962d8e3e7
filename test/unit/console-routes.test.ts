import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleRoutes, DEFAULT_CONSOLE_DIR } from '../../src/modules/console/console.routes.js';
import { removeTestDir } from '../helpers/cleanup.js';

const tmp = mkdtempSync(join(tmpdir(), 'tally-console-routes-'));
afterAll(() => removeTestDir(tmp));

async function serve(dir: string) {
  const app = Fastify();
  await app.register(consoleRoutes({ dir }));
  await app.ready();
  return app;
}

describe('/console', () => {
  it('serves the built page at /console and /console/, and its hashed assets cached for good', async () => {
    const dir = join(tmp, 'built');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>Tally console</title><script src="/console/assets/index-abc.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    const app = await serve(dir);
    for (const url of ['/console', '/console/']) {
      const page = await app.inject({ url });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('<title>Tally console</title>');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const asset = await app.inject({ url: '/console/assets/index-abc.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/console/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/console/../package.json' })).statusCode).toBe(404);
    await app.close();
  });

  it('says how to build the console when its files are missing, instead of a bare 404', async () => {
    const app = await serve(join(tmp, 'never-built'));
    for (const url of ['/console', '/console/assets/index.js']) {
      const r = await app.inject({ url });
      expect(r.statusCode).toBe(503);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body).toContain('npm run build:console');
    }
    await app.close();
  });

  it('serves the console once it is built, without a restart, as the not-built page promises', async () => {
    const dir = join(tmp, 'built-later');
    const app = await serve(dir);
    const before = await app.inject({ url: '/console' });
    expect(before.statusCode).toBe(503);
    expect(before.body).toContain('then reload this page');
    // `npm run build:console` while the api runs.
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Tally console</title>');
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    for (const url of ['/console', '/console/']) {
      const page = await app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body).toContain('<title>Tally console</title>');
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    expect((await app.inject({ url: '/console/assets/index-abc.js' })).statusCode).toBe(200);
    await app.close();
  });

  it('looks for the build beside the code: console/dist in a checkout, dist/console/dist when compiled', () => {
    expect(DEFAULT_CONSOLE_DIR.replace(/\/$/, '')).toMatch(/\/console\/dist$/);
  });
});
