import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, renameSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiClient } from './api-client.js';
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
  /** How a sweep deletes an image folder or a blob (default `rm -r`); tests hold it to act in the middle of a sweep. */
  remove?: (at: string) => Promise<void>;
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
 * no instance used for `idleMs` are removed by `sweep()`, and then the blobs no image names.
 */
export class ImageCache {
  private readonly ready = new Map<string, UnpackedImage>();
  private readonly loading = new Map<string, Promise<UnpackedImage>>();
  private readonly users = new Map<string, number>();
  private readonly lastUsed = new Map<string, number>();
  /** Loads begun so far: a sweep deletes blobs only while it stays the same (see sweep). */
  private loadsBegun = 0;
  private readonly blobsDir: string;
  private readonly imagesDir: string;
  private readonly remove: (at: string) => Promise<void>;

  constructor(private readonly options: ImageCacheOptions) {
    this.blobsDir = path.join(options.dir, 'blobs', 'sha256');
    this.imagesDir = path.join(options.dir, 'images');
    this.remove = options.remove ?? ((at) => rm(at, { recursive: true, force: true }));
  }

  async init(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true, mode: 0o700 });
    await mkdir(this.imagesDir, { recursive: true, mode: 0o700 });
    for (const dir of [this.blobsDir, this.imagesDir]) {
      for (const name of await readdir(dir)) if (name.startsWith('.')) await rm(path.join(dir, name), { recursive: true, force: true });
    }
  }

  /** Makes sure the image is here and unpacked (fetching and unpacking it if not). */
  async prefetch(digest: string): Promise<UnpackedImage> {
    this.lastUsed.set(digest, Date.now());
    const known = this.ready.get(digest);
    if (known && (await exists(known.rootfs))) return known;
    this.ready.delete(digest);
    let pending = this.loading.get(digest);
    if (!pending) {
      pending = this.load(digest).finally(() => this.loading.delete(digest));
      this.loading.set(digest, pending);
      this.loadsBegun += 1;
    }
    const image = await pending;
    this.ready.set(digest, image);
    return image;
  }

  /** For an invocation about to run, or an instance about to start: the image, kept from sweeps until `release`. */
  async acquire(digest: string): Promise<UnpackedImage> {
    this.users.set(digest, (this.users.get(digest) ?? 0) + 1);
    try {
      return await this.prefetch(digest);
    } catch (err) {
      this.release(digest);
      throw err;
    }
  }

  release(digest: string): void {
    const left = (this.users.get(digest) ?? 1) - 1;
    if (left > 0) this.users.set(digest, left);
    else this.users.delete(digest);
    this.lastUsed.set(digest, Date.now());
  }

  /** Removes images unused for `idleMs` (none an instance holds), then every blob no remaining image names. */
  async sweep(now = Date.now()): Promise<{ images: number; blobs: number }> {
    const idleMs = this.options.idleMs ?? 3_600_000;
    // A load reads blobs before its image.json names them, and one that ends during the sweep leaves an
    // image the listing of images missed: blobs go only if no load ran at any moment of the sweep.
    const quiet = this.loading.size === 0;
    const loadsBefore = this.loadsBegun;
    const keep = new Set<string>();
    let images = 0;
    for (const hex of await readdir(this.imagesDir)) {
      if (hex.startsWith('.')) continue;
      const digest = `sha256:${hex}`;
      // An image found on disk but never used by this process counts as used when first seen.
      if (!this.lastUsed.has(digest)) this.lastUsed.set(digest, now);
      const busy = (this.users.get(digest) ?? 0) > 0 || this.loading.has(digest);
      if (!busy && now - this.lastUsed.get(digest)! >= idleMs) {
        // Moved out of the way in the turn it was chosen: a load that comes while it is being deleted
        // finds no image and unpacks it afresh, instead of taking a folder that is going.
        const aside = this.setAside(this.imagesDir, hex);
        this.ready.delete(digest);
        this.lastUsed.delete(digest);
        if (aside) {
          await this.remove(aside);
          images += 1;
        }
        continue;
      }
      const record = await this.record(hex);
      for (const blob of record?.blobs ?? []) keep.add(hexOf(blob));
    }
    let blobs = 0;
    for (const hex of quiet && loadsBefore === this.loadsBegun ? await readdir(this.blobsDir) : []) {
      // Checked in the turn each blob leaves its name: a load begun since stops the rest, and one that
      // begins after finds the blob missing and fetches it again.
      if (loadsBefore !== this.loadsBegun) break;
      if (hex.startsWith('.') || keep.has(hex)) continue;
      const aside = this.setAside(this.blobsDir, hex);
      if (aside) {
        await this.remove(aside);
        blobs += 1;
      }
    }
    if (images + blobs > 0) this.options.log.info({ images, blobs }, 'removed unused container images');
    return { images, blobs };
  }

  /**
   * Renames an entry of `dir` to a dot-name (which sweeps skip and `init` deletes) at once, so that no
   * other work runs between the choice to delete it and its leaving its name; null if it was gone.
   */
  private setAside(dir: string, name: string): string | null {
    const aside = path.join(dir, `.gone-${randomBytes(6).toString('hex')}`);
    try {
      renameSync(path.join(dir, name), aside);
      return aside;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
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
    if (known) return { digest, rootfs: path.join(target, 'rootfs'), config: known.config };
    // No image.json: whatever is under the name is what a deletion cut short left (one executor per folder,
    // one load per image, and the sweep skips an image being loaded), never a complete image.
    const leftover = this.setAside(this.imagesDir, hex);
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
      await rename(scratch, target);
      this.options.log.info({ digest, layers: manifest.layers.length, ms: Date.now() - started }, 'container image fetched and unpacked');
      return { digest, rootfs: path.join(target, 'rootfs'), config: record.config };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** The blob's file in the shared store; fetched from the api and checked against its digest when missing. */
  private async blob(digest: string): Promise<string> {
    const hex = hexOf(digest);
    const at = path.join(this.blobsDir, hex);
    if (await exists(at)) return at;
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
      await rename(partial, at);
      return at;
    } finally {
      await rm(partial, { force: true });
    }
  }
}
