import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { ApiClient } from './api-client.js';
import type { Log } from './runtime/types.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Function code fetched from the api by hash, unpacked once into `<dir>/<sha256>/` and reused.
 * A folder appears only complete (unpacked beside it, then renamed), so a crash never leaves a
 * half-unpacked version behind. The folder holds a package.json of its own so that a function's
 * `index.js` is CommonJS, as in Lambda's /var/task, whatever package scope lies above.
 */
export class CodeCache {
  private readonly ready = new Map<string, string>();
  private readonly loading = new Map<string, Promise<string>>();

  constructor(
    private readonly dir: string,
    private readonly api: Pick<ApiClient, 'fetchCode'>,
    private readonly log: Log,
  ) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(path.join(this.dir, 'package.json'), '{ "private": true }\n');
    for (const name of await readdir(this.dir)) {
      if (name.startsWith('.unpack-')) await rm(path.join(this.dir, name), { recursive: true, force: true });
    }
  }

  /** The folder holding the unpacked code; fetched and unpacked on first use. */
  folder(sha256: string): Promise<string> {
    const known = this.ready.get(sha256);
    if (known) return Promise.resolve(known);
    let pending = this.loading.get(sha256);
    if (!pending) {
      pending = this.load(sha256).finally(() => this.loading.delete(sha256));
      this.loading.set(sha256, pending);
    }
    return pending;
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
        await rename(scratch, target).catch(async (err: NodeJS.ErrnoException) => {
          // Another executor process sharing the folder finished first: its copy is the same bytes.
          if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
        });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
      this.log.info({ sha256, bytes: zip.length, ms: Date.now() - started }, 'function code fetched and unpacked');
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
