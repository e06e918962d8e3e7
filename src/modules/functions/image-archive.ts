import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Architecture } from '../../contracts/usage.js';
import { AppError, errors } from '../../lib/errors.js';
import { readTar, TarError, tarFile } from '../../lib/tar.js';
import { LayerScanner } from './layer-scan.js';

/** How big an image archive may be (the upload) and its layers once unpacked. */
export interface ImageLimits {
  maxImageBytes: number;
  maxImageUnpackedBytes: number;
}

export const MAX_IMAGE_BYTES = 256 * 1024 * 1024;
export const MAX_IMAGE_UNPACKED_BYTES = 4 * 1024 * 1024 * 1024;

/** The part of an image's config that says how it runs (read by the executor from the config blob). */
export interface ImageRunConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Env?: string[] | null;
}

export interface ParsedImage {
  /** The digest of the (OCI) manifest the image is stored and run by. */
  digest: string;
  configDigest: string;
  config: ImageRunConfig;
  /** Every blob by digest: the manifest, the config, the layers. Views into the archive, not copies. */
  blobs: Map<string, Buffer>;
  layers: number;
  bytes: number;
  unpackedBytes: number;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { architecture?: string; os?: string };
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_TAR = 'application/vnd.oci.image.layer.v1.tar';
const OCI_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** Layer media types umoci unpacks, with what they are in OCI's names. */
const LAYER_TYPES: Record<string, typeof OCI_TAR | typeof OCI_GZIP> = {
  [OCI_TAR]: OCI_TAR,
  [OCI_GZIP]: OCI_GZIP,
  'application/vnd.docker.image.rootfs.diff.tar': OCI_TAR,
  'application/vnd.docker.image.rootfs.diff.tar.gzip': OCI_GZIP,
};
const GOARCH: Record<Architecture, string> = { x86_64: 'amd64', arm64: 'arm64' };

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function json<T>(data: Buffer, what: string): T {
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch {
    throw errors.invalidImage(`${what} is not JSON`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON document that must be an object (an index, a manifest, a config): anything else is refused, never read into. */
function jsonObject<T>(data: Buffer, what: string): T {
  const parsed = json<unknown>(data, what);
  if (!isObject(parsed)) throw errors.invalidImage(`${what} is not a JSON object`);
  return parsed as T;
}

/** A list of descriptors, each an object (a manifest's layers, an index's manifests). */
function descriptors(list: unknown, what: string): Descriptor[] {
  if (!Array.isArray(list) || !list.every(isObject)) throw errors.invalidImage(`${what} is not a list of descriptors`);
  return list as unknown as Descriptor[];
}

const strings = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string'));

/** The config's run settings as the executor reads them: it spreads Entrypoint and Cmd and splits each Env entry. */
function runConfig(config: unknown): ImageRunConfig {
  if (config === undefined || config === null) return {};
  const c = config as Record<string, unknown>;
  if (
    !isObject(config) ||
    !strings(c.Entrypoint) ||
    !strings(c.Cmd) ||
    !strings(c.Env) ||
    !(c.WorkingDir === undefined || typeof c.WorkingDir === 'string')
  ) {
    throw errors.invalidImage("the config's Entrypoint, Cmd and Env must be lists of strings, and WorkingDir a string");
  }
  return config as ImageRunConfig;
}

/** Layers an image may have: Docker's own limit is 127, and each one is another unpack on every executor. */
const MAX_LAYERS = 128;
function tooManyLayers(count: number): void {
  if (count > MAX_LAYERS) throw errors.invalidImage(`the image has ${count} layers; at most ${MAX_LAYERS} are taken`);
}

const isGzip = (data: Buffer) => data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;

/** The sha256 of a layer's tar (its diff id) and its size, gunzipping as it goes; refused past `budget` bytes. */
async function diffId(layer: Buffer, gzipped: boolean, budget: number): Promise<{ digest: string; bytes: number }> {
  const scanner = new LayerScanner();
  if (!gzipped) {
    scanner.push(layer);
    return { digest: sha256(layer), bytes: layer.length };
  }
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of Readable.from([layer]).pipe(createGunzip()) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > budget) throw errors.codeTooLarge(`imageArchive: the image is larger than its limit once unpacked`);
      scanner.push(chunk);
      hash.update(chunk);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw errors.invalidImage(`a layer is not a readable gzip stream (${(err as Error).message})`);
  }
  return { digest: `sha256:${hash.digest('hex')}`, bytes };
}

/** The OCI layout's manifest for this architecture: from index.json, through one nested index at most. */
function pickManifest(index: { manifests?: unknown }, blob: (d: Descriptor) => Buffer, architecture: Architecture): Descriptor {
  let list = descriptors(index.manifests ?? [], 'index.json: manifests');
  const nested = list.filter((d) => d.mediaType === OCI_INDEX || d.mediaType === DOCKER_LIST);
  if (nested.length === 1 && list.length === 1)
    list = descriptors(jsonObject<{ manifests?: unknown }>(blob(nested[0]!), 'the image index').manifests ?? [], 'the image index');
  const manifests = list.filter((d) => d.mediaType === OCI_MANIFEST || d.mediaType === DOCKER_MANIFEST || d.mediaType === undefined);
  const forPlatform = manifests.filter((d) => d.platform?.architecture === GOARCH[architecture] && (d.platform.os ?? 'linux') === 'linux');
  const unlabelled = manifests.filter((d) => !d.platform || d.platform.architecture === undefined);
  const chosen = forPlatform.length > 0 ? forPlatform : unlabelled;
  if (chosen.length !== 1) {
    throw errors.invalidImage(
      chosen.length === 0
        ? `no image for linux/${GOARCH[architecture]} in the archive`
        : `the archive holds ${chosen.length} images for linux/${GOARCH[architecture]}; export one`,
    );
  }
  return chosen[0]!;
}

/**
 * Reads an image archive as `docker save` or an OCI tool writes it (an OCI image layout, or Docker's
 * manifest.json with its config and layer tars) and verifies it: every blob against the digest and
 * size that name it, every layer's unpacked content against the config's diff ids, the platform
 * against the function's architecture, the sizes against the limits. Returns the image as OCI
 * blobs, with an OCI manifest (the archive's own when it is one, else one written for it).
 */
export async function readImageArchive(
  archive: Buffer,
  options: { architecture: Architecture; limits: ImageLimits },
): Promise<ParsedImage> {
  const { limits, architecture } = options;
  if (archive.length === 0) throw errors.invalidImage('is empty');
  if (archive.length > limits.maxImageBytes) {
    throw errors.codeTooLarge(`imageArchive: the archive is ${archive.length} bytes; the limit is ${limits.maxImageBytes} bytes`);
  }
  let tar: ReturnType<typeof readTar>;
  try {
    tar = readTar(archive);
  } catch (err) {
    throw errors.invalidImage(`not a readable tar archive (${err instanceof TarError ? err.message : String(err)})`);
  }
  const file = (name: string, what: string) => {
    const found = tarFile(tar, name);
    if (!found) throw errors.invalidImage(`${what} (${name}) is missing from the archive`);
    return found;
  };
  /** Blobs already checked, by digest: a manifest may name one layer many times, and each hash costs. */
  const checked = new Map<string, Buffer>();
  /** An OCI blob, checked against the descriptor that names it. */
  const blob = (d: Descriptor, what = 'a blob') => {
    if (!isObject(d)) throw errors.invalidImage(`${what} is not named by a descriptor`);
    const hex = /^sha256:([0-9a-f]{64})$/.exec(d.digest ?? '')?.[1];
    if (!hex) throw errors.invalidImage(`${what} has an unsupported digest "${d.digest}" (sha256 only)`);
    const data = file(`blobs/sha256/${hex}`, what);
    const known = checked.get(d.digest!);
    if (known) {
      if (d.size !== undefined && d.size !== known.length)
        throw errors.imageDigestMismatch(`${what} ${d.digest} is ${known.length} bytes, not ${d.size}`);
      return known;
    }
    const actual = sha256(data);
    if (actual !== d.digest) throw errors.imageDigestMismatch(`${what} ${d.digest} has the digest ${actual}: the archive was altered`);
    if (d.size !== undefined && d.size !== data.length)
      throw errors.imageDigestMismatch(`${what} ${d.digest} is ${data.length} bytes, not ${d.size}`);
    checked.set(d.digest!, data);
    return data;
  };

  let manifestBytes: Buffer | null = null;
  let configBytes: Buffer;
  let layerBlobs: { data: Buffer; mediaType: string }[];
  if (tar.files.has('index.json')) {
    const chosen = pickManifest(
      jsonObject(file('index.json', 'index.json'), 'index.json'),
      (d) => blob(d, 'the image index'),
      architecture,
    );
    const original = blob(chosen, 'the manifest');
    const manifest = jsonObject<{ mediaType?: string; config?: Descriptor; layers?: Descriptor[] }>(original, 'the manifest');
    if (!manifest.config || !Array.isArray(manifest.layers)) throw errors.invalidImage('the manifest names no config or no layers');
    tooManyLayers(manifest.layers.length);
    descriptors(manifest.layers, "the manifest's layers");
    configBytes = blob(manifest.config, 'the config');
    layerBlobs = manifest.layers.map((l, i) => ({ data: blob(l, `layer ${i}`), mediaType: l.mediaType ?? OCI_TAR }));
    const pureOci =
      (manifest.mediaType ?? chosen.mediaType) === OCI_MANIFEST &&
      manifest.config.mediaType === OCI_CONFIG &&
      manifest.layers.every((l) => l.mediaType === OCI_TAR || l.mediaType === OCI_GZIP);
    if (pureOci) manifestBytes = original;
  } else if (tar.files.has('manifest.json')) {
    const entries = json<{ Config?: string; Layers?: string[] }[]>(file('manifest.json', 'manifest.json'), 'manifest.json');
    if (!Array.isArray(entries) || entries.length !== 1) {
      throw errors.invalidImage(`manifest.json lists ${Array.isArray(entries) ? entries.length : 0} images; save exactly one`);
    }
    const [entry] = entries;
    if (typeof entry?.Config !== 'string' || !Array.isArray(entry.Layers) || !entry.Layers.every((l) => typeof l === 'string'))
      throw errors.invalidImage('manifest.json names no Config or no Layers (file names in the archive)');
    tooManyLayers(entry.Layers.length);
    configBytes = file(entry.Config, 'the config');
    // `docker save` names the config by its digest: a changed config no longer matches its name.
    const named = /([0-9a-f]{64})(\.json)?$/.exec(entry.Config)?.[1];
    if (named && sha256(configBytes) !== `sha256:${named}`)
      throw errors.imageDigestMismatch(`the config ${entry.Config} does not match its digest`);
    const byName = new Map<string, Buffer>();
    layerBlobs = entry.Layers.map((name) => {
      const data = byName.get(name) ?? file(name, 'a layer');
      byName.set(name, data);
      return { data, mediaType: isGzip(data) ? OCI_GZIP : OCI_TAR };
    });
  } else {
    throw errors.invalidImage('neither an OCI image layout (index.json) nor a docker save archive (manifest.json)');
  }

  const config = jsonObject<{ os?: string; architecture?: string; config?: unknown; rootfs?: { diff_ids?: string[] } }>(
    configBytes,
    'the config',
  );
  const run = runConfig(config.config);
  if (config.os && config.os !== 'linux') throw errors.invalidImage(`the image is for ${config.os}; only linux images run`);
  if (config.architecture && config.architecture !== GOARCH[architecture]) {
    throw errors.invalidImage(
      `the image is for ${config.architecture}; the function's architecture ${architecture} needs ${GOARCH[architecture]}`,
    );
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== layerBlobs.length)
    throw errors.invalidImage(`the config lists ${diffIds.length} layers, the image has ${layerBlobs.length}`);
  let unpackedBytes = 0;
  const layers: Descriptor[] = [];
  /** Layers read already (a layer named twice is unpacked twice, and counted twice, but read once). */
  const read = new Map<Buffer, { digest: string; bytes: number; blobDigest: string }>();
  for (const [i, layer] of layerBlobs.entries()) {
    const type = LAYER_TYPES[layer.mediaType];
    if (!type) throw errors.invalidImage(`layer ${i} has the media type ${layer.mediaType}; tar and tar+gzip layers are supported`);
    let content = read.get(layer.data);
    if (!content) {
      const unpacked = await diffId(layer.data, type === OCI_GZIP, limits.maxImageUnpackedBytes - unpackedBytes);
      content = { ...unpacked, blobDigest: sha256(layer.data) };
      read.set(layer.data, content);
    }
    if (content.digest !== diffIds[i]) {
      throw errors.imageDigestMismatch(`layer ${i} unpacks to ${content.digest}, the config says ${diffIds[i]}: the archive was altered`);
    }
    unpackedBytes += content.bytes;
    if (unpackedBytes > limits.maxImageUnpackedBytes) {
      throw errors.codeTooLarge(`imageArchive: the image is larger than ${limits.maxImageUnpackedBytes} bytes once unpacked`);
    }
    layers.push({ mediaType: type, digest: content.blobDigest, size: layer.data.length });
  }
  const configDigest = sha256(configBytes);
  manifestBytes ??= Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
      layers,
    }),
  );
  const digest = sha256(manifestBytes);
  const blobs = new Map<string, Buffer>([
    [digest, manifestBytes],
    [configDigest, configBytes],
  ]);
  for (const [i, layer] of layerBlobs.entries()) blobs.set(layers[i]!.digest, layer.data);
  let bytes = 0;
  for (const data of blobs.values()) bytes += data.length;
  return { digest, configDigest, config: run, blobs, layers: layers.length, bytes, unpackedBytes };
}
