import { chmod, mkdir, open, rm, rmdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { run } from './exec.js';

export interface Scratch {
  /** Mounted on the host; bound to /tmp inside the sandbox. */
  readonly mountPoint: string;
  readonly sizeMb: number;
  close(): Promise<void>;
}

/** A new /tmp disk could fill the executor's disk: refused before anything ran (429 `executor_capacity`, the api tries another). */
export class NoDiskRoomError extends Error {
  override readonly name = 'NoDiskRoomError';
}

const statfsFree = async (dir: string): Promise<number> => {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
};

/** What a sparse image holds now (its allocated blocks); a disk not made yet holds nothing. */
const allocatedBytes = (image: string): Promise<number> =>
  stat(image).then(
    (s) => s.blocks * 512,
    () => 0,
  );

/**
 * The executor's disk as its /tmp disks see it. Each disk is sparse, so what the live disks may still
 * write is their sizes less what they hold now. A new disk is made only if that, its own size and
 * `reserveBytes` all fit in what is free: otherwise one tenant's functions, each filling its 10 GB /tmp, could
 * fill the disk the executor shares with every tenant (its usage spool, its caches). docs/sandbox.md, "/tmp".
 */
export class ScratchRoom {
  private readonly live = new Map<string, number>();
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly reserveBytes: number,
    private readonly freeBytes: (dir: string) => Promise<number> = statfsFree,
  ) {}

  /** Counts `image` as a disk of `bytes` from now on, or refuses it (NoDiskRoomError) and counts nothing. */
  claim(image: string, bytes: number): Promise<void> {
    // One claim at a time: two made at the same moment would each count without the other.
    const claimed = this.last.then(() => this.check(image, bytes));
    this.last = claimed.catch(() => undefined);
    return claimed;
  }

  private async check(image: string, bytes: number): Promise<void> {
    const free = await this.freeBytes(this.dir);
    let owed = bytes;
    for (const [img, size] of this.live) owed += Math.max(0, size - (await allocatedBytes(img)));
    if (free - owed < this.reserveBytes) {
      const mb = (n: number) => Math.floor(n / 1024 / 1024);
      throw new NoDiskRoomError(
        `no room for a ${mb(bytes)} MB /tmp disk: ${mb(free)} MB free, the live /tmp disks may still write ${mb(owed - bytes)} MB, ` +
          `and ${mb(this.reserveBytes)} MB is kept free (TALLY_EXECUTOR_DISK_RESERVE_MB)`,
      );
    }
    this.live.set(image, bytes);
  }

  release(image: string): void {
    this.live.delete(image);
  }
}

/**
 * A function's /tmp: its own small ext4 disk (a sparse image on a loop device) of exactly
 * `ephemeralStorageMb`. A disk rather than a tmpfs because tmpfs pages are charged to the
 * writer's memory cgroup and cannot be reclaimed: a 128 MB function could not write 512 MB to
 * /tmp, and /tmp would eat its memory. On a disk, /tmp is separate from memory as on Lambda,
 * and writing past its size fails with ENOSPC. The image is sparse: only written blocks use space.
 */
export async function openScratch(
  dir: string,
  sizeMb: number,
  tools: { mkfs: string; mount: string; umount: string },
  room?: ScratchRoom,
): Promise<Scratch> {
  const image = path.join(dir, 'tmp.img');
  const mountPoint = path.join(dir, 'tmp');
  await room?.claim(image, sizeMb * 1024 * 1024);
  let mounted = false;
  const close = async () => {
    if (mounted) {
      // A lazy unmount cannot fail on a busy mount; the instance's processes are dead by now anyway.
      await run(tools.umount, [mountPoint]).catch(() => run(tools.umount, ['-l', mountPoint]).catch(() => undefined));
    }
    await rm(image, { force: true });
    await rmdir(mountPoint).catch(() => undefined);
    room?.release(image);
  };
  try {
    const file = await open(image, 'w', 0o600);
    try {
      await file.truncate(sizeMb * 1024 * 1024);
    } finally {
      await file.close();
    }
  } catch (err) {
    await close();
    throw err;
  }
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
