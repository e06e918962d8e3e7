import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  InvalidParameterValueException,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSources } from '../../src/jobs/event-sources.js';
import type { InvokeService } from '../../src/modules/functions/invoke.service.js';
import { admin, newTenant } from '../helpers/app.js';
import { BROKERS, rabbitQueue, redisClient, unique, startSourcesJob } from '../helpers/brokers.js';
import { deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 } } });

const CODE = 'exports.handler = async (event) => ({ batchItemFailures: [] });';
const zip = makeZip([{ name: 'index.js', data: CODE }]);

/** What each poller ran: the real invoke service, watched. */
const seen: { fn: string; event: any }[] = [];
const watched: Pick<InvokeService, 'invoke'> = {
  async invoke(accountId, name, payload, opts) {
    const r = await t.services.invoke.invoke(accountId, name, payload, opts);
    seen.push({ fn: name, event: JSON.parse(payload.toString()) });
    return r;
  },
};

let job: EventSources;
let lambda: LambdaClient;
let accountId: string;
beforeAll(async () => {
  job = startSourcesJob(t, watched);
  const a = await newTenant(t.app);
  accountId = a.id;
  await deploy(t.base, a.accountKey, 'consumer', zip, { handler: 'index.handler' });
  const r = await t.app.inject({ method: 'POST', url: `/v1/accounts/${a.id}/access-keys`, headers: admin });
  lambda = new LambdaClient({ endpoint: t.base, region: 'us-east-1', credentials: r.json(), maxAttempts: 1 });
});
afterAll(() => job?.stop());

describe('event source mappings through the Lambda API (@aws-sdk/client-lambda)', () => {
  it('creates a Redis stream mapping that feeds the function, then gets, lists, disables and deletes it', async () => {
    const stream = unique('aws-stream');
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'consumer',
        SelfManagedEventSource: { Endpoints: { REDIS: [BROKERS.redis] } as never },
        Topics: [stream],
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    expect(created.$metadata.httpStatusCode).toBe(202);
    expect(created).toMatchObject({
      FunctionArn: `arn:aws:lambda:us-east-1:${accountId}:function:consumer`,
      Topics: [stream],
      BatchSize: 10,
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(created.LastModified).toBeInstanceOf(Date);
    const id = created.UUID!;

    // The same mapping through /v1: one implementation.
    const v1 = await t.app.inject({
      method: 'GET',
      url: `/v1/event-source-mappings/${id}`,
      headers: { ...admin, 'x-account-id': accountId },
    });
    expect(v1.json()).toMatchObject({ id, functionName: 'consumer', source: { type: 'redis', stream } });

    await until('the mapping enabled', async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: id }))).State === 'Enabled');
    const redis = redisClient();
    try {
      for (const n of [1, 2, 3]) await redis.xadd(stream, '*', 'body', JSON.stringify({ n }));
      const got = await until('three records at the function', async () => {
        const records = seen.filter((s) => s.fn === 'consumer').flatMap((s) => s.event.Records ?? []);
        return records.length >= 3 ? records : null;
      });
      expect(got.map((r: any) => JSON.parse(r.fields.body).n)).toEqual([1, 2, 3]);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }

    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'consumer' }));
    expect(listed.EventSourceMappings?.map((m) => m.UUID)).toContain(id);

    const disabled = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, Enabled: false }));
    expect(disabled.$metadata.httpStatusCode).toBe(202);
    expect(['Disabling', 'Disabled']).toContain(disabled.State);
    await expect(lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, BatchSize: 0 }))).rejects.toThrow(
      InvalidParameterValueException,
    );
    expect((await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, BatchSize: 5 }))).BatchSize).toBe(5);

    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: id }));
    expect(deleted.State).toBe('Deleting');
    await expect(lambda.send(new GetEventSourceMappingCommand({ UUID: id }))).rejects.toThrow(ResourceNotFoundException);
  });

  it('keeps broker credentials out of every answer, pages with Marker, and refuses what it cannot honour by name', async () => {
    const queue = unique('aws-q');
    const q = await rabbitQueue(queue);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const m = await lambda.send(
          new CreateEventSourceMappingCommand({
            FunctionName: `arn:aws:lambda:us-east-1:${accountId}:function:consumer`,
            SelfManagedEventSource: { Endpoints: { RABBITMQ: [BROKERS.rabbitmq] } as never },
            Queues: [queue],
            Enabled: false,
          }),
        );
        ids.push(m.UUID!);
        const endpoints = m.SelfManagedEventSource?.Endpoints as Record<string, string[]>;
        expect(endpoints.RABBITMQ?.[0]).toBe('amqp://127.0.0.1:5672/');
        expect(JSON.stringify(m)).not.toContain('guest');
      }
      const first = await lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2 }));
      expect(first.EventSourceMappings).toHaveLength(2);
      expect(first.NextMarker).toBeTruthy();
      const rest = await lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2, Marker: first.NextMarker }));
      const all = [...first.EventSourceMappings!, ...rest.EventSourceMappings!].map((m) => m.UUID);
      for (const id of ids) expect(all).toContain(id);
      expect(new Set(all).size).toBe(all.length);

      await expect(
        lambda.send(
          new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:q' }),
        ),
      ).rejects.toThrow(/EventSourceArn/);
      await expect(
        lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', SelfManagedEventSource: { Endpoints: {} } })),
      ).rejects.toThrow(InvalidParameterValueException);
      // A version or alias the function does not have is refused, and nothing made (one it has is accepted:
      // event-sources-qualifier.test.ts).
      for (const FunctionName of ['consumer:live', 'consumer:1', `arn:aws:lambda:us-east-1:${accountId}:function:consumer:live`]) {
        await expect(
          lambda.send(
            new CreateEventSourceMappingCommand({
              FunctionName,
              SelfManagedEventSource: { Endpoints: { RABBITMQ: [BROKERS.rabbitmq] } as never },
              Queues: [queue],
            }),
          ),
        ).rejects.toThrow(ResourceNotFoundException);
      }
      const mappings = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'consumer' }));
      expect(mappings.EventSourceMappings?.map((m) => m.UUID).sort()).toEqual([...ids].sort());
      await expect(
        lambda.send(
          new CreateEventSourceMappingCommand({
            FunctionName: 'nobody',
            SelfManagedEventSource: { Endpoints: { RABBITMQ: [BROKERS.rabbitmq] } as never },
            Queues: [queue],
          }),
        ),
      ).rejects.toThrow(ResourceNotFoundException);
      await expect(lambda.send(new GetEventSourceMappingCommand({ UUID: '00000000-0000-4000-8000-000000000000' }))).rejects.toThrow(
        ResourceNotFoundException,
      );
      for (const id of ids) await lambda.send(new DeleteEventSourceMappingCommand({ UUID: id }));
    } finally {
      await q.close();
    }
  });
});
