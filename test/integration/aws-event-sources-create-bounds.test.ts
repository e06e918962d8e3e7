import {
  CreateEventSourceMappingCommand,
  InvalidParameterValueException,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, newTenant } from '../helpers/app.js';
import { BROKERS, unique } from '../helpers/brokers.js';
import { deploy, makeZip, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 } } });

let lambda: LambdaClient;
beforeAll(async () => {
  const a = await newTenant(t.app);
  await deploy(t.base, a.accountKey, 'bounded', makeZip([{ name: 'index.js', data: 'exports.handler = async () => ({});' }]), {
    handler: 'index.handler',
  });
  const r = await t.app.inject({ method: 'POST', url: `/v1/accounts/${a.id}/access-keys`, headers: admin });
  lambda = new LambdaClient({ endpoint: t.base, region: 'us-east-1', credentials: r.json(), maxAttempts: 1 });
});

describe('CreateEventSourceMapping checks its settings as /v1 does', () => {
  it.each([
    ['BatchSize 0', { BatchSize: 0 }],
    ['BatchSize over 10,000', { BatchSize: 20_000 }],
    ['BatchSize not whole', { BatchSize: 1.5 }],
    ['MaximumRetryAttempts -1', { MaximumRetryAttempts: -1 }],
    ['MaximumBatchingWindowInSeconds over 300', { MaximumBatchingWindowInSeconds: 301 }],
    ['MaximumConcurrency 0', { ScalingConfig: { MaximumConcurrency: 0 } }],
    ['a queue that is not a name', { Queues: [''] }],
  ])('answers InvalidParameterValueException for %s, and makes nothing', async (_what, settings) => {
    const err = await lambda
      .send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'bounded',
          SelfManagedEventSource: { Endpoints: { RABBITMQ: [BROKERS.rabbitmq] } as never },
          Queues: [unique('bounds-q')],
          Enabled: false,
          ...settings,
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect((err as Error).message).toMatch(/BatchSize|batchSize|Retry|Window|Concurrency|queue/i);
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'bounded' }));
    expect(listed.EventSourceMappings).toEqual([]);
  });
});
