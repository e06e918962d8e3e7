import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';
import { tar } from '../helpers/tar.js';

const t = useTestApp(new Date().toISOString());
const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** An OCI layout with this index.json and these blobs (by their digests). */
function oci(index: unknown, blobs: Buffer[]): Buffer {
  return tar([
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: json(index) },
    ...blobs.map((b) => ({ name: `blobs/sha256/${hex(b)}`, data: b })),
  ]);
}

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER = 'application/vnd.oci.image.layer.v1.tar';
const layer = tar([{ name: 'bootstrap', data: '#!/bin/sh\n', mode: 0o755 }]);
const goodConfig = json({
  architecture: 'amd64',
  os: 'linux',
  config: { Entrypoint: ['/bootstrap'] },
  rootfs: { diff_ids: [`sha256:${hex(layer)}`] },
});
const d = (mediaType: string, b: Buffer) => ({ mediaType, digest: `sha256:${hex(b)}`, size: b.length });

/** An image whose manifest is `manifest` and whose config is `config`. */
function withManifest(manifest: unknown, config = goodConfig): Buffer {
  const m = json(manifest);
  return oci({ schemaVersion: 2, manifests: [d(MANIFEST, m)] }, [m, config, layer]);
}

// Each is JSON of the wrong shape where an image archive has an object: a 500 before, with no error code for the user.
const cases: [string, Buffer][] = [
  ['index.json is null', oci(null, [])],
  ['index.json lists a null manifest', oci({ schemaVersion: 2, manifests: [null] }, [])],
  ['index.json lists manifests as a string', oci({ schemaVersion: 2, manifests: 'x' }, [])],
  ['the manifest is null', withManifest(null)],
  ['a layer descriptor is null', withManifest({ schemaVersion: 2, mediaType: MANIFEST, config: d(CONFIG, goodConfig), layers: [null] })],
  [
    'the config is null',
    withManifest({ schemaVersion: 2, mediaType: MANIFEST, config: d(CONFIG, json(null)), layers: [d(LAYER, layer)] }, json(null)),
  ],
  [
    'the config names its diff ids as a string',
    (() => {
      const config = json({ architecture: 'amd64', os: 'linux', config: { Entrypoint: ['/bootstrap'] }, rootfs: { diff_ids: 'ab' } });
      return withManifest({ schemaVersion: 2, mediaType: MANIFEST, config: d(CONFIG, config), layers: [d(LAYER, layer)] }, config);
    })(),
  ],
  ['docker save: manifest.json is null', tar([{ name: 'manifest.json', data: 'null' }])],
  ['docker save: a layer named by a number', tar([{ name: 'manifest.json', data: json([{ Config: 'c.json', Layers: [5] }]) }])],
  ['docker save: the config named by an object', tar([{ name: 'manifest.json', data: json([{ Config: {}, Layers: [] }]) }])],
  // Accepted before, then every cold start failed at the executor, which spreads Entrypoint and splits each Env entry.
  ['Entrypoint is a number', runConfig({ Entrypoint: 5 })],
  ['Env holds a number', runConfig({ Entrypoint: ['/bootstrap'], Env: [5] })],
  ['Cmd is a string', runConfig({ Cmd: '/bootstrap' })],
];

/** A good image but for its config's run settings. */
function runConfig(run: Record<string, unknown>): Buffer {
  const config = json({ architecture: 'amd64', os: 'linux', config: run, rootfs: { diff_ids: [`sha256:${hex(layer)}`] } });
  return withManifest({ schemaVersion: 2, mediaType: MANIFEST, config: d(CONFIG, config), layers: [d(LAYER, layer)] }, config);
}

describe('an image archive whose JSON has the wrong shape is a 400 INVALID_IMAGE, not a 500', () => {
  for (const [what, archive] of cases) {
    it(what, async () => {
      const a = await newTenant(t.app);
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/functions?name=img&packageType=Image',
        headers: { ...bearer(a.accountKey), 'content-type': 'application/x-tar' },
        payload: archive,
      });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error.code).toBe('INVALID_IMAGE');
    });
  }
});
