import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  InvalidParameterValueException,
  type LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSources } from '../../src/jobs/event-sources.js';
import type { InvokeService } from '../../src/modules/functions/invoke.service.js';
import { admin, newTenant } from '../helpers/app.js';
import { BROKERS, mappingRoutes, receiver, redisClient, unique, startSourcesJob } from '../helpers/brokers.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';
import { lambdaClientFor } from '../helpers/lambda.js';

const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 }, webhooks: { allowPrivate: true } } });

/** Slow enough that a batch is in flight when the mapping changes; answers which function ran which messages. */
const CODE = `
exports.handler = async (event) => {
  await new Promise((r) => setTimeout(r, 250));
  return { fn: process.env.FN, n: event.Records.map((r) => JSON.parse(r.fields.body).n) };
};
`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);

interface Ran {
  name: string;
  opts: { version?: number; qualifier?: string };
  n: number[];
  startedAt: number;
  endedAt: number;
}
/** What the pollers ran: the real invoke service, watched. */
const ran: Ran[] = [];
let started = 0;
const watched: Pick<InvokeService, 'invoke'> = {
  async invoke(accountId, name, payload, opts) {
    const startedAt = Date.now();
    started += 1;
    const r = await t.services.invoke.invoke(accountId, name, payload, opts);
    const n = (JSON.parse(payload.toString()) as { Records: { fields: { body: string } }[] }).Records.map(
      (x) => (JSON.parse(x.fields.body) as { n: number }).n,
    );
    ran.push({ name, opts, n, startedAt, endedAt: Date.now() });
    return r;
  },
};

let job: EventSources;
let dlq: Awaited<ReturnType<typeof receiver>>;
let key: string;
let accountId: string;
let other: Awaited<ReturnType<typeof newTenant>>;
let lambda: LambdaClient;
let access: { accessKeyId: string; secretAccessKey: string };
beforeAll(async () => {
  job = startSourcesJob(t, watched);
  dlq = await receiver();
  const a = await newTenant(t.app);
  key = a.accountKey;
  accountId = a.id;
  lambda = await lambdaClientFor(t.app, t.base, a.id);
  const r = await t.app.inject({ method: 'POST', url: `/v1/accounts/${a.id}/access-keys`, headers: admin });
  access = r.json();
  other = await newTenant(t.app);
  // f: version 1 published, alias live on it; g: another function of the account.
  await deploy(t.base, key, 'f', zip, { handler: 'index.handler', environment: { FN: 'f' } });
  expect((await call(t.base, key, 'POST', '/v1/functions/f/published-versions', {})).json.version).toBe(1);
  expect((await call(t.base, key, 'PUT', '/v1/functions/f/aliases/live', { version: 1 })).status).toBe(200);
  await deploy(t.base, key, 'g', zip, { handler: 'index.handler', environment: { FN: 'g' } });
  // The other account has a function g2 (with an alias) that this account must not reach.
  await deploy(t.base, other.accountKey, 'g2', zip, { handler: 'index.handler' });
  await call(t.base, other.accountKey, 'POST', '/v1/functions/g2/published-versions', {});
  await call(t.base, other.accountKey, 'PUT', '/v1/functions/g2/aliases/theirs', { version: 1 });
});
afterAll(async () => {
  await job?.stop();
  await dlq?.close();
});

const { create, get, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);
const patch = (id: string, body: unknown, as = key) => call(t.base, as, 'PATCH', `/v1/event-source-mappings/${id}`, body);
/** The mapping as answered, without what the poller writes while the test runs. */
const settled = async (id: string) => {
  const { lag: _l, lagMeasuredAt: _a, lastProcessingResult: _r, state: _s, ...rest } = await get(id);
  return rest;
};

/** A SigV4-signed Lambda API call with a body the SDK would not send (it drops members UpdateEventSourceMapping lacks). */
async function rawAws(method: 'PUT', path: string, body: unknown) {
  const raw = Buffer.from(JSON.stringify(body));
  const signer = new SignatureV4({ credentials: access, region: 'us-east-1', service: 'lambda', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: 'tally.test',
    path,
    headers: { host: 'tally.test', 'content-type': 'application/json' },
    body: raw,
  });
  return t.app.inject({ method, url: path, headers: signed.headers as Record<string, string>, payload: raw });
}

describe('changing an event source mapping after it is made', { timeout: 90_000 }, () => {
  it('moves a running mapping from f:live to g with a larger batch: the batch in flight finishes on f, the next run on g, none lost or run twice, in order', async () => {
    const stream = unique('move');
    const redis = redisClient();
    try {
      const m = await create({ functionName: 'f', qualifier: 'live', source: { type: 'redis', url: BROKERS.redis, stream }, batchSize: 2 });
      expect(m.status, m.text).toBe(201);
      const id = m.json.id as string;
      await until('the mapping Enabled', async () => (await get(id)).state === 'Enabled', 30_000);
      const publish = async (from: number, to: number) => {
        const tx = redis.multi();
        for (let n = from; n <= to; n++) tx.xadd(stream, '*', 'body', JSON.stringify({ n }));
        await tx.exec();
      };
      await publish(1, 10);
      // Mid-stream, a batch running (each takes 250 ms): change the function and the batch size.
      await until('two batches started', async () => started >= 2);
      const patchedAt = Date.now();
      const changed = await patch(id, { functionName: 'g', batchSize: 5 });
      expect(changed.status, changed.text).toBe(200);
      expect(changed.json).toMatchObject({ functionName: 'g', qualifier: '$LATEST', batchSize: 5, enabled: true });
      expect(['Updating', 'Enabled']).toContain(changed.json.state);
      // The poller with the new settings subscribed (the one finishing does not mark it Enabled).
      await until('the change applied', async () => (await get(id)).state === 'Enabled', 30_000);
      await until('messages 1-10 ran', async () => ran.flatMap((r) => r.n).length >= 10);
      await publish(11, 30);
      await until('messages 11-30 ran', async () => ran.flatMap((r) => r.n).length >= 30);
      // A moment for a duplicate to show, were there one.
      await new Promise((r) => setTimeout(r, 1_000));

      // Every message ran once, in stream order, across the change.
      expect(ran.flatMap((r) => r.n)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      const onF = ran.filter((r) => r.name === 'f');
      const onG = ran.filter((r) => r.name === 'g');
      expect(onF.length + onG.length).toBe(ran.length);
      // The batch in flight when the change came finished under the old settings: f through the alias, two at most.
      expect(onF.some((r) => r.startedAt < patchedAt && r.endedAt > patchedAt)).toBe(true);
      for (const r of onF) {
        expect(r.n.length).toBeLessThanOrEqual(2);
        expect(r.opts).toMatchObject({ version: 1, qualifier: 'live' });
      }
      // The next batches ran g ($LATEST) with the new size; the 20 published at once came in batches of 5.
      expect(onG.length).toBeGreaterThan(0);
      for (const r of onG) {
        expect(r.n.length).toBeLessThanOrEqual(5);
        expect(r.opts.qualifier).toBeUndefined();
      }
      expect(onG.filter((r) => r.n[0]! >= 11).map((r) => r.n.length)).toEqual([5, 5, 5, 5]);
      expect(onF.every((r) => r.n.every((n) => n <= 10))).toBe(true);
      // Nothing left pending in the group.
      await until('nothing pending', async () => ((await redis.xpending(stream, `tally-${id}`)) as [number])[0] === 0);
      expect((await get(id)).lastProcessingResult).toBe('OK');
      await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${id}`);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });

  it('refuses a change of the source, an unknown or foreign function, an unknown qualifier and bad settings (4xx), changing nothing', async () => {
    const stream = unique('refused');
    const m = await create({
      functionName: 'f',
      qualifier: 'live',
      source: { type: 'redis', url: BROKERS.redis, stream },
      batchSize: 3,
      enabled: false,
    });
    expect(m.status, m.text).toBe(201);
    const id = m.json.id as string;
    const before = await settled(id);
    const refusals: [unknown, number, string, RegExp?][] = [
      [{ source: { type: 'redis', url: BROKERS.redis, stream: 'another' } }, 400, 'VALIDATION_FAILED', /^source: .*cannot change/],
      [{ stream: 'another' }, 400, 'VALIDATION_FAILED'],
      [{ functionName: 'nobody' }, 404, 'FUNCTION_NOT_FOUND'],
      // The other account's function, with the name and alias it has there.
      [{ functionName: 'g2' }, 404, 'FUNCTION_NOT_FOUND'],
      [{ functionName: 'g2', qualifier: 'theirs' }, 404, 'FUNCTION_NOT_FOUND'],
      [{ qualifier: 'nope' }, 404, 'FUNCTION_NOT_FOUND', /^qualifier: function f has no alias or published version nope$/],
      [{ functionName: 'g', qualifier: 'live' }, 404, 'FUNCTION_NOT_FOUND', /^qualifier: /],
      [{ qualifier: 'a:b' }, 400, 'VALIDATION_FAILED'],
      [{ batchSize: 0 }, 400, 'VALIDATION_FAILED'],
      [{ batchSize: 10_001 }, 400, 'VALIDATION_FAILED'],
      [{ batchSize: '5' }, 400, 'VALIDATION_FAILED'],
      // Creation's per-type rules: a redis source runs at most 16 batches at once.
      [{ maximumConcurrency: 17 }, 400, 'VALIDATION_FAILED', /^maximumConcurrency: a redis source/],
      [{ destinations: { onFailure: { type: 'function', function: 'g2' } } }, 400, 'VALIDATION_FAILED', /no function named g2/],
      // A valid field beside a refused one: nothing of it is written either.
      [{ batchSize: 7, functionName: 'nobody' }, 404, 'FUNCTION_NOT_FOUND'],
    ];
    for (const [body, status, code, message] of refusals) {
      const r = await patch(id, body);
      expect([r.status, r.json.error?.code], JSON.stringify(body)).toEqual([status, code]);
      expect(r.json.error.requestId).toBeTruthy();
      if (message) expect(r.json.error.message).toMatch(message);
      expect(await settled(id), JSON.stringify(body)).toEqual(before);
    }
    // Another account cannot see or change it.
    const foreign = await patch(id, { batchSize: 9 }, other.accountKey);
    expect([foreign.status, foreign.json.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await patch('00000000-0000-4000-8000-000000000000', { batchSize: 9 })).status).toBe(404);
    expect(await settled(id)).toEqual(before);

    // An s3-webhook mapping keeps creation's rules too: no batching, no item failures.
    const hook = await create({ functionName: 'f', source: { type: 's3-webhook' } });
    for (const body of [{ batchSize: 2 }, { functionResponseTypes: ['ReportBatchItemFailures'] }]) {
      const r = await patch(hook.json.id, body);
      expect([r.status, r.json.error.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }

    // Accepted changes: the qualifier alone stays on f; a webhook destination gets its secret once, keeps it
    // when its URL changes, and goes with `destinations: {}`.
    const latest = await patch(id, { qualifier: '$LATEST', maximumRetryAttempts: 0, maximumBatchingWindowS: 1.5 });
    expect(latest.json).toMatchObject({ functionName: 'f', qualifier: '$LATEST', maximumRetryAttempts: 0, maximumBatchingWindowS: 1.5 });
    expect(latest.json.state).toBe('Disabled');
    const hooked = await patch(id, { destinations: { onFailure: { type: 'webhook', url: dlq.url } } });
    expect(hooked.status, hooked.text).toBe(200);
    expect(hooked.json.webhookSecret).toMatch(/\S{16,}/);
    const moved = await patch(id, { destinations: { onFailure: { type: 'webhook', url: `${dlq.url}/2` } } });
    expect(moved.json.destinations).toEqual({ onFailure: { type: 'webhook', url: `${dlq.url}/2` } });
    expect(moved.json.webhookSecret).toBeUndefined();
    const cleared = await patch(id, { destinations: {}, functionResponseTypes: ['ReportBatchItemFailures'] });
    expect(cleared.json).toMatchObject({ destinations: {}, functionResponseTypes: ['ReportBatchItemFailures'] });
    expect(Date.parse(cleared.json.lastModified)).toBeGreaterThan(Date.parse(before.lastModified));
    for (const x of [id, hook.json.id]) await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${x}`);
  });

  it('Lambda API: UpdateEventSourceMapping changes FunctionName and settings in Lambda names; a qualified FunctionName lists that qualifier only', async () => {
    const stream = unique('aws-update');
    const make = async (FunctionName: string) =>
      (
        await lambda.send(
          new CreateEventSourceMappingCommand({
            FunctionName,
            SelfManagedEventSource: { Endpoints: { REDIS: [BROKERS.redis] } as never },
            Topics: [stream],
            Enabled: false,
          }),
        )
      ).UUID!;
    const onLive = await make('f:live');
    const onOne = await make('f:1');
    const onLatest = await make('f');
    const arn = `arn:aws:lambda:us-east-1:${accountId}:function:f`;
    const listed = async (FunctionName: string) =>
      ((await lambda.send(new ListEventSourceMappingsCommand({ FunctionName }))).EventSourceMappings ?? []).map((m) => m.UUID).sort();
    expect(await listed('f:live')).toEqual([onLive]);
    expect(await listed(`${arn}:live`)).toEqual([onLive]);
    expect(await listed('f:1')).toEqual([onOne]);
    expect(await listed('f:$LATEST')).toEqual([onLatest]);
    expect(await listed('f')).toEqual([onLive, onOne, onLatest].sort());
    expect(await listed('f:2')).toEqual([]);

    const updated = await lambda.send(
      new UpdateEventSourceMappingCommand({
        UUID: onLive,
        FunctionName: 'f:1',
        BatchSize: 7,
        MaximumBatchingWindowInSeconds: 2,
        MaximumRetryAttempts: 1,
        ScalingConfig: { MaximumConcurrency: 3 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: `arn:aws:lambda:us-east-1:${accountId}:function:g` } },
      }),
    );
    expect(updated.$metadata.httpStatusCode).toBe(202);
    expect(updated).toMatchObject({
      UUID: onLive,
      FunctionArn: `${arn}:1`,
      BatchSize: 7,
      MaximumBatchingWindowInSeconds: 2,
      MaximumRetryAttempts: 1,
      ScalingConfig: { MaximumConcurrency: 3 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: `arn:aws:lambda:us-east-1:${accountId}:function:g` } },
      State: 'Disabled',
      Topics: [stream],
    });
    expect(await listed('f:live')).toEqual([]);
    expect(await listed('f:1')).toEqual([onLive, onOne].sort());
    // Onto another function by ARN ($LATEST), the destination removed, item failures off; then enabled.
    const moved = await lambda.send(
      new UpdateEventSourceMappingCommand({
        UUID: onLive,
        FunctionName: `arn:aws:lambda:us-east-1:${accountId}:function:g`,
        DestinationConfig: { OnFailure: {} },
        FunctionResponseTypes: [],
        Enabled: true,
      }),
    );
    expect(moved).toMatchObject({
      FunctionArn: `arn:aws:lambda:us-east-1:${accountId}:function:g`,
      FunctionResponseTypes: [],
      BatchSize: 7,
    });
    expect(moved.DestinationConfig?.OnFailure?.Destination).toBeUndefined();
    expect(['Enabling', 'Enabled']).toContain(moved.State);
    expect((await get(onLive)).functionName).toBe('g');

    const before = await lambda.send(new GetEventSourceMappingCommand({ UUID: onOne }));
    await expect(lambda.send(new UpdateEventSourceMappingCommand({ UUID: onOne, BatchSize: 0 }))).rejects.toThrow(
      InvalidParameterValueException,
    );
    await expect(lambda.send(new UpdateEventSourceMappingCommand({ UUID: onOne, FunctionName: 'nobody' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    await expect(lambda.send(new UpdateEventSourceMappingCommand({ UUID: onOne, FunctionName: 'f:nope' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    await expect(
      lambda.send(new UpdateEventSourceMappingCommand({ UUID: onOne, FunctionName: `arn:aws:lambda:us-east-1:${other.id}:function:g2` })),
    ).rejects.toThrow(ResourceNotFoundException);
    await expect(
      lambda.send(new UpdateEventSourceMappingCommand({ UUID: '00000000-0000-4000-8000-000000000000', BatchSize: 5 })),
    ).rejects.toThrow(ResourceNotFoundException);
    // The SDK drops members the operation lacks; a raw request naming the source is refused by name.
    for (const body of [{ Topics: ['another'] }, { StartingPosition: 'LATEST' }, { FilterCriteria: { Filters: [] } }]) {
      const r = await rawAws('PUT', `/2015-03-31/event-source-mappings/${onOne}`, body);
      expect([r.statusCode, r.headers['x-amzn-errortype']], JSON.stringify(body)).toEqual([400, 'InvalidParameterValueException']);
    }
    const topics = await rawAws('PUT', `/2015-03-31/event-source-mappings/${onOne}`, { Topics: ['another'] });
    expect(topics.json().message ?? topics.json().Message).toMatch(/Topics: the source .* cannot change/);
    const after = await lambda.send(new GetEventSourceMappingCommand({ UUID: onOne }));
    expect({ ...after, $metadata: null }).toEqual({ ...before, $metadata: null });
    for (const id of [onLive, onOne, onLatest]) await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${id}`);
  });

  it('a request restating what the mapping has writes nothing and leaves its poller running; a version number is kept as its number', async () => {
    const stream = unique('restate');
    const m = await create({
      functionName: 'f',
      qualifier: 'live',
      source: { type: 'redis', url: BROKERS.redis, stream },
      batchSize: 3,
      destinations: { onFailure: { type: 'webhook', url: dlq.url } },
    });
    expect(m.status, m.text).toBe(201);
    const id = m.json.id as string;
    await enabled(id);
    const before = await get(id);
    // Everything as it is (Terraform sends every setting on each apply; `enabled: true` on an enabled mapping).
    const restated = await patch(id, {
      functionName: 'f',
      qualifier: 'live',
      batchSize: 3,
      maximumBatchingWindowS: before.maximumBatchingWindowS,
      maximumRetryAttempts: before.maximumRetryAttempts,
      functionResponseTypes: before.functionResponseTypes,
      destinations: { onFailure: { type: 'webhook', url: dlq.url } },
      enabled: true,
    });
    expect(restated.status, restated.text).toBe(200);
    // Not Updating or Enabling: no change for the poller to follow, and no new signing secret.
    expect(restated.json.state).toBe('Enabled');
    expect(restated.json.lastModified).toBe(before.lastModified);
    expect(restated.json.webhookSecret).toBeUndefined();
    const aws = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, Enabled: true, BatchSize: 3 }));
    expect(aws.State).toBe('Enabled');
    expect((await get(id)).lastModified).toBe(before.lastModified);

    // `01` names version 1: kept as `1`, as schedules and event-invoke configurations keep it, and listed by `f:1`.
    const one = await patch(id, { qualifier: '01' });
    expect(one.json).toMatchObject({ functionName: 'f', qualifier: '1' });
    expect(Date.parse(one.json.lastModified)).toBeGreaterThan(Date.parse(before.lastModified));
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'f:1' }));
    expect(listed.EventSourceMappings?.map((x) => x.UUID)).toContain(id);
    const made = await create({
      functionName: 'f',
      qualifier: '001',
      source: { type: 'redis', url: BROKERS.redis, stream: unique('one') },
    });
    expect(made.json.qualifier).toBe('1');
    for (const x of [id, made.json.id]) await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${x}`);
  });

  it('the outcome of a batch a change let its poller finish is written: a function that failed in it shows in lastProcessingResult', async () => {
    const failing = makeZip([
      {
        name: 'index.js',
        data: 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 400)); throw new Error("boom"); };',
      },
    ]);
    await deploy(t.base, key, 'fails', failing, { handler: 'index.handler' });
    const stream = unique('finish-report');
    const redis = redisClient();
    try {
      const m = await create({
        functionName: 'fails',
        source: { type: 'redis', url: BROKERS.redis, stream },
        batchSize: 1,
        maximumRetryAttempts: 0,
      });
      expect(m.status, m.text).toBe(201);
      const id = m.json.id as string;
      await enabled(id);
      const before = (await get(id)).lastProcessingResult as string;
      expect(before).not.toMatch(/^PROBLEM/);
      const from = started;
      await redis.xadd(stream, '*', 'body', JSON.stringify({ n: 1 }));
      await until('the batch started', async () => started > from);
      // While the function runs (400 ms), a change: its poller finishes that batch, then stops for the next one.
      const changed = await patch(id, { batchSize: 2 });
      expect(changed.status, changed.text).toBe(200);
      await until('the change applied', async () => (await get(id)).state === 'Enabled', 30_000);
      await until('nothing pending', async () => ((await redis.xpending(stream, `tally-${id}`)) as [number])[0] === 0);
      await until('the failed batch reported', async () => /^PROBLEM/.test((await get(id)).lastProcessingResult), 5_000);
      expect((await get(id)).lastProcessingResult).toMatch(/^PROBLEM: .*records dropped \(no failure destination\)$/);
      await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${id}`);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });
});
