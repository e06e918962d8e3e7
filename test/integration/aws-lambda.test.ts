import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  ListLayersCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetFunctionUrlConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListFunctionUrlConfigsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsyncWorker, startAsyncWorker } from '../../src/jobs/async-worker.js';
import { admin, newTenant } from '../helpers/app.js';
import { call, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp();
let worker: AsyncWorker;
beforeAll(() => {
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50 } });
});
afterAll(() => worker?.stop());
const run = promisify(execFile);

const CODE = `
exports.handler = async (event, context) => {
  console.log('hello from ' + context.functionName);
  return { echo: event, v: process.env.V ?? 'v1', fn: context.functionName, cc: context.clientContext, arn: context.invokedFunctionArn, region: process.env.AWS_REGION };
};
exports.fail = async () => { throw new TypeError('no good'); };
`;
const ZIP = makeZip([{ name: 'index.js', data: CODE }]);
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const dec = (b: Uint8Array | undefined) => (b ? JSON.parse(new TextDecoder().decode(b)) : undefined);

async function accessKey(accountId: string) {
  const r = await t.app.inject({ method: 'POST', url: `/v1/accounts/${accountId}/access-keys`, headers: admin });
  expect(r.statusCode).toBe(201);
  return r.json() as { accessKeyId: string; secretAccessKey: string };
}

function client(k: { accessKeyId: string; secretAccessKey: string }, extra: Record<string, unknown> = {}) {
  return new LambdaClient({ endpoint: t.base, region: 'us-east-1', credentials: k, maxAttempts: 1, ...extra });
}

async function tenantClient() {
  const a = await newTenant(t.app);
  const k = await accessKey(a.id);
  return { a, k, lambda: client(k) };
}

const create = (lambda: LambdaClient, name: string, extra: Record<string, unknown> = {}) =>
  lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::123456789012:role/lambda-basic',
      Handler: 'index.handler',
      Code: { ZipFile: ZIP },
      Description: 'made by the SDK',
      ...extra,
    }),
  );

describe('the Lambda API through @aws-sdk/client-lambda', () => {
  it('creates, reads, lists, invokes (three types, tail logs, function errors), updates and deletes a function', async () => {
    const { a, lambda } = await tenantClient();
    const created = await create(lambda, 'sdk-echo', { MemorySize: 256, Environment: { Variables: { V: 'v1' } } });
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${a.id}:function:sdk-echo`);
    expect(created).toMatchObject({
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::123456789012:role/lambda-basic',
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 3,
      Version: '$LATEST',
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      Description: 'made by the SDK',
    });
    expect(Buffer.from(created.CodeSha256!, 'base64')).toHaveLength(32);
    // The same function through /v1: one implementation.
    const v1 = await call(t.base, a.accountKey, 'GET', '/v1/functions/sdk-echo');
    expect(v1.json.memoryMb).toBe(256);

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'sdk-echo' }));
    expect(got.Configuration?.FunctionName).toBe('sdk-echo');
    expect(got.Code?.RepositoryType).toBe('S3');
    const byArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: created.FunctionArn }));
    expect(byArn.RevisionId).toBe(created.RevisionId);

    const sync = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-echo', Payload: enc({ hi: 1 }), LogType: 'Tail' }));
    expect(sync.StatusCode).toBe(200);
    expect(sync.ExecutedVersion).toBe('$LATEST');
    expect(sync.FunctionError).toBeUndefined();
    expect(dec(sync.Payload)).toMatchObject({ echo: { hi: 1 }, v: 'v1', fn: 'sdk-echo' });
    const log = Buffer.from(sync.LogResult!, 'base64').toString('utf8');
    expect(log).toContain('hello from sdk-echo');
    expect(log).toMatch(/REPORT RequestId: \S+\s+Duration: [\d.]+ ms/);

    // X-Amz-Client-Context reaches the function as context.clientContext (non-ASCII text intact).
    const clientContext = Buffer.from(JSON.stringify({ custom: { who: 'Zoë' }, env: { platform: 'test' } })).toString('base64');
    const withContext = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-echo', ClientContext: clientContext }));
    expect(dec(withContext.Payload).cc).toEqual({ custom: { who: 'Zoë' }, env: { platform: 'test' } });
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'sdk-echo', ClientContext: 'not json' }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-echo', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
    const queued = await lambda.send(
      new InvokeCommand({ FunctionName: 'sdk-echo', InvocationType: 'Event', Payload: enc({ later: true }) }),
    );
    expect(queued.StatusCode).toBe(202);
    const requestId = queued.$metadata.requestId!;
    const done = await until('the async invocation', async () => {
      const r = await call(t.base, a.accountKey, 'GET', `/v1/invocations/${requestId}`);
      return r.json?.status === 'succeeded' ? r.json : null;
    });
    expect(done.type).toBe('async');

    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'sdk-echo', Handler: 'index.fail', Timeout: 5 }),
    );
    expect(updated).toMatchObject({ Handler: 'index.fail', Timeout: 5, LastUpdateStatus: 'Successful' });
    expect(updated.RevisionId).not.toBe(created.RevisionId);
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10 }, { FunctionName: 'sdk-echo' });
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-echo', Payload: enc({}) }));
    expect(failed.StatusCode).toBe(200);
    expect(failed.FunctionError).toBe('Unhandled');
    expect(dec(failed.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'no good' });

    const code2 = makeZip([{ name: 'index.js', data: 'exports.fail = async () => "fixed";' }]);
    const newCode = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'sdk-echo', ZipFile: code2 }));
    expect(newCode.CodeSha256).not.toBe(created.CodeSha256);
    expect(dec((await lambda.send(new InvokeCommand({ FunctionName: 'sdk-echo' }))).Payload)).toBe('fixed');

    const list = await lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toEqual(['sdk-echo']);

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'sdk-echo' }));
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'sdk-echo' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'sdk-echo' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('hands the client context to a Python function as context.client_context', async () => {
    const { lambda } = await tenantClient();
    // An object, as on Lambda (its Python runtime's ClientContext): the function reads its attributes.
    const py = makeZip([
      {
        name: 'app.py',
        data: 'def handler(event, context):\n    c = context.client_context\n    return None if c is None else {"custom": c.custom}\n',
      },
    ]);
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'py', Runtime: 'python3.11', Role: 'r', Handler: 'app.handler', Code: { ZipFile: py } }),
    );
    const clientContext = Buffer.from(JSON.stringify({ custom: { n: 1 } })).toString('base64');
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'py', ClientContext: clientContext }));
    expect(dec(r.Payload)).toEqual({ custom: { n: 1 } });
    expect(dec((await lambda.send(new InvokeCommand({ FunctionName: 'py' }))).Payload)).toBeNull();
  });

  it('pages ListFunctions with Marker and refuses a duplicate name with ResourceConflictException', async () => {
    const { lambda } = await tenantClient();
    for (const n of ['p-a', 'p-b', 'p-c']) await create(lambda, n);
    await expect(create(lambda, 'p-a')).rejects.toBeInstanceOf(ResourceConflictException);
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(first.Functions?.map((f) => f.FunctionName)).toEqual(['p-a', 'p-b']);
    const second = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: first.NextMarker }));
    expect(second.Functions?.map((f) => f.FunctionName)).toEqual(['p-c']);
    expect(second.NextMarker).toBeUndefined();
  });

  it('publishes versions, points aliases at them and invokes by version or alias', async () => {
    const { a, lambda } = await tenantClient();
    await create(lambda, 'ver', { Environment: { Variables: { V: 'one' } } });
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver', Description: 'first' }));
    expect(v1.$metadata.httpStatusCode).toBe(201);
    expect(v1.Version).toBe('1');
    expect(v1.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${a.id}:function:ver:1`);
    // Publishing again with no change answers the same version, as Lambda does.
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }))).Version).toBe('1');
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'ver', Environment: { Variables: { V: 'two' } } }));
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
    expect(v2.Version).toBe('2');
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
    expect(versions.Versions?.[1]?.Description).toBe('first');

    const alias = await lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '1' }));
    expect(alias.AliasArn).toBe(`arn:aws:lambda:us-east-1:${a.id}:function:ver:live`);
    const byAlias = await lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: 'live' }));
    expect(byAlias.ExecutedVersion).toBe('1');
    expect(dec(byAlias.Payload).v).toBe('one');
    const byVersion = await lambda.send(new InvokeCommand({ FunctionName: 'ver:2' }));
    expect(byVersion.ExecutedVersion).toBe('2');
    expect(dec(byVersion.Payload).v).toBe('two');
    // Inside, the function's ARN is the one this API names, ending with what the caller named, as on
    // Lambda (it was the executor's own form, of account 000000000000 in region "local"), and its
    // AWS_REGION is the API's region.
    const arn = `arn:aws:lambda:us-east-1:${a.id}:function:ver`;
    expect(dec(byAlias.Payload)).toMatchObject({ arn: `${arn}:live`, region: 'us-east-1' });
    expect(dec(byVersion.Payload).arn).toBe(`${arn}:2`);
    expect(dec((await lambda.send(new InvokeCommand({ FunctionName: 'ver' }))).Payload).arn).toBe(arn);
    expect(dec((await lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: '$LATEST' }))).Payload).arn).toBe(`${arn}:$LATEST`);
    const v1Way = await t.app.inject({
      method: 'POST',
      url: '/v1/functions/ver/invoke?alias=live',
      headers: { authorization: `Bearer ${a.accountKey}` },
      payload: {},
    });
    expect(v1Way.json().arn).toBe(`${arn}:live`);

    await expect(
      lambda.send(new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '2', RevisionId: 'stale' })),
    ).rejects.toMatchObject({
      name: 'PreconditionFailedException',
    });
    const moved = await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '2', RevisionId: alias.RevisionId }),
    );
    expect(moved.FunctionVersion).toBe('2');
    // The alias cache of this replica forgets on change: the next invocation runs version 2.
    expect((await lambda.send(new InvokeCommand({ FunctionName: `${v1.FunctionArn!.replace(/:1$/, '')}:live` }))).ExecutedVersion).toBe(
      '2',
    );
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'live' }))).FunctionVersion).toBe('2');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'edge', FunctionVersion: '$LATEST' }));
    const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: 'ver' }));
    expect(aliases.Aliases?.map((x) => [x.Name, x.FunctionVersion])).toEqual([
      ['edge', '$LATEST'],
      ['live', '2'],
    ]);
    await expect(lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'bad', FunctionVersion: '7' }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    // The same aliases and versions through /v1: one implementation.
    const v1Aliases = await call(t.base, a.accountKey, 'GET', '/v1/functions/ver/aliases');
    expect(v1Aliases.json.aliases.map((x: { name: string; version: unknown }) => [x.name, x.version])).toEqual([
      ['edge', '$LATEST'],
      ['live', 2],
    ]);
    const v1Invoke = await call(t.base, a.accountKey, 'POST', '/v1/functions/ver/invoke?alias=live', {});
    expect(v1Invoke.headers.get('x-tally-executed-version')).toBe('2');
    expect(v1Invoke.json.v).toBe('two');
    const moveBack = await call(t.base, a.accountKey, 'PUT', '/v1/functions/ver/aliases/live', { version: 1 });
    expect(moveBack.json).toMatchObject({ name: 'live', version: 1 });
    expect((await lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: 'live' }))).ExecutedVersion).toBe('1');
    expect((await call(t.base, a.accountKey, 'PUT', '/v1/functions/ver/aliases/bad', { version: 5 })).status).toBe(400);
    const published = await call(t.base, a.accountKey, 'GET', '/v1/functions/ver/published-versions');
    expect(published.json.versions.map((p: { version: number }) => p.version)).toEqual([1, 2]);
    // An Event to an alias runs the version the alias names: a published failing version fails, $LATEST succeeds.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'ver', Handler: 'index.fail' }));
    const broken = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'broken', FunctionVersion: broken.Version }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'ver', Handler: 'index.handler' }));
    // An event through an alias takes the alias's configuration, as on Lambda.
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'ver', Qualifier: 'broken', MaximumRetryAttempts: 0 }));
    const outcome = async (qualifier?: string) => {
      const queued = await lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: qualifier, InvocationType: 'Event' }));
      expect(queued.StatusCode).toBe(202);
      return until('the async invocation', async () => {
        const r = await call(t.base, a.accountKey, 'GET', `/v1/invocations/${queued.$metadata.requestId}`);
        return ['succeeded', 'failed'].includes(r.json?.status) ? r.json : null;
      });
    };
    expect(await outcome('broken')).toMatchObject({ status: 'failed', lastError: expect.stringContaining('no good') });
    expect(await outcome()).toMatchObject({ status: 'succeeded' });
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'ver', Name: 'live' }));
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: 'live' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: '9' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    // Deleting the function takes its published versions and aliases with it.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'ver' }));
    await expect(lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'edge' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await create(lambda, 'ver');
    expect((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }))).Versions?.map((v) => v.Version)).toEqual([
      '$LATEST',
    ]);
  });

  it('reserves concurrency: 0 throttles with TooManyRequestsException, delete lifts it', async () => {
    const { a, lambda } = await tenantClient();
    await create(lambda, 'conc');
    // A reservation is the function's: named through a version or alias, Lambda refuses it, and nothing is set.
    for (const FunctionName of ['conc:$LATEST', 'conc:1', `arn:aws:lambda:us-east-1:${a.id}:function:conc:live`]) {
      await expect(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName, ReservedConcurrentExecutions: 5 }))).rejects.toMatchObject(
        {
          name: 'InvalidParameterValueException',
          message: expect.stringMatching(/Aliases and versions do not support this operation/),
        },
      );
    }
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'conc' }))).ReservedConcurrentExecutions).toBeUndefined();
    const put = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'conc', ReservedConcurrentExecutions: 0 }));
    expect(put.ReservedConcurrentExecutions).toBe(0);
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'conc' }))).ReservedConcurrentExecutions).toBe(0);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'conc' }))).Concurrency?.ReservedConcurrentExecutions).toBe(0);
    const throttled = await lambda.send(new InvokeCommand({ FunctionName: 'conc' })).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect((throttled as TooManyRequestsException).$metadata.httpStatusCode).toBe(429);
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'conc' }));
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'conc' }))).ReservedConcurrentExecutions).toBeUndefined();
    expect((await lambda.send(new InvokeCommand({ FunctionName: 'conc' }))).StatusCode).toBe(200);
    // Lambda's payload limits: 6 MB synchronous, 256 KB queued.
    const big = enc({ pad: 'x'.repeat(6 * 1024 * 1024) });
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'conc', Payload: big }))).rejects.toMatchObject({
      name: 'RequestTooLargeException',
      $metadata: { httpStatusCode: 413 },
    });
    const queuedTooBig = enc({ pad: 'x'.repeat(300 * 1024) });
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'conc', Payload: queuedTooBig, InvocationType: 'Event' })),
    ).rejects.toMatchObject({
      name: 'RequestTooLargeException',
    });
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'conc', Payload: new TextEncoder().encode('not json') })),
    ).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
    });
  });

  it('keeps event-invoke configuration and function URLs through the same services as /v1', async () => {
    const { a, lambda } = await tenantClient();
    await create(lambda, 'cfg');
    await create(lambda, 'sink');
    await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfg' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'cfg',
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 120,
        DestinationConfig: { OnFailure: { Destination: `arn:aws:lambda:us-east-1:${a.id}:function:sink` } },
      }),
    );
    expect(put).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 120 });
    expect(put.LastModified).toBeInstanceOf(Date);
    const v1 = await call(t.base, a.accountKey, 'GET', '/v1/functions/cfg/event-invoke-config');
    expect(v1.json.destinations.onFailure).toEqual({ type: 'function', function: 'sink' });
    await expect(
      lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', MaximumRetryAttempts: 5 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'cfg' }));

    const url = await lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'cfg', AuthType: 'NONE', Cors: { AllowOrigins: ['*'] } }),
    );
    expect(url.FunctionUrl).toMatch(/\/url\/[a-z0-9]{32}\/$/);
    expect(url.Cors?.AllowOrigins).toEqual(['*']);
    await expect(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'cfg', AuthType: 'NONE' }))).rejects.toBeInstanceOf(
      ResourceConflictException,
    );
    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'cfg' }))).AuthType).toBe('NONE');
    expect((await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'cfg' }))).FunctionUrlConfigs).toHaveLength(1);
    const res = await fetch(`${url.FunctionUrl}hello?x=1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ echo: { rawPath: '/hello', rawQueryString: 'x=1' } });
  });

  it('refuses a wrong secret, a skewed clock, an unknown or revoked key, another account, and an unsigned request', async () => {
    const { a, k, lambda } = await tenantClient();
    await create(lambda, 'mine');
    const wrong = client({ accessKeyId: k.accessKeyId, secretAccessKey: `${k.secretAccessKey.slice(0, -2)}xx` });
    await expect(wrong.send(new GetFunctionCommand({ FunctionName: 'mine' }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    // The SDK corrects its clock from the server's Date on a skew error: count the attempts, allow one.
    const skewed = client(k, { systemClockOffset: -20 * 60 * 1000 });
    await expect(skewed.send(new ListFunctionsCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    const unknown = client({ accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: k.secretAccessKey });
    await expect(unknown.send(new ListFunctionsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });

    const other = await tenantClient();
    await expect(other.lambda.send(new GetFunctionCommand({ FunctionName: 'mine' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      other.lambda.send(new GetFunctionCommand({ FunctionName: `arn:aws:lambda:us-east-1:${a.id}:function:mine` })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    const unsigned = await fetch(`${t.base}/2015-03-31/functions/`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await unsigned.json()).toMatchObject({ message: 'Missing Authentication Token' });
    // An operation Tally does not serve answers as Lambda does, once signed.
    await expect(lambda.send(new ListLayersCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 404 },
    });
    // The Lambda routes stay out of Tally's OpenAPI document.
    const doc = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.body).toContain('/v1/accounts/{id}/access-keys');
    expect(doc.body).not.toContain('2015-03-31');

    // A tampered body under a valid signature is refused.
    const tampered = client(k);
    tampered.middlewareStack.add(
      (next) => async (args) => {
        // Same length, so the signed content-length still holds: only the signature can tell.
        const req = args.request as { body?: unknown };
        const text = typeof req.body === 'string' ? req.body : Buffer.from(req.body as Uint8Array).toString('utf8');
        expect(text).toContain('"innocent"');
        req.body = text.replace('"innocent"', '"evilname"');
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'tamper' },
    );
    await expect(create(tampered, 'innocent')).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'evilname' }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    // Other replicas learn of a revocation through the key revision the revoking transaction bumps.
    const revision = async () =>
      (await sql<{ revision: string }>`select revision from api_key_revision`.execute(t.db.db)).rows[0]!.revision;
    const before = BigInt(await revision());
    const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/accounts/${a.id}/access-keys/${k.accessKeyId}`, headers: admin });
    expect(revoke.statusCode).toBe(204);
    expect(BigInt(await revision())).toBeGreaterThan(before);
    await expect(lambda.send(new ListFunctionsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    const listed = await t.app.inject({ method: 'GET', url: `/v1/accounts/${a.id}/access-keys`, headers: admin });
    expect(listed.json().accessKeys[0]).toMatchObject({ accessKeyId: k.accessKeyId });
    expect(listed.json().accessKeys[0].revokedAt).not.toBeNull();
    expect(listed.body).not.toContain(k.secretAccessKey);
  });

  it('an account key creates access keys for its own account only; the secret is stored sealed', async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    const own = await call(t.base, a.accountKey, 'POST', `/v1/accounts/${a.id}/access-keys`);
    expect(own.status).toBe(201);
    expect(own.json.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(own.json.secretAccessKey).toHaveLength(40);
    expect((await call(t.base, a.accountKey, 'POST', `/v1/accounts/${b.id}/access-keys`)).status).toBe(404);
    const { rows } = await sql<{ secret_sealed: string }>`select secret_sealed from access_keys where id = ${own.json.accessKeyId}`.execute(
      t.db.db,
    );
    expect(rows[0]!.secret_sealed).toMatch(/^v1\./);
    expect(rows[0]!.secret_sealed).not.toContain(own.json.secretAccessKey);
  });

  it('the AWS CLI creates and invokes a function with --endpoint-url, as the README shows', async () => {
    const { k } = await tenantClient();
    const dir = mkdtempSync(join(tmpdir(), 'tally-aws-cli-'));
    writeFileSync(join(dir, 'fn.zip'), ZIP);
    const env = {
      PATH: `/usr/bin:${process.env.PATH}`,
      HOME: dir,
      AWS_ACCESS_KEY_ID: k.accessKeyId,
      AWS_SECRET_ACCESS_KEY: k.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
    };
    const aws = async (...args: string[]) =>
      JSON.parse((await run('aws', ['lambda', ...args, '--endpoint-url', t.base], { env, cwd: dir })).stdout || 'null');
    const created = await aws(
      'create-function',
      '--function-name',
      'cli',
      '--runtime',
      'nodejs20.x',
      '--handler',
      'index.handler',
      '--role',
      'arn:aws:iam::123456789012:role/any',
      '--zip-file',
      'fileb://fn.zip',
    );
    expect(created).toMatchObject({ FunctionName: 'cli', State: 'Active' });
    const meta = await aws(
      'invoke',
      '--function-name',
      'cli',
      '--cli-binary-format',
      'raw-in-base64-out',
      '--payload',
      '{"from":"cli"}',
      '--log-type',
      'Tail',
      'out.json',
    );
    expect(meta).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(Buffer.from(meta.LogResult, 'base64').toString()).toContain('REPORT RequestId');
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))).toMatchObject({ echo: { from: 'cli' }, fn: 'cli' });
    expect((await aws('list-functions')).Functions[0].FunctionName).toBe('cli');
    const missing = await run('aws', ['lambda', 'get-function', '--function-name', 'nope', '--endpoint-url', t.base], { env }).catch(
      (e: { stderr: string }) => e,
    );
    expect((missing as { stderr: string }).stderr).toContain('ResourceNotFoundException');
  });
});
