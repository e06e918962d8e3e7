import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  type LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsyncWorker, startAsyncWorker } from '../../src/jobs/async-worker.js';
import { call, makeZip, until, useFunctionsApp } from '../helpers/functions.js';
import { lambdaTenant, createNodeFunction } from '../helpers/lambda.js';

const t = useFunctionsApp({ deps: { events: { retryBaseMs: 200, leaseMs: 3_000 } } });
let worker: AsyncWorker;
beforeAll(() => {
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50 } });
});
afterAll(() => worker?.stop());

const ZIP = makeZip([{ name: 'index.js', data: "exports.handler = async () => { throw new TypeError('no good'); };\n" }]);

/** `cfg` (always failing) with version 1 published and the alias `live` on it, and `sink`. */
async function functions(lambda: LambdaClient) {
  for (const name of ['cfg', 'sink']) await createNodeFunction(lambda, name, ZIP);
  const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'cfg' }));
  await lambda.send(new CreateAliasCommand({ FunctionName: 'cfg', Name: 'live', FunctionVersion: v1.Version! }));
}

const notFound = (message: string) => ({ name: 'ResourceNotFoundException', message, $metadata: { httpStatusCode: 404 } });
const invalid = (message: string) => ({ name: 'InvalidParameterValueException', message, $metadata: { httpStatusCode: 400 } });

describe('the Lambda API: event-invoke configuration with a Qualifier', () => {
  it('puts, gets, updates, lists and deletes the configuration of $LATEST, a version and an alias, as Lambda answers them', async () => {
    const { tenant: a, lambda } = await lambdaTenant(t.app, t.base);
    await functions(lambda);
    const arn = `arn:aws:lambda:us-east-1:${a.id}:function:cfg`;
    const sink = `arn:aws:lambda:us-east-1:${a.id}:function:sink`;

    const live = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'cfg',
        Qualifier: 'live',
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: sink } },
      }),
    );
    expect(live).toMatchObject({
      FunctionArn: `${arn}:live`,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: sink } },
    });
    // The qualifier in the name is the same thing; the version by its number; $LATEST named or not.
    expect(
      (await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'cfg:1', MaximumEventAgeInSeconds: 120 }))).FunctionArn,
    ).toBe(`${arn}:1`);
    expect(
      (
        await lambda.send(
          new PutFunctionEventInvokeConfigCommand({ FunctionName: `${arn}:$LATEST`, Qualifier: '$LATEST', MaximumRetryAttempts: 1 }),
        )
      ).FunctionArn,
    ).toBe(`${arn}:$LATEST`);
    expect((await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfg' }))).MaximumRetryAttempts).toBe(1);
    expect(await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfg:live' }))).toMatchObject({
      FunctionArn: `${arn}:live`,
      MaximumRetryAttempts: 0,
    });

    // Update changes the fields it names, of that qualifier only.
    const updated = await lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', Qualifier: 'live', MaximumEventAgeInSeconds: 300 }),
    );
    expect(updated).toMatchObject({ FunctionArn: `${arn}:live`, MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
    // $LATEST's age limit is still unset (the default applies), which Lambda answers by leaving it out.
    expect(await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfg' }))).not.toHaveProperty(
      'MaximumEventAgeInSeconds',
    );

    // All of them, ordered by FunctionArn and paged by it.
    const all = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'cfg' }));
    expect(all.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn)).toEqual([`${arn}:$LATEST`, `${arn}:1`, `${arn}:live`]);
    expect(all.NextMarker).toBeUndefined();
    const first = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'cfg', MaxItems: 2 }));
    expect(first.FunctionEventInvokeConfigs).toHaveLength(2);
    const rest = await lambda.send(
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'cfg', Marker: first.NextMarker, MaxItems: 2 }),
    );
    expect(rest.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn)).toEqual([`${arn}:live`]);
    // /v1 reads the same rows.
    const v1 = await call(t.base, a.accountKey, 'GET', '/v1/functions/cfg/event-invoke-config?qualifier=live');
    expect(v1.json).toMatchObject({
      qualifier: 'live',
      maximumEventAgeS: 300,
      destinations: { onFailure: { type: 'function', function: 'sink' } },
    });

    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', Qualifier: '1' }));
    await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', Qualifier: '1' }))).rejects.toMatchObject(
      notFound(`The function ${arn}:1 doesn't have an EventInvokeConfig`),
    );
    // Deleting the alias deletes its configuration.
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'cfg', Name: 'live' }));
    expect(
      (await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'cfg' }))).FunctionEventInvokeConfigs?.map(
        (c) => c.FunctionArn,
      ),
    ).toEqual([`${arn}:$LATEST`]);
  });

  it("refuses what Lambda refuses, in Lambda's words, and writes nothing", async () => {
    const { tenant: a, lambda } = await lambdaTenant(t.app, t.base);
    await functions(lambda);
    const arn = `arn:aws:lambda:us-east-1:${a.id}:function:cfg`;
    const put = (input: { FunctionName: string; Qualifier?: string }) =>
      lambda.send(new PutFunctionEventInvokeConfigCommand({ ...input, MaximumRetryAttempts: 1 }));

    await expect(put({ FunctionName: 'cfg', Qualifier: 'nope' })).rejects.toMatchObject(notFound("The function doesn't exist."));
    await expect(put({ FunctionName: 'cfg:7' })).rejects.toMatchObject(notFound("The function doesn't exist."));
    await expect(put({ FunctionName: 'nope' })).rejects.toMatchObject(notFound("The function doesn't exist."));
    for (const input of [
      { FunctionName: 'cfg:1', Qualifier: '$LATEST' },
      { FunctionName: 'cfg:live', Qualifier: '1' },
    ]) {
      await expect(put(input)).rejects.toMatchObject(
        invalid('The derived qualifier from the function name does not match the specified qualifier.'),
      );
    }
    await expect(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', Qualifier: 'live' }))).rejects.toMatchObject(
      invalid('You must specify at least one of error handling or destination setting.'),
    );
    await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', Qualifier: 'nope' }))).rejects.toMatchObject(
      notFound(`The function ${arn}:nope doesn't have an EventInvokeConfig`),
    );
    await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfg:live' }))).rejects.toMatchObject(
      notFound(`The function ${arn}:live doesn't have an EventInvokeConfig`),
    );
    await expect(
      lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', Qualifier: 'live', MaximumRetryAttempts: 0 })),
    ).rejects.toMatchObject(notFound(`The function ${arn}:live doesn't have an EventInvokeConfig`));
    await expect(lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'cfg' }))).rejects.toMatchObject(
      notFound(`The function ${arn}:$LATEST doesn't have an EventInvokeConfig`),
    );
    await expect(lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'nope' }))).rejects.toMatchObject(
      notFound("The function doesn't exist."),
    );
    expect((await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'cfg' }))).FunctionEventInvokeConfigs).toEqual([]);

    // Another account's function and alias, by name or by ARN, are none of this caller's.
    const { lambda: other } = await lambdaTenant(t.app, t.base);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', Qualifier: 'live', MaximumRetryAttempts: 0 }));
    await expect(other.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', Qualifier: 'live' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      other.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: `${arn}:live`, MaximumRetryAttempts: 2 })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(other.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'cfg' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect((await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfg:live' }))).MaximumRetryAttempts).toBe(0);
  });

  it("an Event invoked with a Qualifier takes that qualifier's configuration", async () => {
    const { tenant: a, lambda } = await lambdaTenant(t.app, t.base);
    await functions(lambda);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', Qualifier: 'live', MaximumRetryAttempts: 0 }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'cfg', MaximumRetryAttempts: 1 }));
    const attempts = async (qualifier?: string) => {
      const queued = await lambda.send(new InvokeCommand({ FunctionName: 'cfg', Qualifier: qualifier, InvocationType: 'Event' }));
      return until(`the event through ${qualifier ?? 'the function'}`, async () => {
        const r = await call(t.base, a.accountKey, 'GET', `/v1/invocations/${queued.$metadata.requestId}`);
        return r.json?.status === 'failed' ? r.json.attempts : null;
      });
    };
    expect(await attempts('live')).toBe(1);
    expect(await attempts()).toBe(2);
    expect(await attempts('1')).toBe(3);
  });
});
