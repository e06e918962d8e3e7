import { GetEventSourceMappingCommand, GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsyncWorker, startAsyncWorker } from '../../src/jobs/async-worker.js';
import type { EventSources } from '../../src/jobs/event-sources.js';
import { newTenant } from '../helpers/app.js';
import { BROKERS, mappingRoutes, receiver, redisClient, unique, startSourcesJob } from '../helpers/brokers.js';
import { call, deploy, makeZip, shiftedClock, until, useFunctionsApp } from '../helpers/functions.js';
import { lambdaClientFor } from '../helpers/lambda.js';
import { startLogicalPostgres } from '../helpers/logical-postgres.js';

/**
 * An api configured with TALLY_REGION=eu-west-1 (`aws.region`, as server.ts passes it) names that region
 * in every ARN it writes, as Lambda names its own: destination records' `functionArn`, mapping ARNs in
 * /v1 and the Lambda API, the `eventSourceARN` of the records a mapping hands a function (Lambda's for a
 * stream, DynamoDB's for a Postgres table, with its `awsRegion`) and a scheduled event's `region`. They
 * said `tally` before, so a function parsing the region out of its event disagreed with its AWS_REGION.
 */
const REGION = 'eu-west-1';
const MINUTE = 60_000;
const clock = shiftedClock();
const t = useFunctionsApp({
  deps: {
    clock,
    aws: { region: REGION },
    events: { retryBaseMs: 50, leaseMs: 3_000 },
    // The destination receiver listens on loopback.
    webhooks: { allowPrivate: true },
  },
});

// Fails what a mapping hands it (so each batch reaches the failure destination) and any `{ fail: true }`.
const CODE = `
exports.handler = async (event, context) => {
  if (event.fail || event.Records) throw new Error('refused');
  return { region: process.env.AWS_REGION, arn: context.invokedFunctionArn };
};
`;

let worker: AsyncWorker;
let job: EventSources;
let hooks: Awaited<ReturnType<typeof receiver>>;
let userPg: Awaited<ReturnType<typeof startLogicalPostgres>>;
let lambda: LambdaClient;
let key: string;
let accountId: string;

beforeAll(async () => {
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50, deliveryPollMs: 100 } });
  job = startSourcesJob(t, t.services.invoke, { clock });
  hooks = await receiver();
  userPg = await startLogicalPostgres();
  const tenant = await newTenant(t.app);
  key = tenant.accountKey;
  accountId = tenant.id;
  lambda = await lambdaClientFor(t.app, t.base, accountId);
  await deploy(t.base, key, 'where', makeZip([{ name: 'index.js', data: CODE }]));
  const config = await call(t.base, key, 'PUT', '/v1/functions/where/event-invoke-config', {
    maximumRetryAttempts: 0,
    destinations: { onSuccess: { type: 'webhook', url: hooks.url }, onFailure: { type: 'webhook', url: hooks.url } },
  });
  expect(config.status, JSON.stringify(config.json)).toBe(200);
}, 60_000);
afterAll(async () => {
  await job?.stop();
  await worker?.stop();
  await hooks?.close();
  await userPg?.stop();
});

const fnArn = (qualifier?: string) => `arn:aws:lambda:${REGION}:${accountId}:function:where${qualifier ? `:${qualifier}` : ''}`;
const records = () => hooks.got.map((g) => JSON.parse(g.body));
const { create, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);

/** A mapping of `where` whose failed batches go at once to the receiver. */
async function mapping(source: Record<string, unknown>) {
  const m = await create({
    functionName: 'where',
    source,
    batchSize: 10,
    maximumBatchingWindowS: 0.2,
    maximumRetryAttempts: 0,
    destinations: { onFailure: { type: 'webhook', url: hooks.url } },
  });
  expect(m.status, JSON.stringify(m.json)).toBe(201);
  await enabled(m.json.id);
  return m.json as { id: string; eventSourceMappingArn: string };
}

const failureRecordOf = (m: { eventSourceMappingArn: string }) =>
  until('the failure record', async () => records().find((r) => r.eventSourceMappingArn === m.eventSourceMappingArn), 30_000);

describe(`an api configured for ${REGION} names it in every ARN it writes`, { timeout: 60_000 }, () => {
  it("destination records: functionArn names the region, as the function's own ARN and AWS_REGION do; the Lambda API reads it back", async () => {
    const ok = await call(t.base, key, 'POST', '/v1/functions/where/invoke', { n: 1 }, { 'x-tally-invocation-type': 'Event' });
    const failed = await call(t.base, key, 'POST', '/v1/functions/where/invoke', { fail: true }, { 'x-tally-invocation-type': 'Event' });
    expect([ok.status, failed.status]).toEqual([202, 202]);
    const byRequest = (id: string) => until(`record of ${id}`, async () => records().find((r) => r.requestContext?.requestId === id));
    const success = await byRequest(ok.json.requestId);
    expect(success).toMatchObject({
      requestContext: { functionArn: fnArn('$LATEST'), condition: 'Success' },
      responsePayload: { region: REGION, arn: fnArn() },
    });
    const failure = await byRequest(failed.json.requestId);
    expect(failure.requestContext).toMatchObject({ functionArn: fnArn('$LATEST'), condition: 'RetriesExhausted' });

    // An ARN Tally wrote names this api's region, so the Lambda API takes it as a FunctionName (one naming `tally` was refused).
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: success.requestContext.functionArn }));
    expect(c.FunctionName).toBe('where');
    expect(c.FunctionArn?.startsWith(fnArn())).toBe(true);
  });

  it("a stream mapping: its ARN in /v1 and the Lambda API, its records' eventSourceARN and its failure record", async () => {
    const stream = unique('region');
    const redis = redisClient();
    try {
      const m = await mapping({ type: 'redis', url: BROKERS.redis, stream });
      const arn = `arn:aws:lambda:${REGION}:${accountId}:event-source-mapping:${m.id}`;
      expect(m.eventSourceMappingArn).toBe(arn);
      const viaAws = await lambda.send(new GetEventSourceMappingCommand({ UUID: m.id }));
      expect([viaAws.EventSourceMappingArn, viaAws.FunctionArn]).toEqual([arn, fnArn()]);

      await redis.xadd(stream, '*', 'body', 'hello');
      const record = await failureRecordOf(m);
      expect(record.requestContext.functionArn).toBe(fnArn('$LATEST'));
      expect(record.requestPayload.Records).toEqual([expect.objectContaining({ eventSource: 'tally:redis', eventSourceARN: arn })]);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });

  it("a Postgres table's records are DynamoDB Streams records of the region: awsRegion and the table stream's ARN", async () => {
    const user = new pg.Client(userPg.url);
    await user.connect();
    try {
      await user.query('create table places (id int primary key, name text)');
      await user.query('create publication places_pub for table places');
      const m = await mapping({ type: 'postgres', url: userPg.url, publication: 'places_pub' });
      expect(m.eventSourceMappingArn).toBe(`arn:aws:lambda:${REGION}:${accountId}:event-source-mapping:${m.id}`);

      await user.query(`insert into places values (1, 'Dublin')`);
      const record = await failureRecordOf(m);
      expect(record.requestContext.functionArn).toBe(fnArn('$LATEST'));
      expect(record.requestPayload.Records).toEqual([
        expect.objectContaining({
          eventSource: 'aws:dynamodb',
          awsRegion: REGION,
          eventSourceARN: `arn:aws:dynamodb:${REGION}:${accountId}:table/public.places/stream/${m.id}`,
        }),
      ]);
    } finally {
      await user.end();
    }
  });

  it("a schedule's EventBridge event names the region", async () => {
    const local = new Date(clock.now().getTime() + 2 * MINUTE).toISOString().slice(0, 19);
    const s = await call(t.base, key, 'POST', '/v1/schedules', { name: 'soon', expression: `at(${local})`, target: { function: 'where' } });
    expect(s.status, JSON.stringify(s.json)).toBe(201);
    clock.advance(3 * MINUTE);
    expect(await t.services.schedules.fireDue()).toBe(1);
    // The tick ran `where`, whose success record carries the scheduled event it was given.
    const record = await until('the tick ran', async () => records().find((r) => r.requestPayload?.source === 'tally.scheduler'));
    expect(record.requestPayload).toMatchObject({
      'detail-type': 'Scheduled Event',
      account: accountId,
      region: REGION,
      resources: ['soon'],
    });
  });
});
