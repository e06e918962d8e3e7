import { CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsyncWorker, startAsyncWorker } from '../../src/jobs/async-worker.js';
import type { EventSources } from '../../src/jobs/event-sources.js';
import { admin, newTenant } from '../helpers/app.js';
import { receiver, type SeenInvocation, watchInvocations, mappingRoutes, startSourcesJob } from '../helpers/brokers.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';
import { startLogicalPostgres } from '../helpers/logical-postgres.js';

const LEASE_MS = 1_500;
const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 }, webhooks: { allowPrivate: true } } });

// A change whose new name is "poison" fails (reported by SequenceNumber); one whose `until` (ms) is in
// the future fails the whole invocation until then.
const CODE = `
exports.handler = async (event) => {
  for (const r of event.Records) {
    const until = r.dynamodb.NewImage?.until?.N;
    if (until && Date.now() < Number(until)) throw new Error('not yet');
  }
  return {
    batchItemFailures: event.Records.filter((r) => r.dynamodb.NewImage?.name?.S === 'poison')
      .map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber })),
  };
};
`;

const seen: SeenInvocation[] = [];
/** The real invoke service, watched: what each poller ran and how it ended. */
const watched = watchInvocations(() => t.services.invoke, seen);

/** Records of a table whose invocation succeeded and that the function did not report failed, in delivery order. */
function delivered(table: string): any[] {
  return seen
    .filter((s) => s.status === 'success')
    .flatMap((s) => {
      const failed = new Set((s.result?.batchItemFailures ?? []).map((f: any) => f.itemIdentifier));
      return s.event.Records.filter((r: any) => r.eventSourceARN.includes(`/public.${table}/`) && !failed.has(r.dynamodb.SequenceNumber));
    });
}
const ids = (records: any[]) => records.map((r) => Number(r.dynamodb.Keys.id.N));

let userPg: Awaited<ReturnType<typeof startLogicalPostgres>>;
let user: pg.Client;
let worker: AsyncWorker;
let job: EventSources;
let dlq: Awaited<ReturnType<typeof receiver>>;
let key: string;
let accountId: string;

const startJob = () => {
  const j: EventSources = startSourcesJob(
    t,
    watched(() => j.holder),
    { leaseMs: LEASE_MS },
  );
  return j;
};

beforeAll(async () => {
  userPg = await startLogicalPostgres();
  user = new pg.Client(userPg.url);
  await user.connect();
  worker = startAsyncWorker({ events: t.services.events, log: t.app.log, options: { pollMs: 50, deliveryPollMs: 100 } });
  job = startJob();
  dlq = await receiver();
  const tenant = await newTenant(t.app);
  key = tenant.accountKey;
  accountId = tenant.id;
  await deploy(t.base, key, 'changes', makeZip([{ name: 'index.js', data: CODE }]));
}, 60_000);
afterAll(async () => {
  await job?.stop();
  await worker?.stop();
  await dlq?.close();
  await user?.end();
  await userPg?.stop();
});

const { create, get, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);
const slotOf = async (slot: string) =>
  (await user.query('select active, confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1', [slot])).rows[0];

/** A table with REPLICA IDENTITY FULL, its publication, and a mapping streaming it. */
async function table(name: string, mapping: Record<string, unknown> = {}) {
  await user.query(
    `create table ${name} (id int primary key, name text, score numeric, tags text[], doc jsonb, ok boolean, raw bytea, until bigint)`,
  );
  await user.query(`alter table ${name} replica identity full`);
  await user.query(`create publication ${name}_pub for table ${name}`);
  const m = await create({
    functionName: 'changes',
    source: { type: 'postgres', url: userPg.url, publication: `${name}_pub` },
    batchSize: 10,
    maximumBatchingWindowS: 0.2,
    ...mapping,
  });
  expect(m.status, JSON.stringify(m.json)).toBe(201);
  await enabled(m.json.id);
  return m.json;
}

describe('postgres event source: logical replication as DynamoDB Streams records', { timeout: 60_000 }, () => {
  it('INSERT, MODIFY and REMOVE with new and old images; batches in commit order; the slot is made and confirmed', async () => {
    const m = await table('items');
    expect(m.source).toMatchObject({ type: 'postgres', publication: 'items_pub', slot: `tally_${m.id.replace(/-/g, '')}` });
    expect(m.source.url).not.toContain('logical-test');
    expect((await slotOf(m.source.slot)).active).toBe(true);

    await user.query(`insert into items values (1, 'a', 1.5, '{x,"y z",NULL}', '{"k": [1, true, null], "s": "v"}', true, '\\xdead', null)`);
    await user.query(`update items set name = 'b', ok = false where id = 1`);
    await user.query(`delete from items where id = 1`);
    // 25 rows in one transaction and 5 in another: batches of at most 10, in commit order.
    await user.query(`begin; insert into items (id, name) select n, 'r' || n from generate_series(100, 124) n; commit`);
    await user.query(`insert into items (id, name) select n, 'r' || n from generate_series(200, 204) n`);
    await until('33 changes delivered', async () => delivered('items').length >= 33);
    const records = delivered('items');
    expect(records.map((r) => r.eventName).slice(0, 3)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [ins, mod, rem] = records;
    const image1 = {
      id: { N: '1' },
      name: { S: 'a' },
      score: { N: '1.5' },
      tags: { L: [{ S: 'x' }, { S: 'y z' }, { NULL: true }] },
      doc: { M: { k: { L: [{ N: '1' }, { BOOL: true }, { NULL: true }] }, s: { S: 'v' } } },
      ok: { BOOL: true },
      raw: { B: Buffer.from('dead', 'hex').toString('base64') },
      until: { NULL: true },
    };
    expect(ins).toMatchObject({
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:dynamodb:us-east-1:${accountId}:table/public.items/stream/${m.id}`,
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
      dynamodb: { Keys: { id: { N: '1' } }, NewImage: image1, StreamViewType: 'NEW_AND_OLD_IMAGES', SizeBytes: expect.any(Number) },
    });
    expect(ins.dynamodb.OldImage).toBeUndefined();
    expect(Math.abs(ins.dynamodb.ApproximateCreationDateTime - Date.now() / 1000)).toBeLessThan(60);
    expect(mod.dynamodb).toMatchObject({
      Keys: { id: { N: '1' } },
      OldImage: image1,
      NewImage: { ...image1, name: { S: 'b' }, ok: { BOOL: false } },
    });
    expect(rem.dynamodb).toMatchObject({ Keys: { id: { N: '1' } }, OldImage: { ...image1, name: { S: 'b' }, ok: { BOOL: false } } });
    expect(rem.dynamodb.NewImage).toBeUndefined();

    // Commit order, SequenceNumbers increasing, eventIDs unique; no batch above batchSize.
    expect(ids(records.slice(3))).toEqual([...Array.from({ length: 25 }, (_, i) => 100 + i), 200, 201, 202, 203, 204]);
    const seq = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    expect(seq.every((s, i) => i === 0 || s > seq[i - 1]!)).toBe(true);
    expect(new Set(records.map((r) => r.eventID)).size).toBe(records.length);
    const batches = seen.filter((s) => s.event.Records.some((r: any) => r.eventSourceARN.includes('/public.items/')));
    expect(Math.max(...batches.map((b) => b.event.Records.length))).toBeLessThanOrEqual(10);

    // Confirmed once done: the slot's position reaches the last commit, and the lag (WAL bytes) is measured.
    const walNow = (await user.query('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn;
    await until('slot confirmed to the current WAL position', async () => {
      const r = await user.query(
        'select pg_wal_lsn_diff($1, confirmed_flush_lsn) <= 0 as done from pg_replication_slots where slot_name = $2',
        [walNow, m.source.slot],
      );
      return r.rows[0].done;
    });
    await until('lag measured', async () => typeof (await get(m.id)).lag === 'number');
  });

  it('a transaction larger than the read-ahead (12,000 rows): the socket waits, every change arrives once, in order', async () => {
    await table('bulk', { batchSize: 1000, maximumBatchingWindowS: 0 });
    await user.query(`insert into bulk (id, name) select n, 'row ' || n from generate_series(1, 12000) n`);
    await until('12,000 delivered', async () => delivered('bulk').length >= 12_000, 45_000);
    expect(ids(delivered('bulk'))).toEqual(Array.from({ length: 12_000 }, (_, i) => i + 1));
  });

  it('ReportBatchItemFailures: the retry starts at the first failed change; a poison row reaches the failure destination and the stream moves on', async () => {
    const m = await table('orders', {
      functionResponseTypes: ['ReportBatchItemFailures'],
      maximumRetryAttempts: 1,
      destinations: { onFailure: { type: 'webhook', url: dlq.url } },
    });
    await user.query(`insert into orders (id, name) select n, case when n = 3 then 'poison' else 'ok' end from generate_series(0, 9) n`);
    await until('the poison row at the failure destination', async () => dlq.got.some((g) => g.body.includes(m.id)));
    const record = JSON.parse(dlq.got.find((g) => g.body.includes(m.id))!.body);
    expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 2 });
    expect(ids(record.requestPayload.Records)).toEqual([3]);
    expect(record.itemIdentifiers).toEqual([record.requestPayload.Records[0].dynamodb.SequenceNumber]);
    // Lambda's stream semantics: the retry carried the failed change and every one after it.
    const mine = seen.filter((s) => s.event.Records[0].eventSourceARN.includes('/public.orders/'));
    expect(mine.map((s) => ids(s.event.Records))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [3, 4, 5, 6, 7, 8, 9],
    ]);
    // And on: later changes are delivered.
    await user.query(`insert into orders (id, name) values (10, 'after')`);
    await until('the change after the poison row', async () => ids(delivered('orders')).includes(10));
    expect(new Set(ids(delivered('orders')))).toEqual(new Set([0, 1, 2, 4, 5, 6, 7, 8, 9, 10]));
  });

  it('a poller stopped mid-batch confirms nothing of it: another takes over from the slot and loses nothing; changes after the restart follow', async () => {
    const m = await table('jobs', { maximumRetryAttempts: 10, batchSize: 100 });
    const holdUntil = Date.now() + 4_000;
    await user.query(`insert into jobs (id, name, until) select n, 'held', ${holdUntil} from generate_series(1, 5) n`);
    const failing = await until('the held batch failing', async () =>
      seen.find((s) => s.status !== 'success' && s.event.Records[0].eventSourceARN.includes('/public.jobs/')),
    );
    // Stop this replica's job while the batch waits for a retry: nothing of it is confirmed.
    const commitLsn = BigInt(failing.event.Records[0].dynamodb.SequenceNumber) >> 32n;
    const firstHolder = job.holder;
    await job.stop();
    const [hi, lo] = (await slotOf(m.source.slot)).lsn.split('/');
    expect((BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`)).toBeLessThanOrEqual(commitLsn);
    await until('the slot released', async () => (await slotOf(m.source.slot)).active === false);
    job = startJob();
    await user.query(`insert into jobs (id, name) values (6, 'after restart')`);
    await until('all six delivered by the new poller', async () => new Set(ids(delivered('jobs'))).size === 6, 30_000);
    const ok = seen.filter((s) => s.status === 'success' && s.event.Records[0].eventSourceARN.includes('/public.jobs/'));
    expect(new Set(ok.map((s) => s.holder))).toEqual(new Set([job.holder]));
    expect(job.holder).not.toBe(firstHolder);
    expect(ids(delivered('jobs'))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('the replication connection cut mid-batch: the batch is not confirmed on a dead connection, it comes again with the same eventIDs', async () => {
    const m = await table('cut', { maximumRetryAttempts: 10, batchSize: 100 });
    await user.query(`insert into cut (id, name, until) select n, 'held', ${Date.now() + 4_000} from generate_series(1, 5) n`);
    await until('the held batch failing', async () =>
      seen.some((s) => s.status !== 'success' && s.event.Records[0].eventSourceARN.includes('/public.cut/')),
    );
    // As a database restart or a network cut would: the walsender ends, the poller's batch goes on.
    await user.query('select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1', [m.source.slot]);
    await user.query(`insert into cut (id, name) values (6, 'after the cut')`);
    await until('all six delivered', async () => new Set(ids(delivered('cut'))).size === 6, 30_000);
    const records = delivered('cut');
    // The first session's success was never confirmed: the second delivered the held rows again (at least once).
    expect(records.length).toBeGreaterThan(6);
    const eventIds = new Map<number, Set<string>>();
    for (const r of records)
      eventIds.set(Number(r.dynamodb.Keys.id.N), (eventIds.get(Number(r.dynamodb.Keys.id.N)) ?? new Set()).add(r.eventID));
    expect([...eventIds.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('validation; deleting the mapping drops the slot Tally made, but not one the user named', async () => {
    await user.query('create table misc (id int primary key)');
    await user.query('create publication misc_pub for table misc');
    const bad = [
      [{ type: 'postgres', url: userPg.url }, 'source.publication is required'],
      [{ type: 'postgres', url: 'http://127.0.0.1/x', publication: 'misc_pub' }, 'postgres://'],
      [{ type: 'postgres', url: userPg.url, publication: 'nope_pub' }, 'no publication named nope_pub'],
      [{ type: 'postgres', url: userPg.url, publication: 'misc_pub', stream: 's' }, 'source.stream does not apply'],
      [{ type: 'postgres', url: userPg.url.replace(/:\d+\//, ':1/'), publication: 'misc_pub' }, 'cannot connect'],
    ] as const;
    for (const [source, message] of bad) {
      const r = await create({ functionName: 'changes', source });
      expect([r.status, r.json.error?.code], JSON.stringify(source)).toEqual([400, 'VALIDATION_FAILED']);
      expect(r.json.error.message).toContain(message);
    }

    const m = (await create({ functionName: 'changes', source: { type: 'postgres', url: userPg.url, publication: 'misc_pub' } })).json;
    await enabled(m.id);
    expect((await slotOf(m.source.slot)).active).toBe(true);
    const del = await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${m.id}`);
    expect([del.status, del.json.state, del.json.lastProcessingResult]).toEqual([202, 'Deleting', expect.not.stringContaining('PROBLEM')]);
    expect(await slotOf(m.source.slot)).toBeUndefined();
    // The poller that streamed from it stops at its lease pass and does not make the slot again.
    await until('poller stopped', async () => !job.running().includes(m.id));
    expect(await slotOf(m.source.slot)).toBeUndefined();

    // A slot the user made: LATEST skips what it held before the mapping; deleting the mapping leaves it.
    await user.query(`select pg_create_logical_replication_slot('users_own', 'pgoutput')`);
    await user.query('insert into misc values (1)');
    const own = await create({
      functionName: 'changes',
      source: { type: 'postgres', url: userPg.url, publication: 'misc_pub', slot: 'users_own', startingPosition: 'LATEST' },
    });
    expect(own.status).toBe(201);
    await enabled(own.json.id);
    await user.query('insert into misc values (2)');
    await until('the change after the mapping', async () => ids(delivered('misc')).includes(2));
    expect(ids(delivered('misc'))).toEqual([2]);
    await call(t.base, key, 'DELETE', `/v1/event-source-mappings/${own.json.id}`);
    expect(await slotOf('users_own')).toBeDefined();
  });

  it('through the Lambda API: SelfManagedEventSource POSTGRES, the publication as Topics[0], the slot as ConsumerGroupId', async () => {
    await user.query('create table viaaws (id int primary key)');
    await user.query('create publication viaaws_pub for table viaaws');
    const r = await t.app.inject({ method: 'POST', url: `/v1/accounts/${accountId}/access-keys`, headers: admin });
    const lambda = new LambdaClient({ endpoint: t.base, region: 'us-east-1', credentials: r.json(), maxAttempts: 1 });
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'changes',
        SelfManagedEventSource: { Endpoints: { POSTGRES: [userPg.url] } as never },
        Topics: ['viaaws_pub'],
        SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'viaaws_slot' },
        StartingPosition: 'LATEST',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    expect(created).toMatchObject({
      Topics: ['viaaws_pub'],
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'viaaws_slot' },
      SelfManagedEventSource: { Endpoints: { POSTGRES: [expect.not.stringContaining('logical-test')] } },
    });
    await enabled(created.UUID!);
    await user.query('insert into viaaws values (7)');
    await until('delivered', async () => ids(delivered('viaaws')).includes(7));
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID! }));
    expect(await slotOf('viaaws_slot')).toBeUndefined();
  });
});
