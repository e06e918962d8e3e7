import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { admin, newTenant } from '../helpers/app.js';
import { makeZip, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp();
const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async (e) => e;' }]);

async function tenantClient() {
  const a = await newTenant(t.app);
  const r = await t.app.inject({ method: 'POST', url: `/v1/accounts/${a.id}/access-keys`, headers: admin });
  expect(r.statusCode).toBe(201);
  const k = r.json() as { accessKeyId: string; secretAccessKey: string };
  return new LambdaClient({ endpoint: t.base, region: 'us-east-1', credentials: k, maxAttempts: 1 });
}
const create = (lambda: LambdaClient, name: string) =>
  lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::123456789012:role/r',
      Handler: 'index.handler',
      Code: { ZipFile: ZIP },
      Description: 'function description',
    }),
  );

// Found by a review on 2026-12-07, each with the AWS SDK.
describe('Lambda API answers as AWS does', () => {
  it('DeleteFunction with Qualifier $LATEST is refused (AWS), and does not delete the whole function', async () => {
    const lambda = await tenantClient();
    await create(lambda, 'keep-me');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'keep-me' }));
    const err = await lambda.send(new DeleteFunctionCommand({ FunctionName: 'keep-me', Qualifier: '$LATEST' })).catch((e: unknown) => e);
    // Whatever Tally answers, the function, its versions and aliases must survive.
    const still = await lambda.send(new GetFunctionCommand({ FunctionName: 'keep-me' })).catch((e: unknown) => e);
    expect(still).not.toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'InvalidParameterValueException' });
  });

  it("GetFunctionConfiguration of a published version shows that version's Description, as ListVersionsByFunction does", async () => {
    const lambda = await tenantClient();
    await create(lambda, 'desc');
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'desc', Description: 'release one' }));
    expect(v1.Description).toBe('release one');
    const listed = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'desc' }));
    expect(listed.Versions?.find((v) => v.Version === '1')?.Description).toBe('release one');
    const got = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'desc', Qualifier: '1' }));
    expect(got.Description).toBe('release one');
    const full = await lambda.send(new GetFunctionCommand({ FunctionName: 'desc:1' }));
    expect(full.Configuration?.Description).toBe('release one');
  });

  it('ListAliases with a FunctionVersion that is not a version is a 400, not a 500', async () => {
    const lambda = await tenantClient();
    await create(lambda, 'al');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'al', Name: 'edge', FunctionVersion: '$LATEST' }));
    const err = await lambda.send(new ListAliasesCommand({ FunctionName: 'al', FunctionVersion: 'abc' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('UpdateFunctionConfiguration of Description alone changes RevisionId, so a stale RevisionId is refused', async () => {
    const lambda = await tenantClient();
    const created = await create(lambda, 'rev');
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'rev', Description: 'changed' }));
    expect(updated.Description).toBe('changed');
    expect(updated.RevisionId).not.toBe(created.RevisionId);
  });
});
