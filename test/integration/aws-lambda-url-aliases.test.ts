import {
  CreateAliasCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  type LambdaClient,
  ListFunctionUrlConfigsCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { makeZip, useFunctionsApp } from '../helpers/functions.js';
import { lambdaTenant } from '../helpers/lambda.js';

const t = useFunctionsApp();
const ZIP = makeZip([
  {
    name: 'index.js',
    data: 'exports.handler = async (e, context) => ({ v: process.env.V, version: context.functionVersion, arn: context.invokedFunctionArn });',
  },
]);

/** `web` with version 1 (V=one) published and aliased `live`, and V=two as its latest. */
async function webWithAlias(lambda: LambdaClient) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'web',
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::123456789012:role/r',
      Handler: 'index.handler',
      Code: { ZipFile: ZIP },
      Environment: { Variables: { V: 'one' } },
    }),
  );
  const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'web' }));
  await lambda.send(new CreateAliasCommand({ FunctionName: 'web', Name: 'live', FunctionVersion: v1.Version! }));
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'web', Environment: { Variables: { V: 'two' } } }));
}

/** Lambda's ValidationException for a URL qualifier that is not an alias name (AWS answers it for $LATEST too). */
const refused = (q: string) => ({
  name: 'ValidationException',
  message: `1 validation error detected: Value '${q}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)`,
  $metadata: { httpStatusCode: 400 },
});

describe('the Lambda API: function URLs with a Qualifier', () => {
  it("creates, reads, updates, lists and deletes an alias's URL beside the function's own, as Lambda does", async () => {
    const { tenant: a, lambda } = await lambdaTenant(t.app, t.base);
    await webWithAlias(lambda);
    const arn = `arn:aws:lambda:us-east-1:${a.id}:function:web`;

    const own = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', AuthType: 'NONE' }));
    expect(own.FunctionArn).toBe(arn);
    const live = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: 'live', AuthType: 'AWS_IAM' }));
    expect(live.$metadata.httpStatusCode).toBe(201);
    expect(live).toMatchObject({ FunctionArn: `${arn}:live`, AuthType: 'AWS_IAM', InvokeMode: 'BUFFERED' });
    expect(live.FunctionUrl).toMatch(/\/url\/[a-z0-9]{32}\/$/);
    expect(live.FunctionUrl).not.toBe(own.FunctionUrl);
    // The qualifier in the name is the same qualifier: the alias already has its URL.
    await expect(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web:live', AuthType: 'NONE' }))).rejects.toMatchObject({
      name: 'ResourceConflictException',
      message: `Failed to create function url config for [functionArn = ${arn}:live]. Error message:  FunctionUrlConfig exists for this Lambda function`,
    });

    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: 'live' }))).AuthType).toBe('AWS_IAM');
    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web' }))).AuthType).toBe('NONE');

    // Calls through the alias's URL run version 1 and name the alias in the ARN; the function's own runs the latest.
    expect((await fetch(live.FunctionUrl!)).status).toBe(401);
    const updated = await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: `${arn}:live`, AuthType: 'NONE' }));
    expect(updated).toMatchObject({ FunctionArn: `${arn}:live`, AuthType: 'NONE', FunctionUrl: live.FunctionUrl });
    expect(await (await fetch(live.FunctionUrl!)).json()).toEqual({ v: 'one', version: '1', arn: `${arn}:live` });
    expect(await (await fetch(own.FunctionUrl!)).json()).toMatchObject({ v: 'two', arn });

    const all = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web' }));
    expect(all.FunctionUrlConfigs?.map((c) => [c.FunctionArn, c.FunctionUrl])).toEqual([
      [arn, own.FunctionUrl],
      [`${arn}:live`, live.FunctionUrl],
    ]);
    expect(all.NextMarker).toBeUndefined();
    const first = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web', MaxItems: 1 }));
    expect(first.FunctionUrlConfigs?.map((c) => c.FunctionArn)).toEqual([arn]);
    const second = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web', MaxItems: 1, Marker: first.NextMarker }));
    expect(second.FunctionUrlConfigs?.map((c) => c.FunctionArn)).toEqual([`${arn}:live`]);
    expect(second.NextMarker).toBeUndefined();

    // Deleting the function's own URL leaves the alias's (as LocalStack's AWS-validated test shows), and back.
    await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'web' }));
    await expect(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: 'live' }))).FunctionUrl).toBe(
      live.FunctionUrl,
    );
    await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: 'live' }));
    expect((await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web' }))).FunctionUrlConfigs).toEqual([]);
  });

  it("refuses $LATEST and version numbers with Lambda's ValidationException, an unknown alias with ResourceNotFoundException", async () => {
    const { lambda } = await lambdaTenant(t.app, t.base);
    await webWithAlias(lambda);
    for (const q of ['$LATEST', '1', '2']) {
      await expect(
        lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: q, AuthType: 'NONE' })),
      ).rejects.toMatchObject(refused(q));
      await expect(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: q }))).rejects.toMatchObject(refused(q));
      await expect(lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: `web:${q}` }))).rejects.toMatchObject(refused(q));
      await expect(
        lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: q, AuthType: 'NONE' })),
      ).rejects.toMatchObject(refused(q));
    }
    await expect(
      lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: 'v1', AuthType: 'NONE' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    await expect(
      lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web:live', Qualifier: 'other', AuthType: 'NONE' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    expect((await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web' }))).FunctionUrlConfigs).toEqual([]);
  });

  it("DeleteAlias deletes the alias's URL; another account reaches neither the alias nor its URL", async () => {
    const { tenant: a, lambda } = await lambdaTenant(t.app, t.base);
    const { lambda: other } = await lambdaTenant(t.app, t.base);
    await webWithAlias(lambda);
    const live = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: 'live', AuthType: 'NONE' }));
    const arn = `arn:aws:lambda:us-east-1:${a.id}:function:web:live`;
    await expect(other.send(new GetFunctionUrlConfigCommand({ FunctionName: arn }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(other.send(new DeleteFunctionUrlConfigCommand({ FunctionName: arn }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(other.send(new CreateFunctionUrlConfigCommand({ FunctionName: arn, AuthType: 'NONE' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect((await fetch(live.FunctionUrl!)).status).toBe(200);

    await lambda.send(new DeleteAliasCommand({ FunctionName: 'web', Name: 'live' }));
    expect((await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web' }))).FunctionUrlConfigs).toEqual([]);
    await expect(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: 'live' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect((await fetch(live.FunctionUrl!)).status).toBe(404);
  });
});
