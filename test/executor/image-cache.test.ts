import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

describe('the image cache within its budget', () => {
  let one: ParsedImage;
  let two: ParsedImage;
  beforeAll(async () => {
    const read = async (greeting: string) =>
      readImageArchive(await ociGoImage({ greeting }), {
        architecture: 'x86_64',
        limits: { maxImageBytes: 1 << 30, maxImageUnpackedBytes: 1 << 30 },
      });
    [one, two] = [await read('one'), await read('two')];
  }, 120_000);

  /** An api serving both images' blobs; `gate(digest)` holds that blob's next fetch until opened. */
  function api2() {
    const gates = new Map<string, Promise<void>>();
    return {
      fetched: [] as string[],
      gate(digest: string) {
        let open!: () => void;
        gates.set(
          digest,
          new Promise<void>((resolve) => {
            open = resolve;
          }),
        );
        return () => open();
      },
      async fetchImageBlob(this: { fetched: string[] }, digest: string) {
        this.fetched.push(digest);
        const gate = gates.get(digest);
        gates.delete(digest);
        await gate;
        return new Blob([Buffer.from(one.blobs.get(digest) ?? two.blobs.get(digest)!)]).stream();
      },
    };
  }

  /** What a tree takes on disk, counted here by walking it (the cache asks du). */
  const onDisk = (at: string): number => {
    const st = lstatSync(at);
    let bytes = st.blocks * 512;
    if (st.isDirectory()) for (const name of readdirSync(at)) bytes += onDisk(path.join(at, name));
    return bytes;
  };
  /** The cache's images and blobs on disk (not what is being deleted). */
  const kept = (at: string) => ({
    images: readdirSync(path.join(at, 'images'))
      .filter((n) => !n.startsWith('.'))
      .sort(),
    blobs: readdirSync(path.join(at, 'blobs', 'sha256'))
      .filter((n) => !n.startsWith('.'))
      .sort(),
  });
  const keptBytes = (at: string) => {
    const { images, blobs } = kept(at);
    return [...images.map((h) => path.join(at, 'images', h)), ...blobs.map((h) => path.join(at, 'blobs', 'sha256', h))].reduce(
      (sum, p) => sum + onDisk(p),
      0,
    );
  };
  const hexes = (image: ParsedImage) => [...image.blobs.keys()].map((d) => d.slice(7));
  const blobsOf = (...images: ParsedImage[]) => [...new Set(images.flatMap(hexes))].sort();

  /** One image with its blobs, as the cache counts it. */
  async function imageBytes(): Promise<number> {
    const cache = new ImageCache({ dir: path.join(dir, `measure-${Math.random()}`), api: api2(), log: silentLog });
    await cache.init();
    await cache.prefetch(one.digest);
    return cache.stats().bytes;
  }

  it('removes the least recently used image nobody holds, with the blobs no other image names; never a held one', async () => {
    const budgetBytes = Math.floor(1.1 * (await imageBytes()));
    const at = path.join(dir, 'budget-a');
    const server = api2();
    const cache = new ImageCache({ dir: at, api: server, log: silentLog, budgetBytes });
    await cache.init();
    await cache.acquire(one.digest);
    // Two loaded (for no instance) puts the cache over its budget: the held one stays, two goes.
    await cache.prefetch(two.digest);
    await cache.sweep();
    expect(kept(at)).toEqual({ images: [one.digest.slice(7)], blobs: blobsOf(one) });
    // Both held: over the budget, and both stay.
    const again = await cache.acquire(two.digest);
    expect(server.fetched.filter((d) => d === two.digest)).toHaveLength(2);
    expect(existsSync(path.join(again.rootfs, 'bootstrap'))).toBe(true);
    expect(await cache.sweep()).toEqual({ images: 0, blobs: 0 });
    expect(kept(at)).toEqual({ images: [one.digest.slice(7), two.digest.slice(7)].sort(), blobs: blobsOf(one, two) });
    expect(cache.stats().bytes).toBeGreaterThan(budgetBytes);
    // One's last hold ends: it is the least recently used nobody holds, and goes with the blobs only it names.
    cache.release(one.digest);
    await cache.sweep();
    expect(kept(at)).toEqual({ images: [two.digest.slice(7)], blobs: blobsOf(two) });
    expect(cache.stats()).toMatchObject({ entries: 1, evicted: 2 });
    expect(cache.stats().bytes).toBe(keptBytes(at));
    expect(cache.stats().bytes).toBeLessThanOrEqual(budgetBytes);
  });

  it('measures at start the images and blobs on disk, and trims them to the budget, the least recently used first', async () => {
    const at = path.join(dir, 'budget-b');
    const first = new ImageCache({ dir: at, api: api2(), log: silentLog });
    await first.init();
    await first.prefetch(one.digest);
    await first.prefetch(two.digest);
    const both = first.stats().bytes;
    writeFileSync(path.join(at, 'blobs', 'sha256', '.part-0123456789ab'), Buffer.alloc(64 * 1024, 1));
    const ago = (s: number) => new Date(Date.now() - s * 1000);
    utimesSync(path.join(at, 'images', one.digest.slice(7)), ago(600), ago(600));

    const server = api2();
    const measured = new ImageCache({ dir: at, api: server, log: silentLog });
    await measured.init();
    expect(measured.stats()).toMatchObject({ bytes: both, entries: 2 });
    expect(measured.stats().bytes).toBe(keptBytes(at));
    expect(readdirSync(path.join(at, 'blobs', 'sha256')).filter((n) => n.startsWith('.'))).toEqual([]);

    const trimmed = new ImageCache({ dir: at, api: server, log: silentLog, budgetBytes: both - 1 });
    await trimmed.init();
    expect(kept(at)).toEqual({ images: [two.digest.slice(7)], blobs: blobsOf(two) });
    expect(trimmed.stats()).toMatchObject({ entries: 1, evicted: 1 });
    expect(trimmed.stats().bytes).toBe(keptBytes(at));
    expect(server.fetched).toEqual([]);
  });

  it('never removes an image being loaded, nor its blobs, while over the budget: it comes out whole', async () => {
    const at = path.join(dir, 'budget-c');
    const server = api2();
    const cache = new ImageCache({ dir: at, api: server, log: silentLog, budgetBytes: 1024 });
    await cache.init();
    await cache.acquire(one.digest);
    // Two's config is on its way when one's instance ends, and the cache is over its budget.
    const open = server.gate(two.configDigest);
    const loading = cache.acquire(two.digest);
    await expect.poll(() => server.fetched.includes(two.configDigest)).toBe(true);
    cache.release(one.digest);
    await cache.sweep();
    // One is gone, but no blob while a load may need it: two's manifest, already here, stays.
    expect(kept(at)).toEqual({ images: [], blobs: [...new Set([...hexes(one), two.digest.slice(7)])].sort() });
    open();
    const unpacked = await loading;
    await cache.sweep();
    expect(existsSync(path.join(unpacked.rootfs, 'bootstrap'))).toBe(true);
    expect(kept(at)).toEqual({ images: [two.digest.slice(7)], blobs: blobsOf(two) });
    expect(cache.stats().bytes).toBe(keptBytes(at));
  });
});
