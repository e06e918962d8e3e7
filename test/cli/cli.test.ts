import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, bearer, newTenant, usageEvent } from '../helpers/app.js';
import { until, useFunctionsApp } from '../helpers/functions.js';
import { freshHome, tally } from './helpers.js';

const t = useFunctionsApp();
let tenant: Awaited<ReturnType<typeof newTenant>>;
let env: Record<string, string>;
let dir: string;

const HANDLER = `
exports.handler = async (event) => {
  console.log('hello from the cli test', JSON.stringify(event));
  if (event.fail) throw new TypeError('asked to fail');
  return { hello: event.name ?? 'world' };
};
`;

/** The month before this one (usage there can be invoiced now). */
function lastMonth(): string {
  const d = new Date();
  const prev = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
  return prev.toISOString().slice(0, 7);
}

beforeAll(async () => {
  tenant = await newTenant(t.app);
  env = { TALLY_URL: t.base, TALLY_KEY: tenant.accountKey, HOME: freshHome() };
  dir = mkdtempSync(join(tmpdir(), 'tally-cli-fn-'));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'index.js'), HANDLER);
  writeFileSync(join(dir, 'lib', 'data.json'), '{"kept":true}');
});

describe('tally functions and deploy', () => {
  it('lists no functions on a new account, as text and as JSON', async () => {
    const text = await tally(['functions'], env);
    expect(text).toMatchObject({ code: 0 });
    expect(text.stdout).toContain('no functions yet');
    const json = await tally(['functions', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ functions: [] });
  });

  it('deploy zips the folder, creates the function and prints its version; again: a new version', async () => {
    const created = await tally(['deploy', dir, '--name', 'hello', '--runtime', 'nodejs', '--handler', 'index.handler'], env);
    expect(created.stderr).toMatch(/zipped 2 files/);
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toMatch(/created hello version 1\b/);
    expect(created.stdout).not.toContain('\u001b['); // no colours on a pipe

    const updated = await tally(['deploy', dir, '--name', 'hello', '--memory', '256', '--json'], env);
    expect(updated.code).toBe(0);
    const fn = JSON.parse(updated.stdout);
    expect(fn).toMatchObject({ name: 'hello', memoryMb: 256, runtime: 'nodejs', handler: 'index.handler' });
    expect(fn.version).toBeGreaterThan(1);

    const list = await tally(['functions'], env);
    expect(list.stdout).toMatch(/^NAME\s+RUNTIME\s+HANDLER\s+MEMORY/m);
    expect(list.stdout).toMatch(new RegExp(`^hello\\s+nodejs\\s+index\\.handler\\s+256 MB\\s+x86_64\\s+${fn.version}\\s`, 'm'));
    // Reserved concurrency per function, and what the account's functions share.
    expect(list.stdout).toMatch(/\s-\n/);
    expect(list.stdout).toMatch(/concurrency: 1000 for the account, 0 reserved by functions, 1000 shared by the others/);

    // The operator's limit for this account, when one is set.
    const raised = await t.app.inject({
      method: 'PUT',
      url: `/v1/accounts/${tenant.id}/concurrency-limit`,
      headers: admin,
      payload: { limit: 2500, reason: 'quota raise' },
    });
    expect(raised.statusCode, raised.body).toBe(200);
    const again = await tally(['functions'], env);
    expect(again.stdout).toMatch(/concurrency: 2500 for the account, 0 reserved by functions, 2500 shared by the others/);
  });

  it('deploy: a new function without --runtime is a usage error (2); a missing folder too', async () => {
    const r = await tally(['deploy', dir, '--name', 'other', '--handler', 'index.handler'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--runtime and --handler are needed');
    expect((await tally(['deploy', join(dir, 'nope'), '--name', 'x'], env)).code).toBe(2);
    expect((await tally(['deploy', dir, '--name', 'x', '--memory', 'lots'], env)).code).toBe(2);
  });

  it('the api refusing a setting is a usage error (2), with its code', async () => {
    const r = await tally(['deploy', dir, '--name', 'bad', '--runtime', 'nodejs', '--handler', 'index.handler', '--memory', '1'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/VALIDATION_FAILED/);
  });
});

describe('on a terminal', () => {
  it('deploy shows upload progress and colours (under script(1), a pseudo-terminal)', async () => {
    const cmd = `${process.execPath} bin/tally.mjs deploy ${dir} --name tty-fn --runtime nodejs --handler index.handler`;
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], {
        env: { ...process.env, ...env, TALLY_CLI_FROM: 'source', TERM: 'xterm' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stdin.end();
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/█+ 100% [\d.]+ (B|KB) \/ [\d.]+ (B|KB)/);
    expect(r.out).toContain('\u001b[32m✓\u001b[39m created \u001b[1mtty-fn\u001b[22m version \u001b[1m1\u001b[22m');
  });
});

describe('tally invoke', () => {
  it('prints the result (inline JSON or @file) and exits 0', async () => {
    const r = await tally(['invoke', 'hello', '--data', '{"name":"Ada"}'], env);
    expect(r).toMatchObject({ code: 0 });
    expect(JSON.parse(r.stdout)).toEqual({ hello: 'Ada' });
    const file = join(dir, '..', `event-${Date.now()}.json`);
    writeFileSync(file, '{"name":"Grace"}');
    const f = await tally(['invoke', 'hello', '--data', `@${file}`, '--json', '--log'], env);
    expect(f.code).toBe(0);
    const out = JSON.parse(f.stdout);
    expect(out).toMatchObject({ result: { hello: 'Grace' }, functionError: null });
    expect(out.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(f.stderr).toContain('hello from the cli test');
    expect(f.stderr).toMatch(/REPORT RequestId/);
  });

  it('a function error prints the error JSON and exits 1', async () => {
    const r = await tally(['invoke', 'hello', '--data', '{"fail":true}'], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ errorType: 'TypeError', errorMessage: 'asked to fail' });
    expect(r.stderr).toContain('function error');
  });

  it('--async queues the event and prints its request id', async () => {
    const r = await tally(['invoke', 'hello', '--async', '--json'], env);
    expect(r.code).toBe(0);
    const { requestId } = JSON.parse(r.stdout);
    const status = await fetch(`${t.base}/v1/invocations/${requestId}`, { headers: bearer(tenant.accountKey) });
    expect(status.status).toBe(200);
  });

  it('exit codes: bad JSON 2, unknown function 4, bad key 3, no key 3, api unreachable 5', async () => {
    expect((await tally(['invoke', 'hello', '--data', '{nope'], env)).code).toBe(2);
    const missing = await tally(['invoke', 'nope'], env);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/FUNCTION_NOT_FOUND/);
    expect((await tally(['invoke', 'hello'], { ...env, TALLY_KEY: 'tk_wrong' })).code).toBe(3);
    expect((await tally(['functions'], { HOME: freshHome(), TALLY_URL: t.base })).code).toBe(3);
    const down = await tally(['functions'], { ...env, TALLY_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(5);
    expect(down.stderr).toContain('cannot reach Tally at http://127.0.0.1:9');
    expect((await tally(['frobnicate'], env)).code).toBe(2);
  });
});

describe('tally usage, invoices, budgets', () => {
  it('usage --by function: a table of what the invocations used, and --json', async () => {
    const json = await until('usage of hello', async () => {
      const r = await tally(['usage', '--by', 'function', '--json'], env);
      const u = JSON.parse(r.stdout);
      return u.buckets.find((b: { functionId: string; requests: number }) => b.functionId === 'hello' && b.requests >= 3) ? u : null;
    });
    const hello = json.buckets.find((b: { functionId: string }) => b.functionId === 'hello');
    const text = await tally(['usage', '--by', 'function'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/MONTH\s+FUNCTION\s+REQUESTS\s+BILLED MS\s+GB-SECONDS\s+ERRORS\s+TIMEOUTS/);
    const row = text.stdout.split('\n').find((l) => /\shello\s/.test(l))!;
    expect(row.trim().split(/\s+/)).toEqual([
      expect.stringMatching(/^\d{4}-\d{2}$/),
      'hello',
      String(hello.requests),
      String(hello.billedMs),
      hello.gbSeconds,
      String(hello.errors),
      String(hello.timeouts),
    ]);
    expect(hello.errors).toBeGreaterThanOrEqual(1);
    expect(text.stdout).toMatch(/^total\s/m);
    expect((await tally(['usage', '--month', '2026-13'], env)).code).toBe(2);
  });

  it('invoices: the list, one invoice with its lines, CSV and HTML; an unknown id exits 4', async () => {
    const period = lastMonth();
    const events = [1, 2, 3].map(() =>
      usageEvent(tenant.id, { functionId: 'hello', startedAt: `${period}-10T10:00:00.000Z`, durationMs: 1200 }),
    );
    const post = await fetch(`${t.base}/v1/usage`, {
      method: 'POST',
      headers: { ...bearer(tenant.executorKey), 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    expect(post.status).toBe(200);
    const run = await fetch(`${t.base}/v1/invoices/run`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ period }),
    });
    expect(run.status).toBe(200);

    const list = await tally(['invoices', '--json'], env);
    const invoice = JSON.parse(list.stdout).invoices.find((i: { period: string }) => i.period === period);
    expect(invoice).toMatchObject({ status: 'finalized' });
    const table = await tally(['invoices'], env);
    expect(table.stdout).toMatch(new RegExp(`^${invoice.id}\\s+${period}\\s+finalized\\s+${invoice.total.replace('.', '\\.')}\\s+`, 'm'));

    const one = await tally(['invoices', invoice.id], env);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`total ${invoice.total} ${invoice.currency}`);
    for (const line of invoice.lines) expect(one.stdout).toContain(line.description);

    const csv = await tally(['invoices', invoice.id, '--csv'], env);
    expect(csv.code).toBe(0);
    const direct = await fetch(`${t.base}/v1/invoices/${invoice.id}`, { headers: { ...bearer(tenant.accountKey), accept: 'text/csv' } });
    expect(csv.stdout).toBe(await direct.text());
    const html = await tally(['invoices', invoice.id, '--html'], env);
    expect(html.stdout).toMatch(/^<!doctype html>/i);

    expect((await tally(['invoices', 'inv_nope'], env)).code).toBe(4);
    expect((await tally(['invoices', '--csv'], env)).code).toBe(2);
  });

  it('budgets: a table and JSON', async () => {
    const created = await fetch(`${t.base}/v1/budgets`, {
      method: 'POST',
      headers: { ...bearer(tenant.accountKey), 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '12.50', thresholds: [50, 100], hardCap: true }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const text = await tally(['budgets'], env);
    expect(text.stdout).toMatch(new RegExp(`^${id}\\s+12\\.50 USD\\s+actual\\s+50% 100%\\s+all\\s+yes`, 'm'));
    const json = JSON.parse((await tally(['budgets', '--json'], env)).stdout);
    expect(json.budgets.map((b: { id: string }) => b.id)).toContain(id);
  });
});

describe('tally login and profiles', () => {
  it('saves a checked key to ~/.config/tally/config.json (0600); commands then need no environment', async () => {
    const home = freshHome();
    const r = await tally(['login', '--url', t.base], { HOME: home }, `${tenant.accountKey}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('logged in');
    const path = join(home, '.config', 'tally', 'config.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      current: 'default',
      profiles: { default: { url: t.base, key: tenant.accountKey } },
    });
    const list = await tally(['functions', '--json'], { HOME: home });
    expect(JSON.parse(list.stdout).functions.map((f: { name: string }) => f.name)).toContain('hello');

    const other = await newTenant(t.app);
    expect((await tally(['login', '--profile', 'other', '--url', t.base, '--key', other.accountKey], { HOME: home })).code).toBe(0);
    // The last login is current; --profile picks another; an unknown profile is a usage error.
    expect(JSON.parse((await tally(['functions', '--json'], { HOME: home })).stdout).functions).toEqual([]);
    const mine = JSON.parse((await tally(['--profile', 'default', 'functions', '--json'], { HOME: home })).stdout);
    expect(mine.functions.map((f: { name: string }) => f.name)).toContain('hello');
    expect((await tally(['functions', '--profile', 'nope'], { HOME: home })).code).toBe(2);
  });

  it('refuses a wrong key with exit 3 and writes nothing', async () => {
    const home = freshHome();
    const r = await tally(['login', '--url', t.base, '--key', 'tk_wrong'], { HOME: home });
    expect(r.code).toBe(3);
    expect(() => statSync(join(home, '.config', 'tally', 'config.json'))).toThrow();
  });
});

describe('tally logs against the api', () => {
  it('shows the lines the function wrote and its REPORT line, with request ids, once the executor shipped them', async () => {
    const inv = await tally(['invoke', 'hello', '--data', '{"name":"logs-from-the-cli"}', '--json'], env);
    expect(inv.code).toBe(0);
    const lines = await until(
      'the invocation lines through tally logs',
      async () => {
        const r = await tally(['logs', 'hello', '--json', '--filter', 'logs-from-the-cli'], env);
        if (r.code !== 0) return null;
        const events = r.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { requestId: string | null; message: string });
        return events.length > 0 ? events : null;
      },
      30_000,
    );
    expect(lines[0]!.message).toContain('hello from the cli test');
    const requestId = lines[0]!.requestId!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const report = await tally(['logs', 'hello', '--filter', `REPORT RequestId: ${requestId}`], env);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(requestId.slice(0, 8));
    expect(report.stdout).toMatch(/Billed Duration: \d+ ms/);
  });
});
