import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { writeDurably } from './durable-file.js';

/**
 * Whether the executor's caches can be trusted after it starts again (docs/operations.md, "The executor's disk").
 *
 * The code and image caches unpack into a dot-name and rename the finished folder into place without
 * fsync'ing the thousands of files in it: that would cost a cold start as much as the unpacking does.
 * The rename is atomic for every process on the machine, so an executor that crashed or was killed
 * finds each entry complete or absent. A power loss (or a kernel crash) is different: the rename may
 * reach the disk before the files' blocks, and an entry would be trusted with empty or short files.
 *
 * So the caches are trusted only within the boot that wrote them. `boot-id` in the executor's folder
 * names that boot (the kernel's random boot id, new at every boot); an executor that finds another
 * boot's id, or none beside existing caches, empties them before use. Everything in them can be
 * fetched again from the api; the usage spool is never touched (it fsyncs every record itself).
 */
const BOOT_ID = '/proc/sys/kernel/random/boot_id';

export async function currentBootId(): Promise<string | null> {
  return (await readFile(BOOT_ID, 'utf8').catch(() => null))?.trim() || null;
}

/**
 * Empties `caches` (folders under `dir`) unless `dir/boot-id` names this boot, then records this boot
 * durably. Answers whether the caches were emptied. `bootId` is the kernel's, unless a test gives one;
 * where the kernel tells none, nothing is emptied (there is no way to tell a reboot).
 */
export async function trustCachesOfThisBoot(dir: string, caches: string[], log: Logger, bootId?: string | null): Promise<boolean> {
  const now = bootId === undefined ? await currentBootId() : bootId;
  if (now === null) return false;
  // What a crash in the middle of this left: caches set aside and not yet deleted, a record not yet renamed.
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.untrusted-') || /^boot-id\..*\.tmp$/.test(name)) await rm(path.join(dir, name), { recursive: true, force: true });
  }
  const file = path.join(dir, 'boot-id');
  const recorded = (await readFile(file, 'utf8').catch(() => ''))?.trim();
  if (recorded === now) return false;
  let emptied = false;
  for (const name of caches) {
    // Renamed away first, so that a crash during the deletion leaves no half-deleted cache under its name.
    const aside = path.join(dir, `.untrusted-${name}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(path.join(dir, name), aside);
      emptied = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    await rm(aside, { recursive: true, force: true });
  }
  if (emptied) {
    log.warn(
      { recordedBoot: recorded || null, boot: now },
      'the machine restarted since these caches were written: unpacked code and images emptied, to be fetched again',
    );
  }
  await writeDurably(file, `${now}\n`);
  return emptied;
}
