import { CreateEventSourceMappingCommand, type LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { BROKERS, unique } from '../helpers/brokers.js';
import { call, deploy, makeZip, useFunctionsApp } from '../helpers/functions.js';
import { lambdaClientFor } from '../helpers/lambda.js';

// Review of 2026-12-07: mappings may name an alias or a version now (9d88b28, 4f5f4dc), but
// ListEventSourceMappings dropped the qualifier of its FunctionName: `f:live` (or an alias ARN) listed
// every mapping of f, on any alias or version. Lambda lists the mappings of that alias or version only
// ("you can get list of event source mappings for a specific Lambda function version or an alias").
const t = useFunctionsApp({ executor: false });
const zip = makeZip([{ name: 'index.js', data: 'exports.handler = async () => ({});' }]);

let key: string;
let accountId: string;
let lambda: LambdaClient;
beforeAll(async () => {
  const a = await newTenant(t.app);
  key = a.accountKey;
  accountId = a.id;
  lambda = await lambdaClientFor(t.app, t.base, a.id);
});

describe('ListEventSourceMappings by a qualified FunctionName', () => {
  it('lists the mappings of that alias or version only', async () => {
    await deploy(t.base, key, 'lf', zip);
    expect((await call(t.base, key, 'POST', '/v1/functions/lf/published-versions', {})).json.version).toBe(1);
    expect((await call(t.base, key, 'PUT', '/v1/functions/lf/aliases/live', { version: 1 })).status).toBe(200);
    const create = async (FunctionName: string) =>
      (
        await lambda.send(
          new CreateEventSourceMappingCommand({
            FunctionName,
            SelfManagedEventSource: { Endpoints: { REDIS: [BROKERS.redis] } as never },
            Topics: [unique('review-list')],
            Enabled: false,
          }),
        )
      ).UUID!;
    const onLive = await create('lf:live');
    const onOne = await create('lf:1');
    const onLatest = await create('lf');
    const arn = `arn:aws:lambda:us-east-1:${accountId}:function:lf`;
    const listed = async (FunctionName: string) =>
      ((await lambda.send(new ListEventSourceMappingsCommand({ FunctionName }))).EventSourceMappings ?? []).map((m) => [
        m.UUID,
        m.FunctionArn,
      ]);

    expect(await listed('lf:live')).toEqual([[onLive, `${arn}:live`]]);
    expect(await listed(`${arn}:live`)).toEqual([[onLive, `${arn}:live`]]);
    expect(await listed('lf:1')).toEqual([[onOne, `${arn}:1`]]);
    expect(await listed('lf:$LATEST')).toEqual([[onLatest, arn]]);
    expect(await listed('lf:nope')).toEqual([]);
    // The function's name alone still lists all of them, as before.
    expect((await listed('lf')).map(([id]) => id).sort()).toEqual([onLive, onOne, onLatest].sort());
  });
});
