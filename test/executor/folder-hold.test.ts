import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { holdFolder, holdName } from '../../executor/folder-hold.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-hold-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('an executor folder held by one executor at a time', () => {
  it('refuses a second hold on the folder, also through a symlink, with a message that says what to do, until the first is let go', async () => {
    const dir = tempDir();
    const link = path.join(tempDir(), 'link');
    symlinkSync(dir, link);
    const first = await holdFolder(dir);
    await expect(holdFolder(dir)).rejects.toThrow(/in use by another running executor.*must not share a folder/);
    await expect(holdFolder(link)).rejects.toThrow(realpathSync(dir));
    // Another folder is another hold.
    const other = await holdFolder(tempDir());
    await first.release();
    await first.release(); // twice is harmless
    const again = await holdFolder(link);
    await again.release();
    await other.release();
  });

  it('is let go by the kernel when the process holding it is killed (no stale hold after a crash)', async () => {
    const dir = tempDir();
    // A process holding the folder's hold as an executor would (the same abstract socket name), then SIGKILLed.
    const name = holdName(realpathSync(dir)).slice(1);
    const child = spawn(
      process.execPath,
      ['-e', `require('net').createServer().listen('\\0' + process.env.HOLD, () => console.log('held'))`],
      { env: { ...process.env, HOLD: name }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await expect(holdFolder(dir)).rejects.toThrow(/in use by another running executor/);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const hold = await holdFolder(dir);
    await hold.release();
  });
});
