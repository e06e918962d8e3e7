import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  type LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsyncWorker, startAsyncWorker } from '../../src/jobs/async-worker.js';
import type { EventSources } from '../../src/jobs/event-sources.js';
import type { InvokeService } from '../../src/modules/functions/invoke.service.js';
import { newTenant } from '../helpers/app.js';
import { BROKERS, mappingRoutes, receiver, redisClient, unique, startSourcesJob } from '../helpers/brokers.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';
import { lambdaClientFor } from '../helpers/lambda.js';

const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 }, webhooks: { allowPrivate: true } } });

/** Answers which version ran (its environment differs per version) and under which ARN it was called. */
const CODE = `
exports.handler = async (event, context) => ({
  v: process.env.V,
  version: context.functionVersion,
  arn: context.invokedFunctionArn,
  n: event.Records.map((r) => JSON.parse(r.fields.body).n),
});
`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);

interface Ran {
  requestId: string;
  version: number;
  opts: { version?: number; qualifier?: string };
  result: { v: string; version: string; arn: string; n: number[] };
}
/** What the pollers ran: the real invoke service, watched. */
const ran: Ran[] = [];
const watched: Pick<InvokeService, 'invoke'> = {
  async invoke(accountId, name, payload, opts) {
    const r = await t.services.invoke.invoke(accountId, name, payload, opts);
    ran.push({ requestId: r.requestId, version: r.version, opts, result: JSON.parse(r.payload.toString()) });
    return r;
  },
};
const ranFor = (n: number) => ran.filter((r) => r.result.n?.includes(n));

let job: EventSources;
let worker: AsyncWorker;
let dlq: Awaited<ReturnType<typeof receiver>>;
let key: string;
let accountId: string;
let lambda: LambdaClient;
beforeAll(async () => {
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50, deliveryPollMs: 100 } });
  job = startSourcesJob(t, watched);
  dlq = await receiver();
  const a = await newTenant(t.app);
  key = a.accountKey;
  accountId = a.id;
  lambda = await lambdaClientFor(t.app, t.base, a.id);
});
afterAll(async () => {
  await job?.stop();
  await worker?.stop();
  await dlq?.close();
});

const { create, get, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);

/** A function with version 1 (V=one, 128 MB) and version 2 (V=two, 256 MB) published, and alias `live` on version 1. */
async function twoVersions(name: string) {
  await deploy(t.base, key, name, zip, { handler: 'index.handler', memoryMb: 128, environment: { V: 'one' } });
  expect((await call(t.base, key, 'POST', `/v1/functions/${name}/published-versions`, {})).json.version).toBe(1);
  const changed = await call(t.base, key, 'PATCH', `/v1/functions/${name}/configuration`, { environment: { V: 'two' }, memoryMb: 256 });
  expect(changed.status, changed.text).toBe(200);
  expect((await call(t.base, key, 'POST', `/v1/functions/${name}/published-versions`, {})).json.version).toBe(2);
  await alias(name, { version: 1 });
}
const alias = async (fn: string, body: Record<string, unknown>) => {
  const r = await call(t.base, key, 'PUT', `/v1/functions/${fn}/aliases/live`, body);
  expect(r.status, r.text).toBe(200);
};

/** The memory an invocation was billed at, once its usage record is in. */
const billedMemory = (requestId: string) =>
  until(`usage of ${requestId}`, async () => {
    const { rows } = await sql<{ memory_mb: number }>`
      select memory_mb from usage_events where account_id = ${accountId} and invocation_id = ${requestId}`.execute(t.db.db);
    return rows[0]?.memory_mb;
  });

const mappingsOf = async (fn: string) =>
  (await call(t.base, key, 'GET', `/v1/event-source-mappings?functionName=${fn}`)).json.eventSourceMappings as { id: string }[];

describe('event source mappings on an alias or a published version', { timeout: 90_000 }, () => {
  it('checks the qualifier when the mapping is made: an unknown alias or unpublished version is refused, nothing written', async () => {
    await twoVersions('checked');
    const source = { type: 'redis', url: BROKERS.redis, stream: unique('never') };
    for (const qualifier of ['nope', '3']) {
      const r = await create({ functionName: 'checked', qualifier, source });
      expect([r.status, r.json.error.code]).toEqual([404, 'FUNCTION_NOT_FOUND']);
      expect(r.json.error.message).toBe(`qualifier: function checked has no alias or published version ${qualifier}`);
      expect(r.json.error.requestId).toBeTruthy();
    }
    for (const qualifier of ['12345678901', 'a:b', '']) {
      const r = await create({ functionName: 'checked', qualifier, source });
      expect([r.status, r.json.error.code], qualifier).toEqual([400, 'VALIDATION_FAILED']);
    }
    // Another account's alias of a function of the same name is not this account's.
    const other = await newTenant(t.app);
    await deploy(t.base, other.accountKey, 'mine', zip, { handler: 'index.handler' });
    await call(t.base, other.accountKey, 'POST', '/v1/functions/mine/published-versions', {});
    await call(t.base, other.accountKey, 'PUT', '/v1/functions/mine/aliases/theirs', { version: 1 });
    await deploy(t.base, key, 'mine', zip, { handler: 'index.handler' });
    expect((await create({ functionName: 'mine', qualifier: 'theirs', source })).status).toBe(404);
    expect(await mappingsOf('checked')).toEqual([]);
    expect(await mappingsOf('mine')).toEqual([]);

    // $LATEST is no qualifier; a version by number is kept as such.
    const latest = await create({ functionName: 'checked', qualifier: '$LATEST', source, enabled: false });
    expect([latest.status, latest.json.qualifier]).toEqual([201, '$LATEST']);
    const unqualified = await create({ functionName: 'checked', source, enabled: false });
    expect(unqualified.json.qualifier).toBe('$LATEST');
    const v2 = await create({ functionName: 'checked', qualifier: '2', source, enabled: false });
    expect([v2.status, v2.json.qualifier]).toEqual([201, '2']);
    expect((await get(v2.json.id)).qualifier).toBe('2');
    for (const m of [latest, unqualified, v2]) await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${m.json.id}`);
  });

  it('runs the version the alias names when each batch runs: moved, weighted, then deleted (the batch fails to the destination, never $LATEST)', async () => {
    await twoVersions('canary');
    const stream = unique('alias');
    const redis = redisClient();
    try {
      const m = await create({
        functionName: 'canary',
        qualifier: 'live',
        source: { type: 'redis', url: BROKERS.redis, stream },
        batchSize: 1,
        maximumRetryAttempts: 1,
        destinations: { onFailure: { type: 'webhook', url: dlq.url } },
      });
      expect(m.status, m.text).toBe(201);
      expect(m.json.qualifier).toBe('live');
      await enabled(m.json.id);
      const send = async (n: number) => redis.xadd(stream, '*', 'body', JSON.stringify({ n }));

      // The alias names version 1: that version runs, called through the alias, billed at its memory.
      await send(1);
      const [first] = await until('message 1 ran', async () => (ranFor(1).length ? ranFor(1) : null));
      expect(first!.result).toMatchObject({ v: 'one', version: '1', arn: expect.stringMatching(/:function:canary:live$/) });
      expect(first!.version).toBe(1);
      expect(first!.opts).toMatchObject({ version: 1, qualifier: 'live' });
      expect(await billedMemory(first!.requestId)).toBe(128);

      // Moved to version 2 between batches: the next batch runs version 2.
      await alias('canary', { version: 2 });
      await send(2);
      const [second] = await until('message 2 ran', async () => (ranFor(2).length ? ranFor(2) : null));
      expect(second!.result).toMatchObject({ v: 'two', version: '2', arn: expect.stringMatching(/:function:canary:live$/) });
      expect(second!.version).toBe(2);
      expect(await billedMemory(second!.requestId)).toBe(256);

      // Weighted (version 1, half to version 2): each invocation draws, and reports the version that ran.
      await alias('canary', { version: 1, routing: { version: 2, weight: 0.5 } });
      for (let n = 100; n < 120; n++) await send(n);
      const weighted = await until('20 weighted batches', async () => {
        const got = ran.filter((r) => (r.result.n?.[0] ?? 0) >= 100);
        return got.length >= 20 ? got : null;
      });
      // All 20 on one side would happen once in 2^19.
      expect(new Set(weighted.map((r) => r.result.version))).toEqual(new Set(['1', '2']));
      for (const r of weighted) {
        expect(r.result.v).toBe(r.result.version === '1' ? 'one' : 'two');
        expect(r.version).toBe(Number(r.result.version));
      }

      // Deleted while the mapping names it: the batch does not run (not as $LATEST either), it fails as a
      // function not found, is retried, then goes to the failure destination, and the stream moves on.
      expect((await call(t.base, key, 'DELETE', '/v1/functions/canary/aliases/live')).status).toBe(204);
      const before = ran.length;
      const id3 = await send(3);
      const record = await until('the failure record', async () => {
        const got = dlq.got.map((g) => JSON.parse(g.body)).find((r) => r.eventSourceMappingArn?.endsWith(m.json.id));
        return got ?? null;
      });
      expect(record.requestContext).toMatchObject({
        functionArn: `arn:aws:lambda:us-east-1:${accountId}:function:canary:live`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 2,
      });
      expect(record.responseContext).toBeUndefined();
      expect(record.itemIdentifiers).toEqual([id3]);
      expect(record.requestPayload.Records.map((r: any) => JSON.parse(r.fields.body).n)).toEqual([3]);
      expect(ran.length).toBe(before);
      // Written at the poller's next lease pass.
      const problem = 'PROBLEM: Function not found (Function canary:live was not found); records sent to the failure destination';
      await until('the problem reported', async () => (await get(m.json.id)).lastProcessingResult === problem);
      await until('the entry acknowledged', async () => ((await redis.xpending(stream, `tally-${m.json.id}`)) as [number])[0] === 0);

      // The alias made again (on version 2): the mapping runs it, with no change to the mapping.
      await alias('canary', { version: 2 });
      await send(4);
      const [fourth] = await until('message 4 ran', async () => (ranFor(4).length ? ranFor(4) : null));
      expect(fourth!.result).toMatchObject({ v: 'two', version: '2' });
      await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${m.json.id}`);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });

  it('s3-webhook on an alias: each notification is queued for the version the alias names then; once it is deleted, refused (404)', async () => {
    await twoVersions('notified');
    const m = await create({ functionName: 'notified', qualifier: 'live', source: { type: 's3-webhook' } });
    expect([m.status, m.json.qualifier]).toEqual([201, 'live']);
    const post = () =>
      fetch(m.json.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${m.json.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Records: [{ eventSource: 'minio:s3', s3: { object: { key: 'a.txt' } } }] }),
      });
    const queuedVersion = async (r: Response) => {
      expect(r.status).toBe(202);
      const { requestId } = (await r.json()) as { requestId: string };
      const { rows } = await sql<{ function_version: number | null }>`
        select function_version from async_invocations where account_id = ${accountId} and id = ${requestId}`.execute(t.db.db);
      return rows[0]?.function_version;
    };
    expect(await queuedVersion(await post())).toBe(1);
    await alias('notified', { version: 2 });
    expect(await queuedVersion(await post())).toBe(2);
    expect((await call(t.base, key, 'DELETE', '/v1/functions/notified/aliases/live')).status).toBe(204);
    const refused = await post();
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('FUNCTION_NOT_FOUND');
    expect((await get(m.json.id)).lastProcessingResult).toBe('PROBLEM: Function not found (Function notified:live was not found)');
  });

  it('Lambda API: FunctionName f:live, f:1 and qualified ARNs make mappings on that alias or version, answered with the qualified FunctionArn', async () => {
    await twoVersions('lam');
    const stream = unique('aws-alias');
    const create = (FunctionName: string) =>
      lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName,
          SelfManagedEventSource: { Endpoints: { REDIS: [BROKERS.redis] } as never },
          Topics: [stream],
          Enabled: false,
        }),
      );
    const arn = `arn:aws:lambda:us-east-1:${accountId}:function:lam`;
    const cases: [string, string, string][] = [
      ['lam:live', `${arn}:live`, 'live'],
      ['lam:1', `${arn}:1`, '1'],
      [`${arn}:live`, `${arn}:live`, 'live'],
      [`${accountId}:function:lam:2`, `${arn}:2`, '2'],
      ['lam:$LATEST', arn, '$LATEST'],
      ['lam', arn, '$LATEST'],
    ];
    for (const [FunctionName, FunctionArn, qualifier] of cases) {
      const created = await create(FunctionName);
      expect(created.FunctionArn, FunctionName).toBe(FunctionArn);
      expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID! }))).FunctionArn).toBe(FunctionArn);
      expect((await get(created.UUID!)).qualifier).toBe(qualifier);
    }
    const count = (await mappingsOf('lam')).length;
    expect(count).toBe(cases.length);
    for (const FunctionName of ['lam:nope', 'lam:7', `${arn}:gone`]) {
      await expect(create(FunctionName), FunctionName).rejects.toThrow(ResourceNotFoundException);
    }
    expect((await mappingsOf('lam')).length).toBe(count);
    for (const m of await mappingsOf('lam')) await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${m.id}`);
  });
});
