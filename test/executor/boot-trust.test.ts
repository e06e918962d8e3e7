import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { currentBootId, trustCachesOfThisBoot } from '../../executor/boot-trust.js';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, NODE_ECHO, useFunctionsApp } from '../helpers/functions.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An executor folder with a code entry, an image entry, a spool record and its id, as an executor leaves them. */
function executorFolder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-boot-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'code', 'a'.repeat(64)), { recursive: true });
  writeFileSync(path.join(dir, 'code', 'a'.repeat(64), 'index.js'), 'exports.handler = async () => 1;\n');
  mkdirSync(path.join(dir, 'images', 'images', 'b'.repeat(64)), { recursive: true });
  mkdirSync(path.join(dir, 'spool'));
  writeFileSync(path.join(dir, 'spool', 'segment-1'), 'usage\n');
  writeFileSync(path.join(dir, 'executor-id'), '00000000-0000-4000-8000-000000000000\n');
  return dir;
}

describe('the executor caches, across a restart of the machine', () => {
  it('the kernel names this boot', async () => {
    expect(await currentBootId()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the caches of this boot, and empties those of another boot (or of none recorded), never the spool', async () => {
    const dir = executorFolder();
    // Caches already there and no boot recorded (an executor from before this check): not trusted.
    expect(await trustCachesOfThisBoot(dir, ['code', 'images'], log, 'boot-a')).toBe(true);
    expect(existsSync(path.join(dir, 'code'))).toBe(false);
    expect(existsSync(path.join(dir, 'images'))).toBe(false);
    expect(readFileSync(path.join(dir, 'boot-id'), 'utf8')).toBe('boot-a\n');
    expect(readFileSync(path.join(dir, 'spool', 'segment-1'), 'utf8')).toBe('usage\n');
    expect(readFileSync(path.join(dir, 'executor-id'), 'utf8')).toMatch(/^0{8}-/);

    // Written again in the same boot: trusted, whatever the executor's own restarts.
    mkdirSync(path.join(dir, 'code', 'c'.repeat(64)), { recursive: true });
    expect(await trustCachesOfThisBoot(dir, ['code', 'images'], log, 'boot-a')).toBe(false);
    expect(readdirSync(path.join(dir, 'code'))).toEqual(['c'.repeat(64)]);

    // The machine restarted.
    expect(await trustCachesOfThisBoot(dir, ['code', 'images'], log, 'boot-b')).toBe(true);
    expect(existsSync(path.join(dir, 'code'))).toBe(false);
    expect(readFileSync(path.join(dir, 'boot-id'), 'utf8')).toBe('boot-b\n');
    expect(readFileSync(path.join(dir, 'spool', 'segment-1'), 'utf8')).toBe('usage\n');
  });

  it('clears what a crash in the middle of emptying left; without a boot id from the kernel, trusts what is there', async () => {
    const dir = executorFolder();
    writeFileSync(path.join(dir, 'boot-id'), 'boot-a\n');
    mkdirSync(path.join(dir, '.untrusted-code-0123456789ab', 'x'), { recursive: true });
    writeFileSync(path.join(dir, 'boot-id.0123456789ab.tmp'), 'boot-');
    expect(await trustCachesOfThisBoot(dir, ['code', 'images'], log, 'boot-a')).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['boot-id', 'code', 'executor-id', 'images', 'spool']);

    expect(await trustCachesOfThisBoot(dir, ['code', 'images'], log, null)).toBe(false);
    expect(existsSync(path.join(dir, 'code', 'a'.repeat(64), 'index.js'))).toBe(true);
  });
});

describe('an executor started again on its folder', () => {
  const t = useFunctionsApp({ executor: false });

  it('runs from the code it unpacked in this boot, and fetches it again after the machine restarted', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-boot-executor-'));
    dirs.push(dir);
    const a = await newTenant(t.app);
    const fn = await deploy(t.base, a.accountKey, 'echo', makeZip([{ name: 'index.js', data: NODE_ECHO }]));
    const entry = path.join(dir, 'code', fn.codeSha256);
    const run = async (bootId: string) => {
      const executor = await t.startExecutor({ dir, bootId });
      try {
        const r = await call(t.base, a.accountKey, 'POST', '/v1/functions/echo/invoke', { n: 1 });
        expect(r.status, r.text).toBe(200);
        expect(r.json.echo).toEqual({ n: 1 });
      } finally {
        await executor.stop();
      }
    };
    await run('boot-a');
    expect(existsSync(entry)).toBe(true);
    // A mark only an entry that survived can carry: gone once the entry is unpacked again.
    writeFileSync(path.join(entry, 'survived'), '');
    await run('boot-a');
    expect(existsSync(path.join(entry, 'survived'))).toBe(true);
    await run('boot-b');
    expect(existsSync(entry)).toBe(true);
    expect(existsSync(path.join(entry, 'survived'))).toBe(false);
  });
});
