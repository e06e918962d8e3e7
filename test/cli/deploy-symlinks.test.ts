import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshHome, tally } from './helpers.js';

// `tally deploy` follows symbolic links (their targets are shipped). A link back to a folder that holds it (`self ->
// .`, `up -> ..`, as cyclic dependency layouts make) sent the walk round the loop, shipping every file again at each
// turn, until the path grew too long: then a crash with ELOOP and a stack trace, exit 1 (found by review). Both run
// before the api is asked anything (its URL here answers nothing).
const env = () => ({ TALLY_URL: 'http://127.0.0.1:9', TALLY_KEY: 'tk_x', HOME: freshHome() });

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tally-cli-links-'));
  writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => 1;');
  return dir;
}

describe('tally deploy and symbolic links', () => {
  it('a link back to a folder that holds it is a usage error (2) naming it, not a crash', async () => {
    for (const [name, target] of [
      ['self', '.'],
      ['up', '..'],
    ] as const) {
      const dir = folder();
      const inner = join(dir, 'lib');
      mkdirSync(inner);
      symlinkSync(target, join(inner, name));
      const r = await tally(['deploy', dir, '--name', 'fn', '--runtime', 'nodejs', '--handler', 'index.handler'], env());
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stderr).toContain(`${join(inner, name)} links back to a folder that holds it`);
      expect(r.code).toBe(2);
    }
  });

  it('a link to a folder elsewhere is still followed and shipped', async () => {
    const dir = folder();
    const shared = mkdtempSync(join(tmpdir(), 'tally-cli-shared-'));
    writeFileSync(join(shared, 'a.js'), '1');
    writeFileSync(join(shared, 'b.js'), '2');
    symlinkSync(shared, join(dir, 'shared'));
    // Twice, as in a tree that links one folder from two places: not a loop.
    symlinkSync(shared, join(dir, 'again'));
    const r = await tally(['deploy', dir, '--name', 'fn', '--runtime', 'nodejs', '--handler', 'index.handler'], env());
    expect(r.stderr).toContain('zipped 5 files');
    expect(r.code).toBe(5); // the api's URL answers nothing: the zip was made
  });
});
