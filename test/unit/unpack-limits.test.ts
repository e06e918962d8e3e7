import { createHash as realCreateHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { readImageArchive } from '../../src/modules/functions/image-archive.js';
import { inspectZip } from '../../src/modules/functions/functions.zip.js';
import { makeZip, NODE_ECHO } from '../helpers/functions.js';
import { tar } from '../helpers/tar.js';

/**
 * Found by a review on 2026-12-07 (a hostile tenant): what the api accepts from a zip or an image archive before anything
 * reaches an executor. Every byte the api hashes is counted, through a pass-through node:crypto.
 */
const hashed = vi.hoisted(() => ({ bytes: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    createHash: (algorithm: string) => {
      const hash = real.createHash(algorithm);
      const update = hash.update.bind(hash);
      hash.update = ((data: Buffer | string, encoding?: BufferEncoding) => {
        hashed.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
        return encoding ? update(data as string, encoding) : update(data);
      }) as typeof hash.update;
      return hash;
    },
  };
});

const MB = 1024 * 1024;
const hex = (data: Buffer) => realCreateHash('sha256').update(data).digest('hex');

/** An OCI archive whose manifest (and config) name one layer `times` times. */
function repeatedLayerArchive(layer: Buffer, times: number): Buffer {
  const layerDigest = `sha256:${hex(layer)}`;
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Entrypoint: ['/x'] },
      rootfs: { type: 'layers', diff_ids: Array(times).fill(layerDigest) },
    }),
  );
  const descriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${hex(config)}`, size: config.length },
      layers: Array(times).fill(descriptor),
    }),
  );
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex(manifest)}`, size: manifest.length }],
    }),
  );
  return tar([
    { name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { name: 'index.json', data: index },
    { name: `blobs/sha256/${hex(manifest)}`, data: manifest },
    { name: `blobs/sha256/${hex(config)}`, data: config },
    { name: `blobs/sha256/${hex(layer)}`, data: layer },
  ]);
}

describe('unpack limits on the api', () => {
  it('refuses a zip whose symlinks, chained, point outside the code folder ("a/x" -> "q/..", "a/q" -> "..")', async () => {
    // Each target stays inside when read on its own; "a/x" resolves to a/q/.. = <code>/.. : the folder above the code.
    const zip = makeZip([
      { name: 'index.js', data: NODE_ECHO },
      { name: 'a/q', symlink: '..' },
      { name: 'a/x', symlink: 'q/..' },
    ]);
    await expect(inspectZip(zip, { maxZipBytes: 50 * MB, maxUnzippedBytes: 250 * MB })).rejects.toMatchObject({ code: 'INVALID_ZIP' });
  });

  it('bounds the hashing an image archive costs, however often its manifest names one layer', async () => {
    // One 4 MB layer named 100 times by the manifest (and by the config's diff ids). The image is far past its
    // unpacked limit (8 MB); before 2026-12-07 each naming was hashed in full before any limit was looked at.
    const layer = tar([{ name: 'big.bin', data: Buffer.alloc(4 * MB, 1) }]);
    const archive = repeatedLayerArchive(layer, 100);
    const limits = { maxImageBytes: 16 * MB, maxImageUnpackedBytes: 8 * MB };
    hashed.bytes = 0;
    const started = Date.now();
    await expect(readImageArchive(archive, { architecture: 'x86_64', limits })).rejects.toMatchObject({ code: 'CODE_TOO_LARGE' });
    const ms = Date.now() - started;
    // Reading the archive and its layers up to the unpacked limit, a few times over, is all a refusal should cost.
    const bound = 4 * (archive.length + limits.maxImageUnpackedBytes);
    expect(
      hashed.bytes,
      `hashed ${hashed.bytes} bytes in ${ms} ms (event loop blocked) for a ${archive.length}-byte archive`,
    ).toBeLessThanOrEqual(bound);
  });

  it('refuses an image of more than 128 layers before reading them', async () => {
    const layer = tar([{ name: 'small.bin', data: Buffer.alloc(10, 1) }]);
    const limits = { maxImageBytes: 16 * MB, maxImageUnpackedBytes: 8 * MB };
    await expect(readImageArchive(repeatedLayerArchive(layer, 129), { architecture: 'x86_64', limits })).rejects.toThrow(/at most 128/);
    await expect(readImageArchive(repeatedLayerArchive(layer, 128), { architecture: 'x86_64', limits })).resolves.toBeDefined();
  });
});
