import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeCache } from '../../executor/code-cache.js';
import { ImageCache } from '../../executor/image-cache.js';
import { inspectZip } from '../../src/modules/functions/functions.zip.js';
import { readImageArchive, type ParsedImage } from '../../src/modules/functions/image-archive.js';
import { makeZip, NODE_ECHO } from '../helpers/functions.js';
import { tar } from '../helpers/tar.js';
import { silentLog } from './helpers.js';

/**
 * Found by a review on 2026-12-07 (a hostile tenant): what an executor, running as root, writes on its own disk when it unpacks
 * a tenant's zip or container image. Everything lives under one fresh temporary folder.
 */
const exec = promisify(execFile);
const MB = 1024 * 1024;
const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const work = mkdtempSync(path.join(os.tmpdir(), 'tally-unpack-'));
const outside = path.join(work, 'outside');
let counter = 0;
const fresh = (what: string) => path.join(work, `${what}-${++counter}`);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An OCI image layout, as a tar, of these (uncompressed) layers. */
function ociArchive(layers: Buffer[]): Buffer {
  const layerDescriptors = layers.map((l) => ({
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: `sha256:${hex(l)}`,
    size: l.length,
  }));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Entrypoint: ['/bootstrap'] },
      rootfs: { type: 'layers', diff_ids: layerDescriptors.map((d) => d.digest) },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${hex(config)}`, size: config.length },
      layers: layerDescriptors,
    }),
  );
  const index = {
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex(manifest)}`, size: manifest.length }],
  };
  const blobs = [manifest, config, ...layers];
  const unique = new Map(blobs.map((b) => [hex(b), b]));
  return tar([
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: JSON.stringify(index) },
    ...[...unique].map(([h, b]) => ({ name: `blobs/sha256/${h}`, data: b })),
  ]);
}

/** The image as the api accepts it, then fetched and unpacked by an executor's ImageCache. */
async function unpackImage(image: ParsedImage) {
  const cache = new ImageCache({
    dir: fresh('images'),
    log: silentLog,
    api: { fetchImageBlob: async (digest: string) => new Blob([Buffer.from(image.blobs.get(digest)!)]).stream() },
  });
  await cache.init();
  return cache.prefetch(image.digest);
}

const bigLimits = { maxImageBytes: 1 << 30, maxImageUnpackedBytes: 1 << 30 };

/** Everything under the folder "outside" the cache, with contents: it must never change. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(outside, { recursive: true, encoding: 'utf8' }) as string[]) {
    const at = path.join(outside, name);
    try {
      out[name] = readFileSync(at, 'utf8');
    } catch {
      out[name] = '<dir>';
    }
  }
  return out;
}

describe('the executor unpacking a zip', () => {
  it('makes no symlink that, followed on the host, leads outside the code folder ("a/x" -> "q/..", "a/q" -> "..")', async () => {
    const zip = makeZip([
      { name: 'index.js', data: NODE_ECHO },
      { name: 'a/q', symlink: '..' },
      { name: 'a/x', symlink: 'q/..' },
    ]);
    // The api refuses it since 2026-12-07; one stored before reaches the executor all the same.
    await expect(inspectZip(zip, { maxZipBytes: 50 * MB, maxUnzippedBytes: 250 * MB })).rejects.toThrow(/chained links/);
    const dir = fresh('code');
    const sha = hex(zip);
    const cache = new CodeCache(dir, { fetchCode: async () => zip }, silentLog);
    await cache.init();
    // The executor refuses it, as the kernel would resolve the link, and keeps no folder of it.
    await expect(cache.folder(sha)).rejects.toThrow(/leads outside the code folder/);
    expect(readdirSync(dir).filter((n) => n.includes(sha))).toEqual([]);
  });

  it('unpacks every zip the api accepted: a file and a folder of the same name are refused up front', async () => {
    const zip = makeZip([
      { name: 'index.js', data: NODE_ECHO },
      { name: 'lib/a.js', data: 'x' },
      { name: 'lib', data: 'y' },
    ]);
    const accepted = await inspectZip(zip, { maxZipBytes: 50 * MB, maxUnzippedBytes: 250 * MB }).then(
      () => true,
      () => false,
    );
    const cache = new CodeCache(fresh('code'), { fetchCode: async () => zip }, silentLog);
    await cache.init();
    const unpacked = await cache.folder(hex(zip)).then(
      () => true,
      () => false,
    );
    expect({ accepted, unpacked }).not.toEqual({ accepted: true, unpacked: false });
  });

  // Each was accepted by the api, stored, and then failed every cold start at the executor's unpack.
  for (const [what, entries] of [
    ['a folder entry, then a file of its name', [{ name: 'lib/' }, { name: 'lib', data: 'y' }]],
    ['a file, then a folder entry of its name', [{ name: 'lib', data: 'y' }, { name: 'lib/' }]],
    [
      'a file and a symlink of one name',
      [
        { name: 'lib', data: 'y' },
        { name: 'lib', symlink: 'index.js' },
      ],
    ],
    [
      'a symlink named twice',
      [
        { name: 'lib', symlink: 'index.js' },
        { name: 'lib', symlink: 'index.js' },
      ],
    ],
    ['a folder entry under a symlink', [{ name: 'lnk', symlink: 'sub' }, { name: 'sub/' }, { name: 'lnk/deeper/' }]],
    ['a symlink whose name holds "./", leading out', [{ name: 'x/./up', symlink: '../..' }]],
    [
      'a file under a symlink named with "./"',
      [{ name: 'x/./lnk', symlink: '../sub' }, { name: 'sub/' }, { name: 'x/lnk/f.js', data: 'z' }],
    ],
    ['a file named "."', [{ name: 'a/.', data: 'y' }]],
    ['a name of more than 255 bytes', [{ name: `lib/${'n'.repeat(256)}.js`, data: 'y' }]],
    ['a symlink target of more than 4,096 bytes', [{ name: 'lnk', symlink: `${'./'.repeat(3000)}index.js` }]],
    ['a path of more than 4,096 bytes', [{ name: `${'d'.repeat(200)}/`.repeat(21).concat('f.js'), data: 'y' }]],
  ] as const) {
    it(`unpacks every zip the api accepted: ${what}`, async () => {
      const zip = makeZip([{ name: 'index.js', data: NODE_ECHO }, ...entries]);
      const accepted = await inspectZip(zip, { maxZipBytes: 50 * MB, maxUnzippedBytes: 250 * MB }).then(
        () => true,
        () => false,
      );
      const cache = new CodeCache(fresh('code'), { fetchCode: async () => zip }, silentLog);
      await cache.init();
      const unpacked = await cache.folder(hex(zip)).then(
        () => true,
        () => false,
      );
      expect({ accepted, unpacked }).not.toEqual({ accepted: true, unpacked: false });
    });
  }
});

describe('the executor unpacking a container image', () => {
  beforeAll(() => {
    mkdirSync(path.join(outside, 'keep'), { recursive: true });
    writeFileSync(path.join(outside, 'sentinel'), 'host file');
    writeFileSync(path.join(outside, 'keep', 'file'), 'host file in a folder');
  });

  it("keeps the image's unpacked size on disk within the limit the api checked (a sparse file in a layer)", async () => {
    // A 64 MB file with no data: GNU tar writes it sparse, a 10 KB layer.
    const src = fresh('sparse');
    mkdirSync(src);
    await exec('truncate', ['-s', `${64 * MB}`, path.join(src, 'hole')]);
    await exec('tar', ['--format=posix', '--sparse', '-C', src, '-cf', `${src}.tar`, '.']);
    const layer = readFileSync(`${src}.tar`);
    const limits = { maxImageBytes: 1 << 30, maxImageUnpackedBytes: 4 * MB };
    // Before 2026-12-07 the api counted this 10 KB layer as 10 KB, and umoci wrote 64 MB of the executor's disk.
    await expect(readImageArchive(ociArchive([layer]), { architecture: 'x86_64', limits })).rejects.toThrow(/sparse file/);
    // The same without --sparse (a 64 MB layer) is refused for its size, as before.
    await exec('tar', ['--format=posix', '-C', src, '-cf', `${src}-full.tar`, '.']);
    await expect(readImageArchive(ociArchive([readFileSync(`${src}-full.tar`)]), { architecture: 'x86_64', limits })).rejects.toThrow(
      /larger than/,
    );
  }, 60_000);

  it('keeps an unpacked root, with its setuid files and device nodes, where no other host user can reach it', async () => {
    const layer = tar([
      { name: 'suid', data: '#!/bin/sh\n', mode: 0o4755 },
      { name: 'mem', type: '3', mode: 0o666, device: [1, 1] },
    ]);
    const image = await readImageArchive(ociArchive([layer]), { architecture: 'x86_64', limits: bigLimits });
    const unpacked = await unpackImage(image);
    // umoci, as root, keeps both (inert in the sandbox: nosuid, nodev); the images folder is the executor's alone.
    const images = path.dirname(path.dirname(unpacked.rootfs));
    expect(statSync(images).mode & 0o077).toBe(0);
  }, 60_000);

  const climb = `${'../'.repeat(12)}${outside.slice(1)}`;
  const cases: [string, Buffer[]][] = [
    ['a name climbing out with ".."', [tar([{ name: `${climb}/evil`, data: 'pwned' }])]],
    ['an absolute name', [tar([{ name: `${outside}/evil`, data: 'pwned' }])]],
    [
      'a file written through a symlink to a host folder',
      [
        tar([
          { name: 's', type: '2', link: outside },
          { name: 's/evil', data: 'pwned' },
          { name: 's/sentinel', data: 'pwned' },
        ]),
      ],
    ],
    [
      'a file written through a relative symlink climbing out, in a later layer',
      [tar([{ name: 's', type: '2', link: climb }]), tar([{ name: 's/sentinel', data: 'pwned' }])],
    ],
    [
      'a hard link to a host file, then written',
      [
        tar([
          { name: 'h', type: '1', link: `${outside}/sentinel` },
          { name: 'h', data: 'pwned' },
        ]),
      ],
    ],
    ['a hard link to a host file climbing out', [tar([{ name: 'h', type: '1', link: `${climb}/sentinel` }])]],
    ['a whiteout through a symlink to a host folder', [tar([{ name: 's', type: '2', link: outside }]), tar([{ name: 's/.wh.sentinel' }])]],
    ['a whiteout climbing out', [tar([{ name: `${climb}/.wh.sentinel` }])]],
    [
      'an opaque marker through a symlink to a host folder',
      [tar([{ name: 's', type: '2', link: outside }]), tar([{ name: 's/.wh..wh..opq' }])],
    ],
    [
      'a folder replaced by a symlink, then written through',
      [tar([{ name: 'd', type: '5' }]), tar([{ name: 'd', type: '2', link: outside }]), tar([{ name: 'd/evil', data: 'pwned' }])],
    ],
  ];
  for (const [what, layers] of cases) {
    it(`writes and removes nothing outside the image's root: ${what}`, async () => {
      const before = snapshot();
      const image = await readImageArchive(ociArchive(layers), { architecture: 'x86_64', limits: bigLimits });
      const unpacked = await unpackImage(image).catch(() => null);
      expect(snapshot()).toEqual(before);
      if (unpacked) {
        // Whatever the layer said, the root holds no hard link to the host's file.
        expect(existsSync(path.join(unpacked.rootfs, 'h')) ? readFileSync(path.join(unpacked.rootfs, 'h'), 'utf8') : '').not.toBe(
          'host file',
        );
      }
    }, 60_000);
  }
});
