import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Hands out one host user id per function instance from a range no one else uses, so no two
 * instances (of any tenant, on any executor of this machine) ever share a uid, and none runs as
 * the platform. A uid is claimed machine-wide by creating `<claims>/<uid>` exclusively (holding
 * the executor's pid), so several executors on one machine never collide; a claim whose pid is
 * gone (an executor that crashed) is taken over. It is released only once every process of the
 * instance is dead.
 */
export class UidAllocator {
  private readonly held = new Set<number>();
  private cursor: number;

  constructor(
    private readonly claims: string,
    private readonly base: number,
    private readonly count: number,
  ) {
    // Executors on one machine start at different places, so they rarely meet on a claim.
    this.cursor = Math.floor(Math.random() * count);
  }

  async init(): Promise<void> {
    await mkdir(this.claims, { recursive: true, mode: 0o700 });
  }

  async take(): Promise<number> {
    for (let tried = 0; tried < this.count; tried++) {
      const uid = this.base + ((this.cursor + tried) % this.count);
      if (this.held.has(uid)) continue;
      if (await this.claim(uid)) {
        this.cursor = (this.cursor + tried + 1) % this.count;
        this.held.add(uid);
        return uid;
      }
    }
    throw new Error(`no free sandbox uid in ${this.base}..${this.base + this.count - 1}`);
  }

  async release(uid: number): Promise<void> {
    if (!this.held.delete(uid)) return;
    await unlink(path.join(this.claims, String(uid))).catch(() => undefined);
  }

  private async claim(uid: number): Promise<boolean> {
    const file = path.join(this.claims, String(uid));
    try {
      await writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (owner > 0 && owner !== process.pid && alive(owner)) return false;
    // Its executor is gone, but the uid is only free once none of its processes is left.
    if (await uidInUse(uid)) return false;
    // A dead executor's claim (or our own from before a restart of this process id): take it over,
    // through unlink + exclusive create, so two executors reclaiming it at once cannot both win.
    await unlink(file).catch(() => undefined);
    try {
      await writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return true;
    } catch {
      return false;
    }
  }
}

async function uidInUse(uid: number): Promise<boolean> {
  for (const entry of await readdir('/proc')) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const match = /^Uid:\s+(\d+)/m.exec(status);
    if (match && Number(match[1]) === uid) return true;
  }
  return false;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
