import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';
import { b64, makeZip, NODE_ECHO, type ZipEntry } from '../helpers/functions.js';

const t = useTestApp(new Date().toISOString());

const MB = 1024 * 1024;
const nodeZip = (extra: ZipEntry[] = []) => makeZip([{ name: 'index.js', data: NODE_ECHO }, ...extra]);

async function tenant() {
  return newTenant(t.app);
}

async function nothingStored(accountId: string): Promise<void> {
  const db = t.db.db.withTables<{ functions: { account_id: string }; function_code: { account_id: string } }>();
  expect(await db.selectFrom('functions').select('account_id').where('account_id', '=', accountId).execute()).toEqual([]);
  expect(await db.selectFrom('function_code').select('account_id').where('account_id', '=', accountId).execute()).toEqual([]);
}

/** Posts a function and expects a refusal; nothing may be half-created. */
async function refused(body: Record<string, unknown>, status: number, code: string, message?: RegExp) {
  const a = await tenant();
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/functions',
    headers: bearer(a.accountKey),
    payload: { name: 'f', runtime: 'nodejs', ...body },
  });
  expect(r.statusCode, r.body).toBe(status);
  expect(r.json().error.code).toBe(code);
  if (message) expect(r.json().error.message).toMatch(message);
  await nothingStored(a.id);
  return r.json().error;
}

describe('bad zips', () => {
  it('refuses bytes that are not a zip, a truncated zip, and bad base64', async () => {
    await refused({ zipFile: b64(randomBytes(2048)) }, 400, 'INVALID_ZIP', /not a readable zip archive/);
    const zip = nodeZip();
    await refused({ zipFile: b64(zip.subarray(0, zip.length - 30)) }, 400, 'INVALID_ZIP');
    await refused({ zipFile: 'not base64 at all!' }, 400, 'INVALID_ZIP', /base64/);
    await refused({ zipFile: '' }, 400, 'VALIDATION_FAILED');
  });

  it('refuses an entry whose data does not match its checksum or its declared size', async () => {
    await refused({ zipFile: b64(nodeZip([{ name: 'lib.js', data: 'x'.repeat(100), crc: 1234 }])) }, 400, 'INVALID_ZIP', /lib\.js.*CRC/);
    await refused({ zipFile: b64(nodeZip([{ name: 'lib.js', data: 'x'.repeat(5000), declaredSize: 10 }])) }, 400, 'INVALID_ZIP');
  });

  it('refuses code over 250 MB unzipped (413), without inflating it', async () => {
    const bomb = nodeZip([{ name: 'big.bin', data: 'tiny', declaredSize: 251 * MB }]);
    await refused({ zipFile: b64(bomb) }, 413, 'CODE_TOO_LARGE', /262144000 bytes unzipped/);
  });

  it('refuses a zip over 50 MB (413), raw or base64', async () => {
    const a = await tenant();
    const raw = await t.app.inject({
      method: 'POST',
      url: '/v1/functions?name=big&runtime=nodejs',
      headers: { ...bearer(a.accountKey), 'content-type': 'application/zip' },
      payload: Buffer.alloc(50 * MB + 1),
    });
    expect(raw.statusCode).toBe(413);
    expect(raw.json().error.code).toBe('CODE_TOO_LARGE');
    await refused({ zipFile: b64(Buffer.alloc(50 * MB + 10)) }, 413, 'CODE_TOO_LARGE', /52428800 bytes zipped/);
    await nothingStored(a.id);
  });

  it('refuses path traversal, absolute paths and symlinks that leave the code folder', async () => {
    await refused({ zipFile: b64(nodeZip([{ name: '../evil.js', data: 'x' }])) }, 400, 'INVALID_ZIP', /"\.\.\/evil\.js" points outside/);
    await refused({ zipFile: b64(nodeZip([{ name: 'lib/../../evil.js', data: 'x' }])) }, 400, 'INVALID_ZIP', /points outside/);
    await refused({ zipFile: b64(nodeZip([{ name: '/etc/cron.d/evil', data: 'x' }])) }, 400, 'INVALID_ZIP', /points outside/);
    await refused({ zipFile: b64(nodeZip([{ name: 'link', symlink: '../../etc' }])) }, 400, 'INVALID_ZIP', /symlink "link" points outside/);
    await refused({ zipFile: b64(nodeZip([{ name: 'abs', symlink: '/etc/passwd' }])) }, 400, 'INVALID_ZIP', /absolute target/);
    await refused(
      {
        zipFile: b64(
          nodeZip([
            { name: 'dir', symlink: 'lib' },
            { name: 'dir/x.js', data: 'x' },
          ]),
        ),
      },
      400,
      'INVALID_ZIP',
      /under the symlink/,
    );
  });

  it('accepts a symlink that stays inside, and folder entries', async () => {
    const a = await tenant();
    const zip = nodeZip([
      { name: 'lib/', mode: 0o755 },
      { name: 'lib/a.js', data: '1' },
      { name: 'lib/b.js', symlink: 'a.js' },
    ]);
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(a.accountKey),
      payload: { name: 'links', runtime: 'nodejs', zipFile: b64(zip) },
    });
    expect(r.statusCode, r.body).toBe(201);
  });
});

describe('handler files', () => {
  it('needs index.js, index.mjs or index.cjs for nodejs index.handler, as Lambda resolves it', async () => {
    await refused(
      { zipFile: b64(makeZip([{ name: 'main.js', data: NODE_ECHO }])) },
      400,
      'HANDLER_NOT_FOUND',
      /index\.js or index\.mjs or index\.cjs/,
    );
    await refused({ handler: 'nodot', zipFile: b64(nodeZip()) }, 400, 'HANDLER_NOT_FOUND', /malformed/);
    const a = await tenant();
    for (const [name, file, handler] of [
      ['mjs', 'index.mjs', 'index.handler'],
      ['cjs', 'index.cjs', 'index.handler'],
      ['nested', 'src/app.js', 'src/app.main'],
    ]) {
      const zip = makeZip([{ name: file!, data: NODE_ECHO }]);
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/functions',
        headers: bearer(a.accountKey),
        payload: { name, runtime: 'nodejs', handler, zipFile: b64(zip) },
      });
      expect(r.statusCode, `${file}: ${r.body}`).toBe(201);
    }
  });

  it('needs app.py for python app.handler (or the module the handler names)', async () => {
    await refused(
      { runtime: 'python', zipFile: b64(makeZip([{ name: 'main.py', data: 'def handler(e, c): return 1' }])) },
      400,
      'HANDLER_NOT_FOUND',
      /app\.py/,
    );
    const a = await tenant();
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(a.accountKey),
      payload: { name: 'py', runtime: 'python', zipFile: b64(makeZip([{ name: 'app.py', data: 'def handler(e, c): return 1' }])) },
    });
    expect(ok.json()).toMatchObject({ handler: 'app.handler', runtime: 'python' });
    const pkg = makeZip([
      { name: 'pkg/__init__.py', data: '' },
      { name: 'pkg/mod.py', data: 'def run(e, c): return 1' },
    ]);
    const nested = await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(a.accountKey),
      payload: { name: 'py2', runtime: 'python', handler: 'pkg.mod.run', zipFile: b64(pkg) },
    });
    expect(nested.statusCode).toBe(201);
  });

  it('needs an executable bootstrap for provided', async () => {
    await refused(
      { runtime: 'provided', zipFile: b64(makeZip([{ name: 'function.sh', data: 'x', mode: 0o755 }])) },
      400,
      'HANDLER_NOT_FOUND',
      /executable file named bootstrap/,
    );
    await refused(
      { runtime: 'provided', zipFile: b64(makeZip([{ name: 'bootstrap', data: '#!/bin/sh', mode: 0o644 }])) },
      400,
      'HANDLER_NOT_FOUND',
      /chmod \+x bootstrap/,
    );
    const a = await tenant();
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(a.accountKey),
      payload: { name: 'sh', runtime: 'provided', zipFile: b64(makeZip([{ name: 'bootstrap', data: '#!/bin/sh', mode: 0o755 }])) },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('keeps the old version when new code lacks the handler', async () => {
    const a = await tenant();
    await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(a.accountKey),
      payload: { name: 'keep', runtime: 'nodejs', zipFile: b64(nodeZip()) },
    });
    const r = await t.app.inject({
      method: 'PUT',
      url: '/v1/functions/keep/code',
      headers: bearer(a.accountKey),
      payload: { zipFile: b64(makeZip([{ name: 'other.js', data: 'x' }])) },
    });
    expect(r.json().error.code).toBe('HANDLER_NOT_FOUND');
    const fn = await t.app.inject({ method: 'GET', url: '/v1/functions/keep', headers: bearer(a.accountKey) });
    expect(fn.json().latestVersion).toBe(1);
  });
});

describe('settings out of range', () => {
  const zipFile = b64(nodeZip());
  it.each([
    [{ memoryMb: 127 }, /memoryMb/],
    [{ memoryMb: 10_241 }, /memoryMb/],
    [{ memoryMb: 256.5 }, /memoryMb/],
    [{ timeoutS: 0 }, /timeoutS/],
    [{ timeoutS: 901 }, /timeoutS/],
    [{ ephemeralStorageMb: 511 }, /ephemeralStorageMb/],
    [{ ephemeralStorageMb: 10_241 }, /ephemeralStorageMb/],
    [{ architecture: 'riscv' }, /architecture: must be one of x86_64, arm64/],
    [{ runtime: 'nodejs22.x' }, /runtime: must be one of nodejs, python, ruby, java, provided, nodejs18.x/],
    [{ name: 'has space' }, /name/],
    [{ name: 'x'.repeat(65) }, /name/],
    [{ reservedConcurrency: -1 }, /reservedConcurrency/],
    [{ environment: { A: 1 } }, /environment/],
    [{ surprise: true }, /surprise/],
  ])('refuses %j', async (setting, message) => {
    await refused({ zipFile, ...setting }, 400, 'VALIDATION_FAILED', message);
  });

  it('refuses environment variables over 4 KB, reserved names and bad names', async () => {
    await refused({ zipFile, environment: { BIG: 'x'.repeat(4100) } }, 400, 'VALIDATION_FAILED', /at most 4096 bytes/);
    await refused({ zipFile, environment: { AWS_LAMBDA_RUNTIME_API: 'x' } }, 400, 'VALIDATION_FAILED', /reserved/);
    await refused({ zipFile, environment: { '1BAD': 'x' } }, 400, 'VALIDATION_FAILED', /letters, digits/);
  });

  it.each([
    // Lambda's reserved names
    '_HANDLER',
    '_X_AMZN_TRACE_ID',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_EXECUTION_ENV',
    'AWS_LAMBDA_FUNCTION_NAME',
    'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
    'AWS_LAMBDA_FUNCTION_VERSION',
    'AWS_LAMBDA_INITIALIZATION_TYPE',
    'AWS_LAMBDA_LOG_GROUP_NAME',
    'AWS_LAMBDA_LOG_STREAM_NAME',
    'AWS_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_LAMBDA_RUNTIME_API',
    'LAMBDA_TASK_ROOT',
    'LAMBDA_RUNTIME_DIR',
    // what would run code before the runtime's bootstrap, and Tally's own
    'LD_PRELOAD',
    'LD_AUDIT',
    'LD_LIBRARY_PATH',
    'GCONV_PATH',
    'BASH_ENV',
    'ENV',
    'PYTHONHOME',
    'PYTHONSTARTUP',
    'PYTHONINSPECT',
    'TALLY_SANDBOX_EXEC',
    'TALLY_ANYTHING',
  ])('refuses the reserved variable %s with a 400 naming it, on create and on update', async (name) => {
    const error = await refused({ zipFile, environment: { OK: '1', [name]: '/var/task/x' } }, 400, 'VALIDATION_FAILED');
    expect(error.message).toContain(`environment.${name}`);
    expect(error.details).toEqual([expect.objectContaining({ field: `environment.${name}` })]);
    const a = await tenant();
    await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(a.accountKey),
      payload: { name: 'env', runtime: 'nodejs', zipFile },
    });
    const r = await t.app.inject({
      method: 'PATCH',
      url: '/v1/functions/env/configuration',
      headers: bearer(a.accountKey),
      payload: { environment: { [name]: 'x' } },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toContain(`environment.${name}`);
  });

  it.each([
    '--require /var/task/x.js',
    '-r ./x',
    '--import=./x.mjs',
    '--enable-source-maps --loader ./l.mjs',
    '--experimental-loader=x',
    '--inspect=0.0.0.0:9229',
    '--inspect_brk',
  ])('refuses NODE_OPTIONS=%j (code before the bootstrap, or a debugger)', async (value) => {
    const error = await refused({ zipFile, environment: { NODE_OPTIONS: value } }, 400, 'VALIDATION_FAILED', /environment\.NODE_OPTIONS/);
    expect(error.message).toMatch(/bootstrap/);
  });

  it('allows what Lambda allows: PATH, LANG, TZ, NODE_PATH, PYTHONPATH and other NODE_OPTIONS', async () => {
    const a = await tenant();
    const environment = {
      PATH: '/var/task/bin:/usr/bin',
      LANG: 'en_US.UTF-8',
      TZ: 'Europe/Paris',
      NODE_PATH: '/var/task/lib',
      PYTHONPATH: '/var/task/src',
      NODE_OPTIONS: '--enable-source-maps --stack-trace-limit=50',
      MY_TALLY_SETTING: 'x',
      tally_lower: 'y',
    };
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(a.accountKey),
      payload: { name: 'ok', runtime: 'nodejs', zipFile, environment },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().environment).toEqual(environment);
  });

  it('refuses out-of-range settings in an update too, and keeps the version', async () => {
    const a = await tenant();
    await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(a.accountKey),
      payload: { name: 'upd', runtime: 'nodejs', zipFile },
    });
    for (const payload of [{ timeoutS: 901 }, { memoryMb: 64 }, { environment: { HOME: '/x' } }]) {
      const r = await t.app.inject({ method: 'PATCH', url: '/v1/functions/upd/configuration', headers: bearer(a.accountKey), payload });
      expect(r.statusCode).toBe(400);
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/functions/upd', headers: bearer(a.accountKey) })).json().latestVersion).toBe(1);
  });
});
