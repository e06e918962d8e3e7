import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { mappingArn } from '../../src/lib/arns.js';
import { uuid7 } from '../../src/lib/uuid7.js';
import { uuidFromKey } from '../../src/modules/async/async.service.js';
import { destinationRecord } from '../../src/modules/async/destination-record.js';
import { databaseBefore } from '../helpers/db.js';

let drop: (() => Promise<void>) | null = null;
afterAll(async () => {
  await drop?.();
});

/**
 * Migration 0098 moves the claim that an event source's failed batch is recorded once out of the record
 * (so that the record can go after the retention) into event_source_failure_claims, kept while the
 * mapping exists (test/integration/record-retention.test.ts). The records an earlier release wrote get
 * their claims: a function destination's event from its source key, a webhook delivery from its key and
 * the mapping's ARN in its body.
 */
describe('migration 0098: the claims of failed batches recorded before it', () => {
  it('claims each with the key the api computes and the mapping it came from, the top-level ARN even when the batch carries one too', async () => {
    const before = await databaseBefore('0098');
    drop = before.drop;
    const { db } = before;
    const account = randomUUID();
    const mapping = randomUUID();
    const lookalike = randomUUID();
    // Records written before TALLY_REGION named the region said `tally`; the claim is read from the ARN's id either way.
    const arnOf = (id: string) => mappingArn({ region: 'tally', accountId: account }, id);
    // A failed batch sent to a function destination: an async event whose source key is the mapping and the batch.
    const functionKey = `${mapping}:${'a1'.repeat(32)}`;
    await sql`
      insert into async_invocations (account_id, id, function_id, function_name, status, source, source_key, chain_depth, max_retries,
                                     created_at, expires_at, due_at, finished_at)
      values (${account}, ${uuid7()}, ${randomUUID()}, 'dlq', 'succeeded', 'event-source', ${functionKey}, 1, 2,
              now(), now(), now(), now())`.execute(db);
    // One sent to a webhook: a delivery keyed by the uuid made from its key, its body as batch-runner.ts writes it;
    // the batch's own messages hold the same field names.
    const webhookKey = `${mapping}:${'b2'.repeat(32)}`;
    const record = JSON.parse(
      destinationRecord({
        requestId: uuid7(),
        region: 'tally',
        accountId: account,
        functionName: 'fn',
        condition: 'RetriesExhausted',
        dispatches: 3,
        at: new Date(),
        requestPayload: Buffer.from(
          JSON.stringify({ eventSourceMappingArn: arnOf(lookalike), itemIdentifiers: ['x'], note: 'a "quoted" value' }),
        ),
        response: { version: 1, functionError: true, payload: Buffer.from('{"errorMessage":"boom"}') },
      }),
    ) as Record<string, unknown>;
    const body = JSON.stringify({ ...record, eventSourceMappingArn: arnOf(mapping), itemIdentifiers: ['1-0', '2-0'] });
    // Another whose batch held a NUL character: JSON carries it as \u0000, which Postgres's json functions refuse.
    const nulKey = `${mapping}:${'c3'.repeat(32)}`;
    const nulBody = JSON.stringify({
      ...record,
      requestPayload: { data: 'a\u0000b' },
      eventSourceMappingArn: arnOf(mapping),
      itemIdentifiers: ['3-0'],
    });
    expect(nulBody).toContain('\\u0000');
    // And an asynchronous invocation's own webhook delivery, keyed by its (version-7) request id: no claim.
    const ownRequest = uuid7();
    for (const [requestId, text] of [
      [uuidFromKey(webhookKey), body],
      [uuidFromKey(nulKey), nulBody],
      [ownRequest, body],
    ] as const) {
      await sql`
        insert into async_destination_deliveries (account_id, request_id, function_id, url, body, status, next_attempt_at, give_up_at)
        values (${account}, ${requestId}, ${randomUUID()}, 'https://hooks.example.com/x', ${text}, 'delivered', now(), now())`.execute(db);
    }

    await migrateToLatest(db);

    const { rows } = await sql<{ id: string; mapping_id: string | null }>`
      select id, mapping_id from event_source_failure_claims where account_id = ${account}`.execute(db);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.mapping_id]))).toEqual({
      [uuidFromKey(functionKey)]: mapping,
      [uuidFromKey(webhookKey)]: mapping,
      [uuidFromKey(nulKey)]: mapping,
    });
  });
});
