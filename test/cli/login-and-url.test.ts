import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY, newTenant, useTestApp } from '../helpers/app.js';
import { freshHome, tally } from './helpers.js';

// tally login and the api URL, each found by review (2026-12): a login against something that is not Tally said
// "logged in" and saved the key; a key piped by a writer that keeps the pipe open hung the login for ever; Ctrl-C at
// the key prompt ended it with 13 and no word; a proxy's error page crashed tally invoke with a stack trace; a URL
// without http:// was "cannot reach Tally ... is it running?" (5), and one holding a password printed it.
const t = useTestApp(new Date().toISOString());
let api: App;
let base: string;
/** Not Tally: every path a 404 page. */
let notTally: Server;
let notTallyUrl: string;
/** A proxy whose upstream is down: every path a 502 page. */
let proxy: Server;
let proxyUrl: string;

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  api = await buildApp({ db: t.db.db, clock: t.clock, logger: silentLogger(), adminKey: ADMIN_KEY });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  notTally = createServer((req, res) => {
    req.resume();
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>Not Found</body></html>');
  });
  notTallyUrl = await listen(notTally);
  proxy = createServer((req, res) => {
    req.resume();
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html><body>502 Bad Gateway</body></html>');
  });
  proxyUrl = await listen(proxy);
});
afterAll(async () => {
  await api?.close();
  notTally?.close();
  proxy?.close();
});

const configOf = (home: string) => join(home, '.config', 'tally', 'config.json');

/** Runs the CLI with standard input a pipe that receives `input` and is never closed; killed after `ms`. */
function withOpenPipe(args: string[], env: Record<string, string>, input: string, ms = 15_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
    const child = spawn(process.execPath, ['bin/tally.mjs', ...args], {
      env: { ...process.env, TALLY_CLI_FROM: 'source', TALLY_URL: undefined, TALLY_KEY: undefined, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.write(input);
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

describe('tally login', () => {
  it('against a server that is not Tally (a 404 page): refused, nothing saved', async () => {
    const home = freshHome();
    const r = await tally(['login', '--url', notTallyUrl, '--key', 'tk_whatever'], { HOME: home });
    expect(r.stdout).not.toContain('logged in');
    expect(r.stderr).toContain(`is ${notTallyUrl} a Tally api?`);
    expect(r.code).toBe(4);
    expect(existsSync(configOf(home))).toBe(false);
  });

  it('when the api answers 5xx the key was not checked: refused, nothing saved', async () => {
    const home = freshHome();
    const r = await tally(['login', '--url', proxyUrl, '--key', 'tk_whatever'], { HOME: home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HTTP 502');
    expect(existsSync(configOf(home))).toBe(false);
  });

  it('an admin key is still taken (Tally answers 400, an account is needed)', async () => {
    const home = freshHome();
    const r = await tally(['login', '--url', base, '--key', ADMIN_KEY], { HOME: home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(configOf(home), 'utf8')).profiles.default.key).toBe(ADMIN_KEY);
  });

  it("reads the key from a pipe's first line, even when its writer keeps the pipe open", async () => {
    const a = await newTenant(t.app);
    const home = freshHome();
    const r = await withOpenPipe(['login', '--url', base], { HOME: home }, `${a.accountKey}\n`);
    expect(r.killed, 'the login waited for the pipe to close').toBe(false);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(configOf(home), 'utf8')).profiles.default.key).toBe(a.accountKey);
  }, 30_000);

  it('Ctrl-C at the key prompt (a terminal) interrupts it: 130, nothing saved', async () => {
    const home = freshHome();
    const cmd = `${process.execPath} bin/tally.mjs login --url ${base}; echo "exit=$?"`;
    const r = await new Promise<{ out: string; killed: boolean }>((resolve) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], {
        env: { ...process.env, TALLY_CLI_FROM: 'source', HOME: home, TERM: 'xterm', TALLY_URL: undefined, TALLY_KEY: undefined },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let killed = false;
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('Key:') && !out.includes('\u0003sent')) {
          out += '\u0003sent';
          setTimeout(() => child.stdin.write('tk_half\u0003'), 300);
        }
      });
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, 15_000);
      child.on('close', () => {
        clearTimeout(timer);
        resolve({ out, killed });
      });
    });
    expect(r.killed).toBe(false);
    expect(r.out).toContain('exit=130');
    expect(existsSync(configOf(home))).toBe(false);
  }, 30_000);
});

describe('the api URL', () => {
  it('without http:// is a usage error (2) naming it, not "cannot reach Tally" (5)', async () => {
    const r = await tally(['functions'], { HOME: freshHome(), TALLY_URL: base.replace('http://', ''), TALLY_KEY: 'tk_x' });
    expect(r.stderr).toContain('is not a URL');
    expect(r.code).toBe(2);
    const other = await tally(['functions'], { HOME: freshHome(), TALLY_URL: 'localhost:3000', TALLY_KEY: 'tk_x' });
    expect(other.stderr).toContain('is not http:// or https://');
    expect(other.code).toBe(2);
  });

  it('holding a password is refused without printing it', async () => {
    const r = await tally(['functions'], {
      HOME: freshHome(),
      TALLY_URL: base.replace('http://', 'http://me:hunter2@'),
      TALLY_KEY: 'tk_x',
    });
    expect(`${r.stdout}${r.stderr}`).not.toContain('hunter2');
    expect(r.code).toBe(2);
  });
});

describe('a key no header can carry', () => {
  it('is a key error (3) that does not print it, not "cannot reach Tally" (5)', async () => {
    for (const key of ['tly_a_secret\u0001part', 'tly_a_secret\u2019part']) {
      const r = await tally(['functions'], { HOME: freshHome(), TALLY_URL: base, TALLY_KEY: key });
      expect(r.stderr).not.toContain('secret');
      expect(r.stderr).not.toContain('cannot reach');
      expect(r.stderr).toContain('TALLY_URL/TALLY_KEY');
      expect(r.code).toBe(3);
    }
  });
});

describe('tally invoke behind a proxy whose upstream is down', () => {
  it('reports the 502 on one line and exits 1, with no stack trace', async () => {
    const r = await tally(['invoke', 'fn'], { HOME: freshHome(), TALLY_URL: proxyUrl, TALLY_KEY: 'tk_x' });
    expect(r.stderr.trim()).toBe('error HTTP 502 Bad Gateway');
    expect(r.code).toBe(1);
  });
});
