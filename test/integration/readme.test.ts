import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { type ApiProcess, startApi } from '../helpers/process.js';

/**
 * The README's quick examples run as written: every shell block marked `<!-- readme-test: run -->`
 * ("Try it" and "Functions"), in order, as one bash script against a real `npm start`-style api
 * (its own executor), on a machine with only Node.js, curl and coreutils assumed. Placeholders in
 * angle brackets and the address are the only things filled in.
 */
const ADMIN_KEY = 'readme_admin_key_0123456789abcdef';
const MARKER = /<!-- readme-test: run -->\n```sh\n([\s\S]*?)```/g;

function runnableBlocks(readme: string): string[] {
  return [...readme.matchAll(MARKER)].map((m) => m[1]!);
}

let db: TestDatabase;
let api: ApiProcess;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi({
    DATABASE_URL: db.ownerUrl,
    TALLY_APP_DATABASE_URL: db.url,
    TALLY_ADMIN_KEY: ADMIN_KEY,
    TALLY_DATA_DIR: mkdtempSync(join(tmpdir(), 'tally-readme-data-')),
  });
}, 120_000);

afterAll(async () => {
  await api?.terminate();
  await db?.drop();
});

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('README', () => {
  it('"Try it" and "Functions" run as written and answer what the README shows', async () => {
    const blocks = runnableBlocks(readFileSync('README.md', 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const script = blocks
      .join('\n')
      .replaceAll('<the admin key printed at first start>', ADMIN_KEY)
      .replaceAll('localhost:3000', `127.0.0.1:${api.port}`);
    expect(script).not.toMatch(/uuidgen|\bjq\b|<[a-z][^>]*>/);
    const r = await bash(script, {
      ...process.env,
      HOME: mkdtempSync(join(tmpdir(), 'tally-readme-home-')),
      TALLY_CLI_FROM: 'source',
      TALLY_URL: undefined,
      TALLY_KEY: undefined,
    });
    const output = `${r.stdout}\n--- stderr ---\n${r.stderr}`;
    expect(r.code, output).toBe(0);
    expect(r.stdout).toContain('{"accepted":1,"duplicates":0,"conflicts":0');
    expect(r.stdout).toMatch(/\{[^}]*"requests":1,[^}]*"functionId":"resize"[^}]*\}/);
    expect(r.stdout).toMatch(/created hello version 1/);
    expect(r.stdout).toMatch(/x-tally-init-duration-ms: /i);
    expect(r.stdout).toContain('"message":"Hello, Ada!"');
    expect(r.stdout).toMatch(/^REPORT RequestId: \S+\s+Duration: /m);
    expect(r.stdout).toContain('{"echo":{"hi":1},"shell":"Linux"}');
    expect(r.stdout).toMatch(/^\S+\s+hello\s+2\s/m);
    expect(r.stdout).toMatch(/^\S+\s+sh\s+1\s/m);
  }, 240_000);
});
