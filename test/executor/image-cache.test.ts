import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageCache } from '../../executor/image-cache.js';
import { readImageArchive, type ParsedImage } from '../../src/modules/functions/image-archive.js';
import { ociGoImage } from '../helpers/images.js';
import { silentLog } from './helpers.js';

/** The executor's image store: blobs verified as they arrive, unpacked once by umoci, collected when unused. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-image-cache-'));
let image: ParsedImage;
let fetched: string[] = [];

beforeAll(async () => {
  image = await readImageArchive(await ociGoImage(), {
    architecture: 'x86_64',
    limits: { maxImageBytes: 1 << 30, maxImageUnpackedBytes: 1 << 30 },
  });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An api serving the image's blobs, optionally corrupting one. */
function api(corrupt?: string) {
  return {
    async fetchImageBlob(digest: string) {
      fetched.push(digest);
      const data = Buffer.from(image.blobs.get(digest)!);
      if (digest === corrupt) data[0] = data[0]! ^ 0xff;
      return new Blob([data]).stream();
    },
  };
}

/** A `remove` for the cache that holds the first deletion `which` picks until `release()`; the others go at once. */
function holdRemoval(which: (at: string) => boolean) {
  let reached!: () => void;
  let release!: () => void;
  const atHold = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding = false;
  return {
    reached: atHold,
    release,
    async remove(at: string) {
      if (!holding && which(at)) {
        holding = true;
        reached();
        await gate;
      }
      rmSync(at, { recursive: true, force: true });
    },
  };
}

describe('executor image cache', () => {
  it('unpacks an image once, with the mount points the sandbox needs, and shares it', async () => {
    const cache = new ImageCache({ dir: path.join(dir, 'a'), api: api(), log: silentLog });
    await cache.init();
    fetched = [];
    const [one, two] = await Promise.all([cache.prefetch(image.digest), cache.prefetch(image.digest)]);
    expect(one.rootfs).toBe(two.rootfs);
    expect(fetched.sort()).toEqual([...image.blobs.keys()].sort());
    for (const p of [
      'bootstrap',
      'proc',
      'dev',
      'tmp',
      'etc/passwd',
      'etc/resolv.conf',
      'run/tally/runtime-api.sock',
      'run/tally/host/setpriv',
    ]) {
      expect(existsSync(path.join(one.rootfs, p)), p).toBe(true);
    }
    expect(one.config).toMatchObject({ Entrypoint: ['/bootstrap'], Cmd: ['app.handler'], WorkingDir: '/var/task' });
    // A new process finds it on disk, without fetching anything.
    fetched = [];
    const again = new ImageCache({ dir: path.join(dir, 'a'), api: api(), log: silentLog });
    await again.init();
    expect((await again.prefetch(image.digest)).rootfs).toBe(one.rootfs);
    expect(fetched).toEqual([]);
  });

  it('refuses a blob that does not match its digest, and keeps nothing of it', async () => {
    const layer = [...image.blobs.keys()].find((d) => d !== image.digest && d !== image.configDigest)!;
    const cache = new ImageCache({ dir: path.join(dir, 'b'), api: api(layer), log: silentLog });
    await cache.init();
    await expect(cache.prefetch(image.digest)).rejects.toThrow(/arrived with sha256/);
    expect(readdirSync(path.join(dir, 'b', 'images'))).toEqual([]);
    expect(readdirSync(path.join(dir, 'b', 'blobs', 'sha256'))).not.toContain(layer.slice(7));
  });

  it('removes an image no instance holds once idle, then the blobs no image names; never one in use', async () => {
    const cache = new ImageCache({ dir: path.join(dir, 'c'), api: api(), log: silentLog, idleMs: 1000 });
    await cache.init();
    await cache.acquire(image.digest);
    expect(await cache.sweep(Date.now() + 10_000)).toEqual({ images: 0, blobs: 0 });
    cache.release(image.digest);
    expect(await cache.sweep(Date.now() + 500)).toEqual({ images: 0, blobs: 0 });
    expect(await cache.sweep(Date.now() + 10_000)).toEqual({ images: 1, blobs: image.blobs.size });
    expect(readdirSync(path.join(dir, 'c', 'blobs', 'sha256'))).toEqual([]);
    // Needed again: fetched and unpacked again.
    expect(existsSync((await cache.acquire(image.digest)).rootfs)).toBe(true);
  });

  it('a load that comes while a sweep deletes the image unpacks it afresh, instead of taking the folder being deleted', async () => {
    const at = path.join(dir, 'd');
    const held = holdRemoval((p) => path.dirname(p) === path.join(at, 'images'));
    const cache = new ImageCache({ dir: at, api: api(), log: silentLog, idleMs: 1000, remove: held.remove });
    await cache.init();
    await cache.prefetch(image.digest);
    const sweeping = cache.sweep(Date.now() + 10_000);
    await held.reached;
    // A cold start of the same image, while the sweep's deletion of its folder is under way.
    const unpacked = await cache.acquire(image.digest);
    held.release();
    await sweeping;
    expect(existsSync(path.join(unpacked.rootfs, 'bootstrap'))).toBe(true);
  });

  it('a sweep deleting blobs stops when a load starts, and leaves every blob the loaded image names', async () => {
    const at = path.join(dir, 'e');
    const blobsDir = path.join(at, 'blobs', 'sha256');
    const held = holdRemoval((p) => path.dirname(p) === blobsDir);
    const cache = new ImageCache({ dir: at, api: api(), log: silentLog, idleMs: 1000, remove: held.remove });
    await cache.init();
    await cache.prefetch(image.digest);
    const sweeping = cache.sweep(Date.now() + 10_000);
    // The image is gone, and the sweep is deleting its blobs, none of which an image names any more.
    await held.reached;
    const unpacked = await cache.acquire(image.digest);
    held.release();
    await sweeping;
    expect(existsSync(path.join(unpacked.rootfs, 'bootstrap'))).toBe(true);
    const left = readdirSync(blobsDir);
    for (const blob of image.blobs.keys()) expect(left, blob).toContain(blob.slice(7));
  });

  it('unpacks afresh over what a deletion cut short left under the image name, instead of taking it', async () => {
    // A sweep's `rm -r` killed midway (before sweeps moved a folder aside first): no image.json, part of a root.
    const at = path.join(dir, 'f');
    mkdirSync(path.join(at, 'images', image.digest.slice(7), 'rootfs', 'etc'), { recursive: true });
    const cache = new ImageCache({ dir: at, api: api(), log: silentLog });
    await cache.init();
    const unpacked = await cache.prefetch(image.digest);
    expect(existsSync(path.join(unpacked.rootfs, 'bootstrap'))).toBe(true);
    expect(readdirSync(path.join(at, 'images'))).toEqual([image.digest.slice(7)]);
  });
});
