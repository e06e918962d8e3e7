import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { bearer } from '../helpers/app.js';
import { makeZip, useFunctionsApp } from '../helpers/functions.js';
import { lambdaTenant } from '../helpers/lambda.js';

const t = useFunctionsApp();
const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async () => ({ v: process.env.V });' }]);

/** A function with versions 1 (V=one) and 2 (V=two) published, through the AWS SDK. */
async function twoVersions() {
  const { tenant: a, lambda } = await lambdaTenant(t.app, t.base);
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'canary',
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::123456789012:role/r',
      Handler: 'index.handler',
      Code: { ZipFile: ZIP },
      Environment: { Variables: { V: 'one' } },
    }),
  );
  await lambda.send(new PublishVersionCommand({ FunctionName: 'canary' }));
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'canary', Environment: { Variables: { V: 'two' } } }));
  const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'canary' }));
  return { a, lambda, v2: v2.Version! };
}

const executed = async (lambda: LambdaClient, n: number) => {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'canary', Qualifier: 'live' }));
    const ran = JSON.parse(Buffer.from(r.Payload!).toString()).v as string;
    // The version reported is the version that ran.
    expect(ran).toBe(r.ExecutedVersion === '1' ? 'one' : 'two');
    seen.push(r.ExecutedVersion!);
  }
  return seen;
};

// Lambda's weighted aliases (RoutingConfig): canary and linear deployments shift traffic this way.
describe('a weighted alias', () => {
  it('sends its weight of invocations to the additional version, reports the version that ran, and can be shifted and removed', async () => {
    const { lambda, v2 } = await twoVersions();
    const created = await lambda.send(
      new CreateAliasCommand({
        FunctionName: 'canary',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { [v2]: 0.5 } },
      }),
    );
    expect(created.RoutingConfig?.AdditionalVersionWeights).toEqual({ [v2]: 0.5 });
    // Half and half: 40 calls all on one side would happen once in 2^39.
    const mixed = await executed(lambda, 40);
    expect(new Set(mixed)).toEqual(new Set(['1', v2]));
    // GetFunctionConfiguration of the alias shows its own version; only invocations draw.
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'canary', Qualifier: 'live' }))).Version).toBe('1');

    // Shifted all the way (the last step of a linear deployment), then the routing removed.
    await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'canary', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { [v2]: 1 } } }),
    );
    expect(new Set(await executed(lambda, 5))).toEqual(new Set([v2]));
    const done = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'canary',
        Name: 'live',
        FunctionVersion: v2,
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    expect(done.RoutingConfig).toBeUndefined();
    expect(new Set(await executed(lambda, 5))).toEqual(new Set([v2]));
    // An update that does not name RoutingConfig keeps it.
    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'canary',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { [v2]: 0 } },
      }),
    );
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'canary', Name: 'live', Description: 'kept' }));
    expect(
      (await lambda.send(new GetAliasCommand({ FunctionName: 'canary', Name: 'live' }))).RoutingConfig?.AdditionalVersionWeights,
    ).toEqual({ [v2]: 0 });
    expect(new Set(await executed(lambda, 5))).toEqual(new Set(['1']));
  });

  it('refuses what Lambda refuses: $LATEST beside another version, its own version, an unpublished one, a weight past 1, two versions', async () => {
    const { lambda, v2 } = await twoVersions();
    const refused = (input: ConstructorParameters<typeof CreateAliasCommand>[0]) =>
      expect(lambda.send(new CreateAliasCommand(input))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    const base = { FunctionName: 'canary', Name: 'bad' };
    await refused({ ...base, FunctionVersion: '$LATEST', RoutingConfig: { AdditionalVersionWeights: { [v2]: 0.1 } } });
    await refused({ ...base, FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '1': 0.1 } } });
    await refused({ ...base, FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '999': 0.1 } } });
    await refused({ ...base, FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { [v2]: 1.5 } } });
    await refused({ ...base, FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { [v2]: 0.1, '1': 0.1 } } });
    await expect(lambda.send(new GetAliasCommand({ FunctionName: 'canary', Name: 'bad' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    // Moving a weighted alias onto its additional version, or onto $LATEST, is refused too.
    await lambda.send(
      new CreateAliasCommand({ ...base, Name: 'w', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { [v2]: 0.1 } } }),
    );
    await expect(lambda.send(new UpdateAliasCommand({ FunctionName: 'canary', Name: 'w', FunctionVersion: v2 }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(
      lambda.send(new UpdateAliasCommand({ FunctionName: 'canary', Name: 'w', FunctionVersion: '$LATEST' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });

  it('is the same alias under /v1: routing shown, set and removed', async () => {
    const { a, lambda, v2 } = await twoVersions();
    await lambda.send(
      new CreateAliasCommand({
        FunctionName: 'canary',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { [v2]: 0.25 } },
      }),
    );
    const url = '/v1/functions/canary/aliases/live';
    const shown = await t.app.inject({ method: 'GET', url, headers: bearer(a.accountKey) });
    expect(shown.json().routing).toEqual({ version: Number(v2), weight: 0.25 });
    const put = (payload: object) => t.app.inject({ method: 'PUT', url, headers: bearer(a.accountKey), payload });
    expect((await put({ version: 1, routing: { version: Number(v2), weight: 2 } })).statusCode).toBe(400);
    expect((await put({ version: 1, routing: null })).json().routing).toBeNull();
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'canary', Name: 'live' }))).RoutingConfig).toBeUndefined();
  });
});
