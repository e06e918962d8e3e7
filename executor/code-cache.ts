import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { ApiClient } from './api-client.js';
import { diskBytes, Holds, leastRecentlyUsed, removeTree, setAside, touch, type CacheStats, type Remove } from './cache-budget.js';
import type { Log } from './runtime/types.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const SHA256 = /^[0-9a-f]{64}$/;

export interface CodeCacheOptions {
  /** Most bytes of unpacked code kept on disk (TALLY_EXECUTOR_CODE_CACHE_MB); unset: no limit. */
  budgetBytes?: number;
  /** How a removal deletes a folder (default `rm -r`); tests hold it to act in the middle of one. */
  remove?: Remove;
}

/**
 * Function code fetched from the api by hash, unpacked once into `<dir>/<sha256>/` and reused.
 * A folder appears only complete (unpacked beside it, then renamed), so a crash never leaves a
 * half-unpacked version behind. The folder holds a package.json of its own so that a function's
 * `index.js` is CommonJS, as in Lambda's /var/task, whatever package scope lies above.
 *
 * Within a disk budget (cache-budget.ts): each instance holds the code it runs from (`acquire`,
 * `release`), and when the folders take more than the budget, the least recently used that no
 * instance holds and no load is making are removed, renamed away first. A removed version is
 * fetched again by the next instance that needs it.
 */
export class CodeCache {
  private readonly ready = new Map<string, string>();
  private readonly loading = new Map<string, Promise<string>>();
  private readonly holds = new Holds();
  /** Every complete folder on disk: its size, measured once, and when it was last used (epoch ms). */
  private readonly entries = new Map<string, { bytes: number; lastUsed: number }>();
  private bytes = 0;
  private evicted = 0;
  private readonly budgetBytes: number;
  private readonly remove: Remove;

  constructor(
    private readonly dir: string,
    private readonly api: Pick<ApiClient, 'fetchCode'>,
    private readonly log: Log,
    options: CodeCacheOptions = {},
  ) {
    this.budgetBytes = options.budgetBytes ?? Infinity;
    this.remove = options.remove ?? removeTree;
  }

  /** Clears what a crash left, measures the code already here, and trims it to the budget. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(path.join(this.dir, 'package.json'), '{ "private": true }\n');
    const found: string[] = [];
    for (const name of await readdir(this.dir)) {
      // Dot-names: a folder being unpacked (`.unpack-`) or removed (`.gone-`) when the executor stopped.
      if (name.startsWith('.')) await rm(path.join(this.dir, name), { recursive: true, force: true });
      else if (SHA256.test(name)) found.push(name);
    }
    const started = Date.now();
    const sizes = await diskBytes(found.map((sha) => path.join(this.dir, sha)));
    for (const [i, sha] of found.entries()) {
      const { mtimeMs } = await stat(path.join(this.dir, sha));
      this.add(sha, sizes[i]!, mtimeMs);
      this.ready.set(sha, path.join(this.dir, sha));
    }
    this.log.info(
      { entries: found.length, bytes: this.bytes, budgetBytes: this.budgetBytes, ms: Date.now() - started },
      'code cache measured',
    );
    await this.trim();
  }

  stats(): CacheStats {
    return { bytes: this.bytes, budgetBytes: this.budgetBytes, entries: this.entries.size, evicted: this.evicted };
  }

  /** For an instance about to start: the folder of its code, fetched if need be, kept until `release`. */
  async acquire(sha256: string): Promise<string> {
    if (this.holds.take(sha256)) this.touch(sha256);
    try {
      return await this.folder(sha256);
    } catch (err) {
      this.release(sha256);
      throw err;
    }
  }

  /** The instance is gone: once nobody holds the code, it may be removed if the cache is over its budget. */
  release(sha256: string): void {
    if (!this.holds.give(sha256)) return;
    this.touch(sha256);
    this.trimSoon();
  }

  /** The folder holding the unpacked code; fetched and unpacked on first use. Unheld: see `acquire`. */
  folder(sha256: string): Promise<string> {
    const known = this.ready.get(sha256);
    if (known) return Promise.resolve(known);
    let pending = this.loading.get(sha256);
    if (!pending) {
      pending = this.load(sha256).finally(() => {
        this.loading.delete(sha256);
        this.trimSoon();
      });
      this.loading.set(sha256, pending);
    }
    return pending;
  }

  /**
   * Removes the least recently used folders nobody holds or loads until the cache is within its
   * budget (or nothing more may go). Each is chosen and renamed away in one turn of the event loop:
   * an `acquire` either came before (and holds it, so it is not chosen) or after (and finds no
   * folder, so it fetches the code again), never takes a folder that is going.
   */
  async trim(): Promise<{ evicted: number }> {
    if (this.bytes <= this.budgetBytes) return { evicted: 0 };
    const free = [...this.entries]
      .filter(([sha]) => !this.holds.has(sha) && !this.loading.has(sha))
      .map(([key, { lastUsed }]) => ({ key, lastUsed }));
    const chosen = leastRecentlyUsed(free, this.bytes - this.budgetBytes, (sha) => this.entries.get(sha)!.bytes);
    const now = Date.now();
    const gone: { sha256: string; bytes: number; idleS: number }[] = [];
    const removals: Promise<void>[] = [];
    for (const sha of chosen) {
      const { bytes, lastUsed } = this.entries.get(sha)!;
      const aside = setAside(this.dir, sha);
      this.ready.delete(sha);
      this.drop(sha);
      gone.push({ sha256: sha, bytes, idleS: Math.round((now - lastUsed) / 1000) });
      if (aside)
        removals.push(this.remove(aside).catch((err: unknown) => this.log.warn({ err, at: aside }, 'could not delete removed code')));
    }
    this.evicted += gone.length;
    const said = 'code cache over its budget: removed the least recently used code nobody runs';
    const over = this.bytes > this.budgetBytes;
    if (gone.length > 0 || over)
      this.log.info({ removed: gone, bytes: this.bytes, budgetBytes: this.budgetBytes }, over ? `${said}; the rest is in use` : said);
    await Promise.all(removals);
    return { evicted: gone.length };
  }

  /** After a load or a release: a trim if over the budget (its failure is logged; the next one tries again). */
  private trimSoon(): void {
    if (this.bytes <= this.budgetBytes) return;
    void this.trim().catch((err: unknown) => this.log.warn({ err }, 'could not trim the code cache to its budget'));
  }

  private add(sha256: string, bytes: number, lastUsed: number): void {
    this.drop(sha256);
    this.entries.set(sha256, { bytes, lastUsed });
    this.bytes += bytes;
  }

  private drop(sha256: string): void {
    const entry = this.entries.get(sha256);
    if (!entry) return;
    this.entries.delete(sha256);
    this.bytes -= entry.bytes;
  }

  private touch(sha256: string): void {
    const entry = this.entries.get(sha256);
    if (!entry) return;
    entry.lastUsed = Date.now();
    touch(path.join(this.dir, sha256));
  }

  private async load(sha256: string): Promise<string> {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    const target = path.join(this.dir, sha256);
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const started = Date.now();
      const zip = await this.api.fetchCode(sha256);
      const actual = createHash('sha256').update(zip).digest('hex');
      if (actual !== sha256) throw new Error(`code ${sha256} arrived with SHA-256 ${actual}`);
      const scratch = path.join(this.dir, `.unpack-${randomBytes(6).toString('hex')}`);
      try {
        await unpack(zip, scratch);
        const [bytes] = await diskBytes([scratch]);
        await rename(scratch, target).catch(async (err: NodeJS.ErrnoException) => {
          // Another executor process sharing the folder finished first: its copy is the same bytes.
          if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
        });
        this.add(sha256, bytes!, Date.now());
        this.log.info({ sha256, bytes: zip.length, diskBytes: bytes, ms: Date.now() - started }, 'function code fetched and unpacked');
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    } else if (!this.entries.has(sha256)) {
      const [bytes] = await diskBytes([target]);
      this.add(sha256, bytes!, Date.now());
    }
    this.ready.set(sha256, target);
    return target;
  }
}

/** Unpacks a zip the api already validated; paths are checked again, symlinks made last. */
async function unpack(zip: Buffer, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  const archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  const links: { at: string; target: string }[] = [];
  try {
    for await (const entry of archive.eachEntry()) {
      const name = entry.fileName.replace(/^(\.\/)+/, '');
      const at = path.resolve(into, name);
      if (at !== into && !at.startsWith(into + path.sep)) throw new Error(`zip entry ${name} escapes the code folder`);
      const unix = entry.versionMadeBy >> 8 === 3 ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
      const type = unix & S_IFMT;
      if (name.endsWith('/') || type === S_IFDIR) {
        await mkdir(at, { recursive: true, mode: 0o755 });
        continue;
      }
      await mkdir(path.dirname(at), { recursive: true, mode: 0o755 });
      const stream = await archive.openReadStreamPromise(entry);
      if (type === S_IFLNK) {
        const chunks: Buffer[] = [];
        for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
        links.push({ at, target: Buffer.concat(chunks).toString('utf8') });
        continue;
      }
      // Without a recorded Unix mode (a zip made on Windows), a root `bootstrap` is made executable.
      const mode = unix !== 0 ? (unix & 0o777) | 0o400 : name === 'bootstrap' ? 0o755 : 0o644;
      await pipeline(stream, createWriteStream(at, { mode }));
    }
  } finally {
    archive.close();
  }
  for (const link of links) {
    const resolved = path.resolve(path.dirname(link.at), link.target);
    if (path.isAbsolute(link.target) || (resolved !== into && !resolved.startsWith(into + path.sep))) {
      throw new Error(`symlink ${link.at} points outside the code folder`);
    }
    await symlink(link.target, link.at);
  }
  // Each target was checked as text; the kernel follows a link met midway first, so a chain of them
  // (`a/q -> ..`, `a/x -> q/..`) could lead out. The api refuses such zips since 2026-12-07; one stored
  // before is checked here as the kernel resolves it, and refused (the caller removes the folder).
  const home = links.length > 0 ? await realpath(into) : into;
  for (const link of links) {
    const real = await realpath(link.at).catch(() => null); // null: a dangling link, which leads nowhere
    if (real !== null && real !== home && !real.startsWith(home + path.sep)) {
      throw new Error(`symlink ${link.at} leads outside the code folder, through another symlink`);
    }
  }
}
