import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { goBootstrap } from './builds.js';

/**
 * Container images built in tests, with no Docker engine: an OCI layout made by umoci from a static
 * Go bootstrap, and `docker save` archives written file by file (a base layer of Debian's dash and
 * C library, an app layer with a Lambda-style entrypoint script and the same Go runtime).
 */
const exec = promisify(execFile);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function tarOf(dir: string): Promise<Buffer> {
  const out = `${dir}.tar`;
  await exec('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', dir, '-cf', out, '.']);
  const data = await readFile(out);
  await rm(out);
  return data;
}

/**
 * An OCI image layout (as a tar) made with umoci: one layer holding the Go bootstrap at /bootstrap,
 * ENTRYPOINT /bootstrap, CMD app.handler, WORKDIR /var/task and ENV GREETING. `tamper` changes one
 * byte of the layer blob after the fact.
 */
export async function ociGoImage(options: { tamper?: boolean; greeting?: string } = {}): Promise<Buffer> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'tally-oci-'));
  try {
    const layout = path.join(work, 'layout');
    const bundle = path.join(work, 'bundle');
    const umoci = (...args: string[]) => exec('umoci', args);
    await umoci('init', '--layout', layout);
    await umoci('new', '--image', `${layout}:fn`);
    await umoci('unpack', '--image', `${layout}:fn`, bundle);
    const rootfs = path.join(bundle, 'rootfs');
    await mkdir(path.join(rootfs, 'var', 'task'), { recursive: true });
    await copyFile(path.join(await goBootstrap(), 'bootstrap'), path.join(rootfs, 'bootstrap'));
    await chmod(path.join(rootfs, 'bootstrap'), 0o755);
    await umoci('repack', '--image', `${layout}:fn`, bundle);
    await umoci(
      'config',
      '--image',
      `${layout}:fn`,
      '--config.entrypoint',
      '/bootstrap',
      '--config.cmd',
      'app.handler',
      '--config.workingdir',
      '/var/task',
      '--config.env',
      `GREETING=${options.greeting ?? 'from the image'}`,
    );
    await umoci('gc', '--layout', layout);
    if (options.tamper) {
      const index = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8'));
      const manifestHex = index.manifests[0].digest.slice(7);
      const manifest = JSON.parse(await readFile(path.join(layout, 'blobs', 'sha256', manifestHex), 'utf8'));
      const layer = path.join(layout, 'blobs', 'sha256', manifest.layers[0].digest.slice(7));
      const data = await readFile(layer);
      data[data.length - 10] = data[data.length - 10]! ^ 0xff;
      await writeFile(layer, data);
    }
    return await tarOf(layout);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A base layer: Debian's dash as /bin/sh with the C library it needs (the image's own loader, not the host's). */
async function baseLayer(dir: string): Promise<void> {
  const loader = '/lib64/ld-linux-x86-64.so.2';
  const files: [string, string][] = [
    ['/bin/dash', '/bin/sh'],
    [loader, loader],
    ['/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6'],
  ];
  for (const [from, to] of files) {
    await mkdir(path.join(dir, path.dirname(to)), { recursive: true });
    await copyFile(realpathSync(from), path.join(dir, to));
    await chmod(path.join(dir, to), 0o755);
  }
  await mkdir(path.join(dir, 'etc'), { recursive: true });
  // A hostile image: its /etc/hosts points at the host's shadow file.
  await exec('ln', ['-s', '/etc/shadow', path.join(dir, 'etc', 'hosts')]);
}

/** An app layer: a Lambda-style entrypoint script that takes the handler from CMD, and the Go runtime. */
async function appLayer(dir: string, marker: string): Promise<void> {
  await mkdir(path.join(dir, 'var', 'runtime'), { recursive: true });
  await mkdir(path.join(dir, 'var', 'task'), { recursive: true });
  await copyFile(path.join(await goBootstrap(), 'bootstrap'), path.join(dir, 'var', 'runtime', 'bootstrap'));
  await chmod(path.join(dir, 'var', 'runtime', 'bootstrap'), 0o755);
  const script = '#!/bin/sh\nexport _HANDLER="$1"\nexec /var/runtime/bootstrap "$@"\n';
  await writeFile(path.join(dir, 'lambda-entrypoint.sh'), script, { mode: 0o755 });
  await writeFile(path.join(dir, 'var', 'task', 'marker.txt'), marker);
}

/**
 * A `docker save` archive (manifest.json, <config digest>.json, <id>/layer.tar) of two layers: the
 * shared base and an app layer whose content depends on `marker`, so two markers make two images
 * sharing one layer. `tamper` alters the app layer after its digest went into the config.
 */
export async function dockerSaveImage(options: { marker?: string; tamper?: boolean } = {}): Promise<Buffer> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'tally-docker-save-'));
  try {
    const base = path.join(work, 'base');
    const app = path.join(work, 'app');
    await mkdir(base);
    await mkdir(app);
    await baseLayer(base);
    await appLayer(app, options.marker ?? 'one');
    const layers = [await tarOf(base), await tarOf(app)];
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {
          Entrypoint: ['/lambda-entrypoint.sh'],
          Cmd: ['app.handler'],
          Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'GREETING=from docker save'],
          WorkingDir: '/var/task',
        },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha256(l)}`) },
      }),
    );
    const archive = path.join(work, 'archive');
    await mkdir(archive);
    const configName = `${sha256(config)}.json`;
    await writeFile(path.join(archive, configName), config);
    const names: string[] = [];
    for (const [i, layer] of layers.entries()) {
      const id = sha256(Buffer.concat([Buffer.from(String(i)), layer]));
      await mkdir(path.join(archive, id));
      if (options.tamper && i === 1) layer[layer.length - 2000] = layer[layer.length - 2000]! ^ 0x01;
      await writeFile(path.join(archive, id, 'layer.tar'), layer);
      names.push(`${id}/layer.tar`);
    }
    await writeFile(path.join(archive, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: ['fn:latest'], Layers: names }]));
    return await tarOf(archive);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
