import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiClient } from './api-client.js';
import {
  diskBytes,
  fileBytes,
  Holds,
  leastRecentlyUsed,
  removeTree,
  setAside,
  touch,
  type CacheStats,
  type Remove,
} from './cache-budget.js';
import type { ImageConfig } from './runtime/image-run.js';
import type { Log } from './runtime/types.js';
import { run } from './sandbox/exec.js';
import { prepareImageRoot } from './sandbox/image-root.js';

const DIGEST = /^sha256:([0-9a-f]{64})$/;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface UnpackedImage {
  digest: string;
  /** The image's root file system, prepared for the sandbox (image-root.ts). */
  rootfs: string;
  config: ImageConfig;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
}

interface Manifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** What image.json beside an unpacked root records: enough to run it and to know which blobs it needs. */
interface ImageRecord {
  digest: string;
  config: ImageConfig;
  blobs: string[];
}

export interface ImageCacheOptions {
  dir: string;
  api: Pick<ApiClient, 'fetchImageBlob'>;
  log: Log;
  umoci?: string;
  /** An unpacked image no instance used for this long is removed (default one hour). */
  idleMs?: number;
  /** Most bytes of unpacked images and blobs kept on disk (TALLY_EXECUTOR_IMAGE_CACHE_MB); unset: no limit. */
  budgetBytes?: number;
  /** How a sweep deletes an image folder or a blob (default `rm -r`); tests hold it to act in the middle of a sweep. */
  remove?: Remove;
}

const hexOf = (digest: string): string => {
  const match = DIGEST.exec(digest);
  if (!match) throw new Error(`not a sha256 digest: ${digest}`);
  return match[1]!;
};

const exists = (at: string) =>
  stat(at).then(
    () => true,
    () => false,
  );

/**
 * Container images on this executor: blobs (manifests, configs, layers) stored once by digest in
 * `<dir>/blobs/sha256/` and shared by every image that names them, each verified against its
 * digest as it arrives from the api; each image unpacked once by umoci into `<dir>/images/<hex>/rootfs`
 * (beside it, image.json). An image appears only complete (unpacked beside it, then renamed). Images
 * no instance used for `idleMs` are removed by `sweep()`, and so are the least recently used ones
 * nobody holds while the images and blobs together take more than the budget (cache-budget.ts);
 * then the blobs no image names.
 */
export class ImageCache {
  private readonly ready = new Map<string, UnpackedImage>();
  private readonly loading = new Map<string, Promise<UnpackedImage>>();
  private readonly holds = new Holds();
  private readonly lastUsed = new Map<string, number>();
  /** Every complete image on disk, by hex: its folder's size, measured once, and the blobs it names (hex). */
  private readonly images = new Map<string, { bytes: number; blobs: string[] }>();
  /** Every blob on disk, by hex: its size. */
  private readonly blobs = new Map<string, number>();
  private bytes = 0;
  private evicted = 0;
  /** An image found on disk at start counts as used then, for the idle rule (not for the budget's order). */
  private startedAt = Date.now();
  /** Loads begun so far: a sweep deletes blobs only while it stays the same (see sweep). */
  private loadsBegun = 0;
  /** Sweeps run one at a time. */
  private sweeping: Promise<unknown> = Promise.resolve();
  private readonly blobsDir: string;
  private readonly imagesDir: string;
  private readonly budgetBytes: number;
  private readonly remove: Remove;

  constructor(private readonly options: ImageCacheOptions) {
    this.blobsDir = path.join(options.dir, 'blobs', 'sha256');
    this.imagesDir = path.join(options.dir, 'images');
    this.budgetBytes = options.budgetBytes ?? Infinity;
    this.remove = options.remove ?? removeTree;
  }

  /** Clears what a crash left, measures the images and blobs already here, and trims them to the budget. */
  async init(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true, mode: 0o700 });
    await mkdir(this.imagesDir, { recursive: true, mode: 0o700 });
    for (const dir of [this.blobsDir, this.imagesDir]) {
      for (const name of await readdir(dir)) if (name.startsWith('.')) await rm(path.join(dir, name), { recursive: true, force: true });
    }
    const started = Date.now();
    this.startedAt = started;
    for (const hex of await readdir(this.blobsDir)) this.addBlob(hex, await fileBytes(path.join(this.blobsDir, hex)));
    const found: { hex: string; blobs: string[] }[] = [];
    for (const hex of await readdir(this.imagesDir)) {
      const record = await this.record(hex);
      // No image.json: what a deletion cut short left, never a complete image (see load).
      if (record) found.push({ hex, blobs: record.blobs.map(hexOf) });
      else await rm(path.join(this.imagesDir, hex), { recursive: true, force: true });
    }
    const sizes = await diskBytes(found.map(({ hex }) => path.join(this.imagesDir, hex)));
    for (const [i, { hex, blobs }] of found.entries()) {
      this.addImage(hex, sizes[i]!, blobs);
      this.lastUsed.set(`sha256:${hex}`, (await stat(path.join(this.imagesDir, hex))).mtimeMs);
    }
    this.options.log.info(
      { images: this.images.size, blobs: this.blobs.size, bytes: this.bytes, budgetBytes: this.budgetBytes, ms: Date.now() - started },
      'container image cache measured',
    );
    if (this.bytes > this.budgetBytes) await this.sweep();
  }

  stats(): CacheStats {
    return { bytes: this.bytes, budgetBytes: this.budgetBytes, entries: this.images.size, evicted: this.evicted };
  }

  /** Makes sure the image is here and unpacked (fetching and unpacking it if not). */
  async prefetch(digest: string): Promise<UnpackedImage> {
    this.lastUsed.set(digest, Date.now());
    const known = this.ready.get(digest);
    if (known && (await exists(known.rootfs))) return known;
    this.ready.delete(digest);
    let pending = this.loading.get(digest);
    if (!pending) {
      pending = this.load(digest).finally(() => {
        this.loading.delete(digest);
        this.trimSoon();
      });
      this.loading.set(digest, pending);
      this.loadsBegun += 1;
    }
    const image = await pending;
    this.ready.set(digest, image);
    return image;
  }

  /** For an invocation about to run, or an instance about to start: the image, kept from sweeps until `release`. */
  async acquire(digest: string): Promise<UnpackedImage> {
    this.holds.take(digest);
    try {
      return await this.prefetch(digest);
    } catch (err) {
      this.release(digest);
      throw err;
    }
  }

  release(digest: string): void {
    this.lastUsed.set(digest, Date.now());
    // Per invocation an instance still holds it: only the last hold's end does more.
    if (!this.holds.give(digest)) return;
    if (this.ready.has(digest)) touch(path.join(this.imagesDir, hexOf(digest)));
    this.trimSoon();
  }

  /**
   * Removes the images nobody holds or loads that are unused for `idleMs`, then, while the cache is
   * over its budget, the least recently used of the others (each freeing its folder and the blobs no
   * other image names), then every blob no remaining image names.
   */
  sweep(now = Date.now()): Promise<{ images: number; blobs: number }> {
    const run = this.sweeping.then(() => this.sweepOnce(now));
    this.sweeping = run.catch(() => undefined);
    return run;
  }

  private trimSoon(): void {
    if (this.bytes <= this.budgetBytes) return;
    void this.sweep().catch((err: unknown) => this.options.log.warn({ err }, 'could not trim the container image cache to its budget'));
  }

  private async sweepOnce(now: number): Promise<{ images: number; blobs: number }> {
    const idleMs = this.options.idleMs ?? 3_600_000;
    // A load reads blobs before its image.json names them, and one that ends during the sweep adds an
    // image this sweep did not see: blobs go only if no load ran at any moment of the sweep.
    const quiet = this.loading.size === 0;
    const loadsBefore = this.loadsBegun;
    const free = (hex: string) => !this.holds.has(`sha256:${hex}`) && !this.loading.has(`sha256:${hex}`);
    const used = (hex: string) => this.lastUsed.get(`sha256:${hex}`) ?? 0;
    const idle = [...this.images.keys()].filter((hex) => free(hex) && now - Math.max(used(hex), this.startedAt) >= idleMs);
    const over = this.overBudget(new Set(idle), free);
    // Chosen and moved out of the way in this one turn: a load that comes while one is being deleted
    // finds no image and unpacks it afresh, instead of taking a folder that is going.
    const removed: string[] = [];
    const removals: Promise<void>[] = [];
    for (const hex of [...idle, ...over]) {
      const aside = setAside(this.imagesDir, hex);
      this.ready.delete(`sha256:${hex}`);
      this.lastUsed.delete(`sha256:${hex}`);
      this.dropImage(hex);
      if (aside) {
        removed.push(hex);
        removals.push(this.remove(aside));
      }
    }
    this.evicted += over.filter((hex) => removed.includes(hex)).length;
    await Promise.all(removals);
    const keep = new Set<string>();
    for (const image of this.images.values()) for (const blob of image.blobs) keep.add(blob);
    let blobs = 0;
    for (const hex of quiet && loadsBefore === this.loadsBegun ? [...this.blobs.keys()] : []) {
      // Checked in the turn each blob leaves its name: a load begun since stops the rest, and one that
      // begins after finds the blob missing and fetches it again.
      if (loadsBefore !== this.loadsBegun) break;
      if (keep.has(hex)) continue;
      const aside = setAside(this.blobsDir, hex);
      this.dropBlob(hex);
      if (aside) {
        await this.remove(aside);
        blobs += 1;
      }
    }
    const stillOver = this.bytes > this.budgetBytes;
    if (removed.length + blobs > 0 || stillOver)
      this.options.log.info(
        {
          idle: idle.map((hex) => `sha256:${hex}`),
          overBudget: over.map((hex) => `sha256:${hex}`),
          blobs,
          bytes: this.bytes,
          budgetBytes: this.budgetBytes,
        },
        stillOver
          ? 'container image cache over its budget: removed what nobody uses; the rest is in use (or its blobs are being loaded)'
          : 'removed unused container images',
      );
    return { images: removed.length, blobs };
  }

  /**
   * The images to remove, least recently used first, for the cache to come within its budget once
   * `idle` are gone too; each frees its folder and the blobs no image left names.
   */
  private overBudget(idle: Set<string>, free: (hex: string) => boolean): string[] {
    if (this.bytes <= this.budgetBytes) return [];
    const names = new Map<string, number>();
    let kept = 0;
    for (const [hex, image] of this.images) {
      if (idle.has(hex)) continue;
      kept += image.bytes;
      for (const blob of image.blobs) names.set(blob, (names.get(blob) ?? 0) + 1);
    }
    for (const blob of names.keys()) kept += this.blobs.get(blob) ?? 0;
    const candidates = [...this.images.keys()]
      .filter((hex) => !idle.has(hex) && free(hex))
      .map((hex) => ({ key: hex, lastUsed: this.lastUsed.get(`sha256:${hex}`) ?? 0 }));
    return leastRecentlyUsed(candidates, kept - this.budgetBytes, (hex) => {
      const image = this.images.get(hex)!;
      let freed = image.bytes;
      for (const blob of image.blobs) {
        const left = names.get(blob)! - 1;
        names.set(blob, left);
        if (left === 0) freed += this.blobs.get(blob) ?? 0;
      }
      return freed;
    });
  }

  private addImage(hex: string, bytes: number, blobs: string[]): void {
    this.dropImage(hex);
    this.images.set(hex, { bytes, blobs });
    this.bytes += bytes;
  }

  private dropImage(hex: string): void {
    const image = this.images.get(hex);
    if (!image) return;
    this.images.delete(hex);
    this.bytes -= image.bytes;
  }

  private addBlob(hex: string, bytes: number): void {
    this.dropBlob(hex);
    this.blobs.set(hex, bytes);
    this.bytes += bytes;
  }

  private dropBlob(hex: string): void {
    const bytes = this.blobs.get(hex);
    if (bytes === undefined) return;
    this.blobs.delete(hex);
    this.bytes -= bytes;
  }

  /** The image's image.json; null when it has none (or a torn one), but a failure to read it is thrown. */
  private async record(hex: string): Promise<ImageRecord | null> {
    try {
      return JSON.parse(await readFile(path.join(this.imagesDir, hex, 'image.json'), 'utf8')) as ImageRecord;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (err instanceof SyntaxError || code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw err;
    }
  }

  private async load(digest: string): Promise<UnpackedImage> {
    const hex = hexOf(digest);
    const target = path.join(this.imagesDir, hex);
    const known = await this.record(hex);
    if (known) {
      if (!this.images.has(hex)) this.addImage(hex, (await diskBytes([target]))[0]!, known.blobs.map(hexOf));
      return { digest, rootfs: path.join(target, 'rootfs'), config: known.config };
    }
    // No image.json: whatever is under the name is what a deletion cut short left (one executor per folder,
    // one load per image, and the sweep skips an image being loaded), never a complete image.
    const leftover = setAside(this.imagesDir, hex);
    if (leftover) await this.remove(leftover);

    const started = Date.now();
    const manifest = JSON.parse(await readFile(await this.blob(digest), 'utf8')) as Manifest;
    if (!manifest.config || !Array.isArray(manifest.layers)) throw new Error(`${digest} is not an image manifest`);
    const configBlob = JSON.parse(await readFile(await this.blob(manifest.config.digest), 'utf8')) as { config?: ImageConfig };
    for (const layer of manifest.layers) await this.blob(layer.digest);
    const blobs = [digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)];

    const scratch = path.join(this.imagesDir, `.unpack-${randomBytes(6).toString('hex')}`);
    try {
      // A one-image OCI layout whose blobs are hard links to the shared store: what umoci reads.
      const layout = path.join(scratch, 'layout');
      await mkdir(path.join(layout, 'blobs', 'sha256'), { recursive: true });
      for (const blob of new Set(blobs))
        await link(path.join(this.blobsDir, hexOf(blob)), path.join(layout, 'blobs', 'sha256', hexOf(blob)));
      await writeFile(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      const size = (await stat(path.join(this.blobsDir, hex))).size;
      const index = {
        schemaVersion: 2,
        manifests: [
          { mediaType: manifest.mediaType ?? OCI_MANIFEST, digest, size, annotations: { 'org.opencontainers.image.ref.name': 'function' } },
        ],
      };
      await writeFile(path.join(layout, 'index.json'), JSON.stringify(index));
      const rootfs = path.join(scratch, 'rootfs');
      await run(this.options.umoci ?? 'umoci', ['raw', 'unpack', '--image', `${layout}:function`, rootfs]);
      await prepareImageRoot(rootfs);
      await rm(layout, { recursive: true, force: true });
      const record: ImageRecord = { digest, config: configBlob.config ?? {}, blobs };
      await writeFile(path.join(scratch, 'image.json'), JSON.stringify(record));
      const [bytes] = await diskBytes([scratch]);
      await rename(scratch, target);
      this.addImage(hex, bytes!, blobs.map(hexOf));
      this.options.log.info(
        { digest, layers: manifest.layers.length, diskBytes: bytes, ms: Date.now() - started },
        'container image fetched and unpacked',
      );
      return { digest, rootfs: path.join(target, 'rootfs'), config: record.config };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** The blob's file in the shared store; fetched from the api and checked against its digest when missing. */
  private async blob(digest: string): Promise<string> {
    const hex = hexOf(digest);
    const at = path.join(this.blobsDir, hex);
    if (await exists(at)) {
      if (!this.blobs.has(hex)) this.addBlob(hex, await fileBytes(at));
      return at;
    }
    const partial = path.join(this.blobsDir, `.part-${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    try {
      const body = await this.options.api.fetchImageBlob(digest);
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      await pipeline(
        Readable.fromWeb(body as import('node:stream/web').ReadableStream),
        hashing,
        createWriteStream(partial, { mode: 0o600 }),
      );
      const actual = hash.digest('hex');
      if (actual !== hex) throw new Error(`blob ${digest} arrived with sha256 ${actual}`);
      const bytes = await fileBytes(partial);
      await rename(partial, at);
      this.addBlob(hex, bytes);
      return at;
    } finally {
      await rm(partial, { force: true });
    }
  }
}
