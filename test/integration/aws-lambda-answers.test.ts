import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionCodeSigningConfigCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListFunctionsCommand,
  UpdateFunctionConfigurationCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  type LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { makeZip, useFunctionsApp } from '../helpers/functions.js';
import { lambdaTenant, createNodeFunction } from '../helpers/lambda.js';

// Lambda API answers that differed from AWS's (LocalStack's AWS-validated snapshots, tests/aws/services/lambda_/
// test_lambda_api.snapshot.json), found by a review on 2026-12-07, each through the AWS SDK.
const t = useFunctionsApp({ executor: false });
const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async (e) => e;\n' }]);

async function tenantWith(...names: string[]) {
  const { tenant, lambda } = await lambdaTenant(t.app, t.base);
  for (const name of names) await createNodeFunction(lambda, name, ZIP);
  return { lambda, arn: (name: string) => `arn:aws:lambda:us-east-1:${tenant.id}:function:${name}` };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'answered',
    (e: unknown) => e,
  );
/** The account a client's key signs for (read back through GetFunction's ARN). */
async function accountOf(lambda: LambdaClient): Promise<string> {
  const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'cfg' }));
  return got.Configuration!.FunctionArn!.split(':')[4]!;
}

describe('the Lambda API answers as AWS does', () => {
  it('refuses the function itself as its own destination (each run queued the next: one event ran 17 times)', async () => {
    const { lambda, arn } = await tenantWith('loop', 'other');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'loop' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'loop', Name: 'live', FunctionVersion: '1' }));
    const refused = { name: 'InvalidParameterValueException', message: "You can't specify the function as a destination for itself." };
    for (const [FunctionName, destination] of [
      ['loop', arn('loop')],
      ['loop', arn('loop:1')],
      ['loop:live', arn('loop')],
      [arn('loop'), `${arn('loop')}:live`],
    ] as const) {
      for (const DestinationConfig of [{ OnSuccess: { Destination: destination } }, { OnFailure: { Destination: destination } }]) {
        const err = await failure(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName, DestinationConfig })));
        expect(err, `${FunctionName} -> ${JSON.stringify(DestinationConfig)}`).toMatchObject(refused);
      }
    }
    // Nothing was written.
    for (const FunctionName of ['loop', 'loop:live']) {
      await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    }
    // Update too, and it keeps what was there; another function is a destination as before.
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'loop', DestinationConfig: { OnSuccess: { Destination: arn('other') } } }),
    );
    const update = lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'loop', DestinationConfig: { OnFailure: { Destination: arn('loop') } } }),
    );
    expect(await failure(update)).toMatchObject(refused);
    const kept = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'loop' }));
    expect(kept.DestinationConfig).toEqual({ OnSuccess: { Destination: arn('other') } });
  });

  it("GetFunctionCodeSigningConfig answers a function's (empty) configuration, which Terraform reads after creating one", async () => {
    // Terraform's AWS provider (5.100) failed every aws_lambda_function create on this 404 UnknownOperationException.
    const { lambda } = await tenantWith('signed');
    const got = await lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }));
    expect(got.$metadata.httpStatusCode).toBe(200);
    expect(got.CodeSigningConfigArn).toBeUndefined();
    await expect(lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('PublishVersion with a CodeSha256 that is not the latest code is InvalidParameterValueException (400), not a conflict', async () => {
    const { lambda } = await tenantWith('sha');
    const err = await failure(lambda.send(new PublishVersionCommand({ FunctionName: 'sha', CodeSha256: 'c29tZW90aGVyc2hh' })));
    expect(err).toMatchObject({ name: 'InvalidParameterValueException', $metadata: { httpStatusCode: 400 } });
    expect((err as Error).message).toMatch(/^CodeSHA256 \(c29tZW90aGVyc2hh\) is different from current CodeSHA256 in \$LATEST/);
  });

  it('DeleteAlias of an alias that is not there answers 204, as Lambda does; of a function that is not there, 404', async () => {
    const { lambda } = await tenantWith('al');
    const gone = await lambda.send(new DeleteAliasCommand({ FunctionName: 'al', Name: 'never-made' }));
    expect(gone.$metadata.httpStatusCode).toBe(204);
    await expect(lambda.send(new DeleteAliasCommand({ FunctionName: 'nope', Name: 'live' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('DeleteFunctionConcurrency on a version or alias is refused, as PutFunctionConcurrency is, and keeps the reservation', async () => {
    const { lambda } = await tenantWith('held');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'held' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'held', Name: 'live', FunctionVersion: '1' }));
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'held', ReservedConcurrentExecutions: 0 }));
    for (const FunctionName of ['held:live', 'held:1']) {
      const err = await failure(lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName })));
      expect(err, FunctionName).toMatchObject({ name: 'InvalidParameterValueException' });
    }
    // The throttle (0) on the whole function is still there.
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'held' }))).ReservedConcurrentExecutions).toBe(0);
  });

  it('an event-invoke configuration answers only the limits that were set, as Lambda does (Terraform saw a change on every plan)', async () => {
    // Terraform's aws_lambda_function_event_invoke_config without maximum_event_age_in_seconds planned
    // "21600 -> null" after every apply: Tally answered the default as if it had been set.
    const { lambda, arn } = await tenantWith('cfg', 'sink');
    const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', MaximumRetryAttempts: 1 }));
    expect(put.MaximumRetryAttempts).toBe(1);
    expect(put).not.toHaveProperty('MaximumEventAgeInSeconds');
    const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfg' }));
    expect(got.MaximumRetryAttempts).toBe(1);
    expect(got).not.toHaveProperty('MaximumEventAgeInSeconds');
    // Update adds one and keeps the other; Put replaces the whole configuration, so what it leaves out is unset again.
    const updated = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', MaximumEventAgeInSeconds: 21600 }));
    expect([updated.MaximumRetryAttempts, updated.MaximumEventAgeInSeconds]).toEqual([1, 21600]);
    const replaced = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', DestinationConfig: { OnFailure: { Destination: arn('sink') } } }),
    );
    expect(replaced).not.toHaveProperty('MaximumRetryAttempts');
    expect(replaced).not.toHaveProperty('MaximumEventAgeInSeconds');
    // /v1 still shows the limits in effect: the defaults.
    const v1 = (await t.services.events.getConfig(await accountOf(lambda), 'cfg')) as {
      maximumRetryAttempts: number;
      maximumEventAgeS: number;
    };
    expect([v1.maximumRetryAttempts, v1.maximumEventAgeS]).toEqual([2, 21600]);
  });

  it('a function without environment variables answers no Environment, as Lambda does (Terraform planned a change every run)', async () => {
    // Terraform's aws_lambda_function without an environment block planned "environment { variables = {} } -> null"
    // after every apply, and each apply with publish = true published another version.
    const { lambda } = await tenantWith('bare');
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'bare' }));
    expect(got.Configuration).not.toHaveProperty('Environment');
    expect(await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'bare' }))).not.toHaveProperty('Environment');
    const listed = await lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.find((f) => f.FunctionName === 'bare')).not.toHaveProperty('Environment');
    const set = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'bare', Environment: { Variables: { A: '1' } } }));
    expect(set.Environment).toEqual({ Variables: { A: '1' } });
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'bare' }));
    expect(v1.Environment).toEqual({ Variables: { A: '1' } });
    const cleared = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'bare', Environment: { Variables: {} } }));
    expect(cleared).not.toHaveProperty('Environment');
  });

  it('a destination ARN naming no function here is InvalidParameterValueException, not the configured function missing', async () => {
    const { lambda } = await tenantWith('cfg');
    for (const Destination of [
      'arn:aws:lambda:us-east-1:123456789012:function:elsewhere',
      'arn:aws:lambda:eu-west-1:123456789012:function:cfg',
    ]) {
      const err = await failure(
        lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', DestinationConfig: { OnFailure: { Destination } } })),
      );
      expect(err, Destination).toMatchObject({
        name: 'InvalidParameterValueException',
        message: `The destination ARN ${Destination} is invalid.`,
        $metadata: { httpStatusCode: 400 },
      });
    }
  });

  it('keeps a function policy (AddPermission, GetPolicy, RemovePermission), which Terraform writes for a public function URL', async () => {
    // Terraform's aws_lambda_function_url with authorization_type NONE, and every aws_lambda_permission, failed on
    // AddPermission's 404 UnknownOperationException.
    const { lambda, arn } = await tenantWith('pol');
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: 'pol' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The resource you requested does not exist.',
    });
    const url = await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'pol',
        StatementId: 'FunctionURLAllowPublicAccess',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      }),
    );
    expect(url.$metadata.httpStatusCode).toBe(201);
    expect(JSON.parse(url.Statement!)).toEqual({
      Sid: 'FunctionURLAllowPublicAccess',
      Effect: 'Allow',
      Principal: '*',
      Action: 'lambda:InvokeFunctionUrl',
      Resource: arn('pol'),
      Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
    });
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: arn('pol'),
        StatementId: 's3',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        SourceArn: 'arn:aws:s3:::bucket',
        SourceAccount: '123456789012',
      }),
    );
    // The same Sid twice, also at once: one is added, the others are Lambda's ResourceConflictException.
    const again = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        lambda.send(new AddPermissionCommand({ FunctionName: 'pol', StatementId: 'acct', Action: 'lambda:*', Principal: '210987654321' })),
      ),
    );
    expect(again.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of again.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        name: 'ResourceConflictException',
        message: 'The statement id (acct) provided already exists. Please provide a new statement id, or remove the existing statement.',
      });
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'pol' }));
    const statements = (JSON.parse(policy.Policy!) as { Statement: { Sid: string; Principal: unknown; Condition?: unknown }[] }).Statement;
    expect(statements.map((st) => st.Sid).sort()).toEqual(['FunctionURLAllowPublicAccess', 'acct', 's3']);
    expect(statements.find((st) => st.Sid === 'acct')?.Principal).toEqual({ AWS: 'arn:aws:iam::210987654321:root' });
    expect(statements.find((st) => st.Sid === 's3')).toMatchObject({
      Principal: { Service: 's3.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::bucket' } },
    });
    expect(policy.RevisionId).toBe((await lambda.send(new GetFunctionCommand({ FunctionName: 'pol' }))).Configuration?.RevisionId);

    // A version's or an alias's policy is not kept: refused, nothing written.
    await lambda.send(new PublishVersionCommand({ FunctionName: 'pol' }));
    for (const FunctionName of ['pol:1', 'pol:$LATEST']) {
      const err = await failure(
        lambda.send(new AddPermissionCommand({ FunctionName, StatementId: 'q', Action: 'lambda:InvokeFunction', Principal: '*' })),
      );
      expect(err, FunctionName).toMatchObject({ name: 'InvalidParameterValueException' });
    }
    await expect(
      lambda.send(new AddPermissionCommand({ FunctionName: 'pol:9', StatementId: 'q', Action: 'lambda:InvokeFunction', Principal: '*' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    await lambda.send(new RemovePermissionCommand({ FunctionName: 'pol', StatementId: 's3' }));
    await expect(lambda.send(new RemovePermissionCommand({ FunctionName: 'pol', StatementId: 's3' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Statement s3 is not found in resource policy.',
    });
    const left = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'pol' }))).Policy!) as { Statement: { Sid: string }[] };
    expect(left.Statement.map((st) => st.Sid).sort()).toEqual(['FunctionURLAllowPublicAccess', 'acct']);

    // Another account reaches nothing; the policy goes with its function.
    const { lambda: other } = await lambdaTenant(t.app, t.base);
    await expect(other.send(new GetPolicyCommand({ FunctionName: arn('pol') }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'pol' }));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'pol',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::123456789012:role/r',
        Handler: 'index.handler',
        Code: { ZipFile: ZIP },
      }),
    );
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: 'pol' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it("holds a function policy to Lambda's 20 KB: the statement past it is PolicyLengthExceededException, nothing written", async () => {
    const { lambda } = await tenantWith('big');
    const add = (i: number) =>
      lambda.send(
        new AddPermissionCommand({
          FunctionName: 'big',
          StatementId: `s${i}`,
          Action: 'lambda:InvokeFunction',
          Principal: 'events.amazonaws.com',
          SourceArn: `arn:aws:events:us-east-1:123456789012:rule/${'r'.repeat(960)}`,
        }),
      );
    let i = 0;
    for (; i < 40; i++) {
      const err = await failure(add(i));
      if (err === 'answered') continue;
      expect(err).toMatchObject({ name: 'PolicyLengthExceededException', $metadata: { httpStatusCode: 400 } });
      break;
    }
    expect(i).toBeGreaterThan(10);
    expect(i).toBeLessThan(40);
    const kept = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'big' }))).Policy!) as { Statement: unknown[] };
    expect(kept.Statement).toHaveLength(i);
  });
});
