import { chmod, mkdir, open, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { run } from './exec.js';

export interface Scratch {
  /** Mounted on the host; bound to /tmp inside the sandbox. */
  readonly mountPoint: string;
  readonly sizeMb: number;
  close(): Promise<void>;
}

/**
 * A function's /tmp: its own small ext4 disk (a sparse image on a loop device) of exactly
 * `ephemeralStorageMb`. A disk rather than a tmpfs because tmpfs pages are charged to the
 * writer's memory cgroup and cannot be reclaimed: a 128 MB function could not write 512 MB to
 * /tmp, and /tmp would eat its memory. On a disk, /tmp is separate from memory as on Lambda,
 * and writing past its size fails with ENOSPC. The image is sparse: only written blocks use space.
 */
export async function openScratch(dir: string, sizeMb: number, tools: { mkfs: string; mount: string; umount: string }): Promise<Scratch> {
  const image = path.join(dir, 'tmp.img');
  const mountPoint = path.join(dir, 'tmp');
  const file = await open(image, 'w', 0o600);
  try {
    await file.truncate(sizeMb * 1024 * 1024);
  } finally {
    await file.close();
  }
  let mounted = false;
  const close = async () => {
    if (mounted) {
      // A lazy unmount cannot fail on a busy mount; the instance's processes are dead by now anyway.
      await run(tools.umount, [mountPoint]).catch(() => run(tools.umount, ['-l', mountPoint]).catch(() => undefined));
    }
    await rm(image, { force: true });
    await rmdir(mountPoint).catch(() => undefined);
  };
  try {
    // No journal (nothing to recover: the disk dies with its instance), lazy inode tables, no reserve.
    await run(tools.mkfs, [
      '-q',
      '-F',
      '-O',
      '^has_journal,^resize_inode',
      '-E',
      'nodiscard,lazy_itable_init=1',
      '-m',
      '0',
      '-b',
      '4096',
      image,
    ]);
    await mkdir(mountPoint, { mode: 0o700 });
    await run(tools.mount, ['-o', 'loop,nosuid,nodev', image, mountPoint]);
    mounted = true;
    await rmdir(path.join(mountPoint, 'lost+found')).catch(() => undefined);
    await chmod(mountPoint, 0o1777);
  } catch (err) {
    await close();
    throw err;
  }
  return { mountPoint, sizeMb, close };
}
