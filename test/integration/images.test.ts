import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_UNPACKED_BYTES, readImageArchive } from '../../src/modules/functions/image-archive.js';
import { newTenant } from '../helpers/app.js';
import { call, makeZip, NODE_ECHO, usageTotals, useFunctionsApp, b64 } from '../helpers/functions.js';
import { dockerSaveImage, ociGoImage } from '../helpers/images.js';

/**
 * Functions packaged as container images, through the api and a real executor: an OCI layout made
 * by umoci around a static Go runtime, and `docker save` archives whose entry point is a shell
 * script from the image's own layers. Both run in the same sandbox as zip functions.
 */
const t = useFunctionsApp();
const images: Record<'oci' | 'dockerOne' | 'dockerTwo', Buffer> = {
  oci: Buffer.alloc(0),
  dockerOne: Buffer.alloc(0),
  dockerTwo: Buffer.alloc(0),
};

beforeAll(async () => {
  [images.oci, images.dockerOne, images.dockerTwo] = await Promise.all([
    ociGoImage(),
    dockerSaveImage({ marker: 'one' }),
    dockerSaveImage({ marker: 'two' }),
  ]);
}, 120_000);

const invoke = (key: string, name: string, event: unknown = {}) =>
  call(t.base, key, 'POST', `/v1/functions/${name}/invoke?log=tail`, event);
const logOf = (r: { headers: Headers }) => Buffer.from(r.headers.get('x-tally-log-result') ?? '', 'base64').toString('utf8');
const blobCount = async (accountId: string) =>
  Number(
    (
      await t.db.db
        .selectFrom('image_blobs' as never)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('account_id' as never, '=', accountId as never)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('an OCI image built with umoci', () => {
  it('runs its entry point with its command, working directory and environment; errors, timeouts and REPORT as a zip', async () => {
    const a = await newTenant(t.app);
    const created = await call(t.base, a.accountKey, 'POST', '/v1/functions', {
      name: 'oci',
      packageType: 'Image',
      imageArchive: b64(images.oci),
      memoryMb: 256,
      timeoutS: 1,
      environment: { STAGE: 'test' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ packageType: 'Image', runtime: null, handler: null, imageConfig: null });
    expect(created.json.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(created.json.codeSha256).toBe(created.json.imageDigest.slice(7));
    expect(created.json.codeUnzippedSize).toBeGreaterThan(1_000_000);

    const cold = await invoke(a.accountKey, 'oci', { name: 'container' });
    expect(cold.status).toBe(200);
    expect(cold.json).toMatchObject({
      hello: 'container',
      handler: 'app.handler',
      args: ['app.handler'],
      cwd: '/var/task',
      greeting: 'from the image',
      taskRoot: '/var/task',
    });
    expect(cold.json.requestId).toBe(cold.headers.get('x-tally-request-id'));
    // Init is billed for images, as Lambda does: the billed duration holds it.
    const init = Number(cold.headers.get('x-tally-init-duration-ms'));
    expect(init).toBeGreaterThan(0);
    expect(Number(cold.headers.get('x-tally-billed-duration-ms'))).toBeGreaterThanOrEqual(Math.ceil(init));
    expect(logOf(cold)).toMatch(
      /REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/,
    );
    expect(logOf(cold)).toContain('go got container');

    const failed = await invoke(a.accountKey, 'oci', { action: 'fail', name: 'it' });
    expect(failed.headers.get('x-tally-function-error')).toBe('Unhandled');
    expect(failed.json).toEqual({ errorType: 'GoError', errorMessage: 'go says no to it' });

    const slow = await invoke(a.accountKey, 'oci', { action: 'sleep', ms: 5000 });
    expect(slow.headers.get('x-tally-error-type')).toBe('Sandbox.Timedout');
    expect(logOf(slow)).toMatch(/REPORT RequestId: .*Billed Duration: 1000 ms.*Status: timeout/);

    await expect
      .poll(() => usageTotals(t.base, a.accountKey, 'oci'), { timeout: 5000 })
      .toMatchObject({ requests: 3, errors: 1, timeouts: 1 });
  });

  it('runs as its own unprivileged uid inside the image, seeing nothing of the host', async () => {
    const a = await newTenant(t.app);
    const r = await call(t.base, a.accountKey, 'POST', '/v1/functions', {
      name: 'probe',
      packageType: 'Image',
      imageArchive: b64(images.oci),
    });
    expect(r.status, r.text).toBe(201);
    const paths = ['/etc/shadow', '/root/.bashrc', '/work', '/usr/bin/node', process.cwd(), '/proc/1/root/etc/shadow'];
    const id = (await invoke(a.accountKey, 'probe', { action: 'identity', paths })).json;
    expect(id.uid).toBeGreaterThanOrEqual(1_000_000_000);
    expect(id.capEff).toBe('0000000000000000');
    expect(id.noNewPrivs).toBe('1');
    expect(id.hostname).toBe('sandbox');
    expect(id.pids).toBeLessThanOrEqual(3);
    // The image's root, not the host's: no /usr, no /home, no /work.
    expect(id.root).toEqual(expect.arrayContaining(['bootstrap', 'var', 'tmp', 'proc']));
    for (const absent of ['usr', 'home', 'work', 'root']) expect(id.root).not.toContain(absent);
    for (const p of paths) expect(id.reads[p], p).toMatchObject({ ok: false });
  });

  it('takes imageConfig overrides of the command and working directory, then of the entry point', async () => {
    const a = await newTenant(t.app);
    const r = await call(t.base, a.accountKey, 'POST', '/v1/functions', {
      name: 'over',
      packageType: 'Image',
      imageArchive: b64(images.oci),
      imageConfig: { command: ['other.handler'], workingDirectory: '/' },
    });
    expect(r.status, r.text).toBe(201);
    expect((await invoke(a.accountKey, 'over', { name: 'x' })).json).toMatchObject({
      handler: 'other.handler',
      args: ['other.handler'],
      cwd: '/',
    });
    const patched = await call(t.base, a.accountKey, 'PATCH', '/v1/functions/over/configuration', {
      imageConfig: { entryPoint: ['/bootstrap', 'first'], command: ['second'] },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.version).toBe(2);
    expect((await invoke(a.accountKey, 'over', { name: 'x' })).json).toMatchObject({ args: ['first', 'second'], cwd: '/var/task' });
    // An image function has no runtime or handler to change.
    const refused = await call(t.base, a.accountKey, 'PATCH', '/v1/functions/over/configuration', { handler: 'x.y' });
    expect(refused.status).toBe(400);
  });
});

describe('a docker save archive', () => {
  it("runs a shell entry point from the image's own layers, sent as a raw application/x-tar body", async () => {
    const a = await newTenant(t.app);
    const shadow = readFileSync('/etc/shadow');
    const r = await call(t.base, a.accountKey, 'POST', '/v1/functions?name=saved&memoryMb=256', images.dockerOne, {
      'content-type': 'application/x-tar',
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json.packageType).toBe('Image');
    const out = await invoke(a.accountKey, 'saved', { name: 'docker' });
    expect(out.json).toMatchObject({
      hello: 'docker',
      handler: 'app.handler',
      args: ['app.handler'],
      greeting: 'from docker save',
      cwd: '/var/task',
    });
    // The image's /etc/hosts was a symlink to the host's shadow file: replaced, never followed.
    const id = (await invoke(a.accountKey, 'saved', { action: 'identity', paths: ['/etc/hosts', '/etc/shadow'] })).json;
    expect(id.reads['/etc/hosts']).toEqual({ ok: true });
    expect(id.reads['/etc/shadow'].ok).toBe(false);
    expect(readFileSync('/etc/shadow')).toEqual(shadow);
    expect(id.uid).toBeGreaterThanOrEqual(1_000_000_000);
  });

  it('stores a layer two images share once per account, and collects blobs when their functions go', async () => {
    const a = await newTenant(t.app);
    const deploy = (name: string, image: Buffer) =>
      call(t.base, a.accountKey, 'POST', '/v1/functions', { name, packageType: 'Image', imageArchive: b64(image) });
    expect((await deploy('first', images.dockerOne)).status).toBe(201);
    // Manifest, config, base layer, app layer.
    expect(await blobCount(a.id)).toBe(4);
    expect((await deploy('second', images.dockerTwo)).status).toBe(201);
    // Its own manifest, config and app layer; the base layer is shared.
    expect(await blobCount(a.id)).toBe(7);
    expect((await deploy('again', images.dockerOne)).status).toBe(201);
    expect(await blobCount(a.id)).toBe(7);
    expect((await invoke(a.accountKey, 'second', { name: 'two' })).json.hello).toBe('two');

    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/first')).status).toBe(204);
    expect(await blobCount(a.id)).toBe(7);
    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/again')).status).toBe(204);
    expect(await blobCount(a.id)).toBe(4);
    expect((await call(t.base, a.accountKey, 'DELETE', '/v1/functions/second')).status).toBe(204);
    expect(await blobCount(a.id)).toBe(0);
  });
});

describe('image archives refused', () => {
  it('refuses a tampered layer, in an OCI layout and in a docker save archive', async () => {
    const a = await newTenant(t.app);
    const [oci, saved] = await Promise.all([ociGoImage({ tamper: true }), dockerSaveImage({ tamper: true })]);
    for (const [name, image] of [
      ['tampered-oci', oci],
      ['tampered-save', saved],
    ] as const) {
      const r = await call(t.base, a.accountKey, 'POST', '/v1/functions', { name, packageType: 'Image', imageArchive: b64(image) });
      expect(r.status, name).toBe(400);
      expect(r.json.error.code).toBe('IMAGE_DIGEST_MISMATCH');
      expect(r.json.error.message).toMatch(/altered/);
    }
    expect(await blobCount(a.id)).toBe(0);
  });

  it('refuses an image for another architecture, a package of the other type, and bytes that are no image', async () => {
    const a = await newTenant(t.app);
    const arm = await call(t.base, a.accountKey, 'POST', '/v1/functions', {
      name: 'arm',
      packageType: 'Image',
      architecture: 'arm64',
      imageArchive: b64(images.oci),
    });
    expect([arm.status, arm.json.error.code]).toEqual([400, 'INVALID_IMAGE']);
    expect(arm.json.error.message).toMatch(/the image is for amd64/);
    const junk = await call(t.base, a.accountKey, 'POST', '/v1/functions', {
      name: 'junk',
      packageType: 'Image',
      imageArchive: b64(Buffer.from('not a tar')),
    });
    expect([junk.status, junk.json.error.code]).toEqual([400, 'INVALID_IMAGE']);
    const both = await call(t.base, a.accountKey, 'POST', '/v1/functions', {
      name: 'both',
      runtime: 'nodejs',
      imageArchive: b64(images.oci),
    });
    expect(both.status).toBe(400);

    const zip = await call(t.base, a.accountKey, 'POST', '/v1/functions', {
      name: 'zip',
      runtime: 'nodejs',
      zipFile: b64(makeZip([{ name: 'index.js', data: NODE_ECHO }])),
    });
    expect(zip.status).toBe(201);
    const swap = await call(t.base, a.accountKey, 'PUT', '/v1/functions/zip/code', { imageArchive: b64(images.oci) });
    expect([swap.status, swap.json.error.message]).toEqual([400, expect.stringMatching(/package type never changes/)]);
  });

  it('refuses an archive past the size limit, and layers past the unpacked limit', async () => {
    const limits = { maxImageBytes: images.oci.length - 1, maxImageUnpackedBytes: MAX_IMAGE_UNPACKED_BYTES };
    await expect(readImageArchive(images.oci, { architecture: 'x86_64', limits })).rejects.toMatchObject({
      code: 'CODE_TOO_LARGE',
      statusCode: 413,
    });
    const small = { maxImageBytes: images.oci.length, maxImageUnpackedBytes: 1000 };
    await expect(readImageArchive(images.oci, { architecture: 'x86_64', limits: small })).rejects.toMatchObject({ code: 'CODE_TOO_LARGE' });
  });
});
