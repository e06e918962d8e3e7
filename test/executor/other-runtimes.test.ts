import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FunctionInstance } from '../../executor/runtime/instance.js';
import type { FunctionSpec } from '../../executor/runtime/types.js';
import { copyFixtures, event, json, makeSpec, silentLog, useSandbox } from './helpers.js';

const fixtures = copyFixtures();
const sandbox = useSandbox();
const live: FunctionInstance[] = [];

afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.dispose()));
});
afterAll(() => fixtures.remove());

function instance(dir: string, overrides: Partial<FunctionSpec>): FunctionInstance {
  const created = new FunctionInstance(makeSpec(fixtures.dir(dir), overrides), {
    log: silentLog,
    isolation: sandbox.isolation,
    pythonPath: sandbox.pythonPath,
  });
  live.push(created);
  return created;
}

describe('python runtime', () => {
  it('runs app.handler with a Lambda context, warm on the second call', async () => {
    const fn = instance('python', { runtime: 'python', handler: 'app.handler', memoryMb: 256 });
    const first = await fn.invoke(event({ q: 'x' }), { requestId: 'py-1' });
    expect(first.status).toBe('success');
    const body = json(first.payload);
    expect(body).toMatchObject({ echo: { q: 'x' }, requestId: 'py-1', memory: '256', functionName: fn.spec.name });
    expect(body.remainingMs).toBeGreaterThan(2000);
    expect(body.home).toBe('/tmp');
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(first.log).toContain("python got {'q': 'x'}");

    const second = await fn.invoke(event({ q: 'y' }), { requestId: 'py-2' });
    expect(second.initDurationMs).toBeUndefined();
    expect(json(second.payload).pid).toBe(body.pid);
  });

  it('returns a raised exception as error JSON', async () => {
    const fn = instance('python', { runtime: 'python', handler: 'app.fail' });
    const result = await fn.invoke(event({}), { requestId: 'py-err' });
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('ValueError');
    expect(json(result.payload)).toMatchObject({ errorType: 'ValueError', errorMessage: 'python says no' });
  });

  it("answers as Lambda's runtime does: Decimal as a number, bytes as they are", async () => {
    // awslambdaric's marshaller (lambda_runtime_marshaller.py): Decimal (what boto3 reads from DynamoDB)
    // is written as a JSON number, and bytes go back unchanged; both were Runtime.MarshalError here.
    const fn = instance('python', { runtime: 'python', handler: 'app.dynamo_item' });
    const item = await fn.invoke(event({}), { requestId: 'py-dec' });
    expect(item.status, item.payload.toString()).toBe('success');
    expect(item.payload.toString()).toBe('{"id": "a", "price": 19.99, "count": 3}');

    const raw = await instance('python', { runtime: 'python', handler: 'app.raw_bytes' }).invoke(event({}), { requestId: 'py-bytes' });
    expect(raw.status, raw.payload.toString()).toBe('success');
    expect(raw.payload).toEqual(Buffer.from('\x00raw\xffbytes', 'latin1'));
  });

  it("logs through the logging module as Lambda's runtime does (a handler on the root logger)", async () => {
    const result = await instance('python', { runtime: 'python', handler: 'app.logs' }).invoke(event({}), { requestId: 'py-log' });
    expect(result.status).toBe('success');
    expect(result.log).toMatch(/\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tpy-log\tinfo from logging\n/);
  });

  it("gives the context Lambda's identity and client context objects", async () => {
    const fn = instance('python', { runtime: 'python', handler: 'app.context_shape' });
    const bare = await fn.invoke(event({}), { requestId: 'py-ctx-1' });
    expect(bare.status, bare.payload.toString()).toBe('success');
    expect(json(bare.payload)).toEqual({ identityId: null, custom: null, appTitle: null });
    const clientContext = Buffer.from(JSON.stringify({ custom: { k: 'v' }, client: { app_title: 'app' } })).toString('base64');
    const withContext = await fn.invoke(event({}), { requestId: 'py-ctx-2', clientContext });
    expect(withContext.status, withContext.payload.toString()).toBe('success');
    expect(json(withContext.payload)).toEqual({ identityId: null, custom: { k: 'v' }, appTitle: 'app' });
  });

  it('reports a missing module as an init error', async () => {
    const fn = instance('python', { runtime: 'python', handler: 'missing.handler' });
    const result = await fn.invoke(event({}), { requestId: 'py-init' });
    expect(result.errorType).toBe('Runtime.InitError');
    expect(json(result.payload).errorType).toBe('Runtime.ImportModuleError');
  });
});

describe('provided runtime', () => {
  it('runs the AWS docs shell bootstrap (curl against $AWS_LAMBDA_RUNTIME_API) unchanged', async () => {
    const fn = instance('provided', { runtime: 'provided', handler: 'function.handler' });
    const first = await fn.invoke(event({ text: 'hi' }), { requestId: 'sh-1' });
    expect(first.status).toBe('success');
    expect(first.payload.toString()).toBe(`Echoing request: '{"text":"hi"}'`);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(first.log).toContain('{"text":"hi"}');

    const second = await fn.invoke(event({ text: 'again' }), { requestId: 'sh-2' });
    expect(second.payload.toString()).toBe(`Echoing request: '{"text":"again"}'`);
    expect(second.initDurationMs).toBeUndefined();
  });

  it("runs the AWS walkthrough's bootstrap as published: #!/bin/sh, with bash's pipefail and source", async () => {
    // docs.aws.amazon.com/lambda/latest/dg/runtimes-walkthrough.html starts with "#!/bin/sh" and "set -euo pipefail",
    // and its function.sh uses bash's "function" keyword: on Lambda /bin/sh is bash. On Debian it is dash,
    // which refuses "-o pipefail", and the runtime exited before asking for an event.
    cpSync(fixtures.dir('provided'), fixtures.dir('provided-sh'), { recursive: true });
    const bootstrap = path.join(fixtures.dir('provided-sh'), 'bootstrap');
    writeFileSync(bootstrap, readFileSync(bootstrap, 'utf8').replace(/^#!\/bin\/bash\n/, '#!/bin/sh\n'));
    expect(readFileSync(bootstrap, 'utf8')).toMatch(/^#!\/bin\/sh\n/);
    const fn = instance('provided-sh', { runtime: 'provided', handler: 'function.handler' });
    const result = await fn.invoke(event({ text: 'sh' }), { requestId: 'sh-posix' });
    expect(result.status, result.log).toBe('success');
    expect(result.payload.toString()).toBe(`Echoing request: '{"text":"sh"}'`);
  });

  it('reports a bootstrap that exits before asking for work as Runtime.ExitError', async () => {
    const result = await instance('provided', { runtime: 'provided', handler: 'nosuchfile.handler' }).invoke(event({}), {
      requestId: 'sh-bad',
    });
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Runtime.ExitError');
    expect(json(result.payload).errorMessage).toMatch(/Runtime exited with error: exit status 1/);
    expect(result.initDurationMs).toBeGreaterThan(0);
  });
});
