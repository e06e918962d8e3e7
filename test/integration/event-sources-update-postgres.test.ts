import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSources } from '../../src/jobs/event-sources.js';
import { newTenant } from '../helpers/app.js';
import { mappingRoutes, type SeenInvocation, watchInvocations, startSourcesJob } from '../helpers/brokers.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';
import { startLogicalPostgres } from '../helpers/logical-postgres.js';

/**
 * Review of "Changing a mapping" (docs/sources.md) for a Postgres source: the batch in flight finishes under the old
 * settings and is acknowledged, and "a change does not add duplicates". A Postgres batch that ends inside a
 * transaction confirms nothing of that transaction; a change arriving then must not make the next poller run the
 * transaction's first changes a second time.
 */
const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 } } });

// A change whose `until` (ms) is in the future fails the whole invocation until then (the batch stays in flight).
const CODE = `
exports.handler = async (event) => {
  for (const r of event.Records) {
    const until = r.dynamodb.NewImage?.until?.N;
    if (until && Date.now() < Number(until)) throw new Error('not yet');
  }
  return {};
};
`;

const seen: SeenInvocation[] = [];
const watched = watchInvocations(() => t.services.invoke, seen);
const deliveredIds = () =>
  seen.filter((s) => s.status === 'success').flatMap((s) => s.event.Records.map((r: any) => Number(r.dynamodb.Keys.id.N)));

let userPg: Awaited<ReturnType<typeof startLogicalPostgres>>;
let user: pg.Client;
let job: EventSources;
let key: string;
beforeAll(async () => {
  userPg = await startLogicalPostgres();
  user = new pg.Client(userPg.url);
  await user.connect();
  const j: EventSources = startSourcesJob(
    t,
    watched(() => j.holder),
  );
  job = j;
  const tenant = await newTenant(t.app);
  key = tenant.accountKey;
  await deploy(t.base, key, 'changes', makeZip([{ name: 'index.js', data: CODE }]));
}, 60_000);
afterAll(async () => {
  await job?.stop();
  await user?.end();
  await userPg?.stop();
});

const { create, get, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);

describe('review: a Postgres mapping changed while a batch inside a transaction runs', { timeout: 60_000 }, () => {
  it('runs each change of the transaction once: the part the old poller ran is not run again by the next', async () => {
    await user.query('create table rows (id int primary key, until bigint)');
    await user.query('alter table rows replica identity full');
    await user.query('create publication rows_pub for table rows');
    const m = await create({
      functionName: 'changes',
      source: { type: 'postgres', url: userPg.url, publication: 'rows_pub' },
      batchSize: 3,
      maximumRetryAttempts: 10,
    });
    expect(m.status, m.text).toBe(201);
    const id = m.json.id as string;
    await enabled(id);
    // One transaction of 9 rows: batches of 3, the first failing (and retried) for 1.5 s, so it is in flight.
    const holdUntil = Date.now() + 1_500;
    await user.query(`insert into rows (id, until) select n, case when n <= 3 then ${holdUntil} end from generate_series(1, 9) n`);
    await until('the first batch failing', async () => seen.some((s) => s.status !== 'success'));
    const changed = await call(t.base, key, 'PATCH', `/v1/event-source-mappings/${id}`, { batchSize: 5 });
    expect(changed.status, changed.text).toBe(200);
    await until('the change applied', async () => (await get(id)).state === 'Enabled', 30_000);
    await until('all nine delivered', async () => new Set(deliveredIds()).size === 9, 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    // Each once, in commit order.
    expect(deliveredIds()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
