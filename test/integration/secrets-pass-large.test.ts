import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { SIGNING_SECRET_CONTEXT, newSigningSecret } from '../../src/lib/webhooks.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startReplica } from '../helpers/replicas.js';

/**
 * The secrets pass reads every sealed value at every start (src/app.ts, an onReady hook). Found by a
 * review on 2026-12-07: it ran under Fastify's 10 s plugin timeout, and paged each column by its key as
 * text, which no index serves, so every page scanned and sorted the whole table. 150,000 destination
 * deliveries (never pruned: every failed batch of a mapping with a webhook failure destination adds one)
 * made every start fail with FST_ERR_HOOK_TIMEOUT. Now each page is an index range, and the hook has
 * minutes: 100,000 rows took 34 s with the old paging and 4 s with the new (docs/operations.md).
 */
const KEY = randomBytes(32);
const ROWS = Number(process.env.TALLY_TEST_SEALED_ROWS ?? 100_000);

describe('the secrets pass at start, on a deployment with many sealed delivery secrets', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    const box = createSecretBox(KEY);
    const account = randomUUID();
    const fn = randomUUID();
    for (let done = 0; done < ROWS; ) {
      const n = Math.min(10_000, ROWS - done);
      const ids = Array.from({ length: n }, () => randomUUID());
      const secrets = ids.map((id) => box.seal(newSigningSecret(), SIGNING_SECRET_CONTEXT.delivery(account, id)));
      await sql`
        insert into async_destination_deliveries (account_id, request_id, function_id, url, body, status, attempts,
                                                  next_attempt_at, give_up_at, delivered_at, webhook_secret)
        select ${account}::uuid, r, ${fn}::uuid, 'https://example.com/hook', '{}', 'delivered', 1, now(), now(), now(), s
        from unnest(${ids}::uuid[], ${secrets}::text[]) as t(r, s)`.execute(db.owner);
      done += n;
    }
    await sql`analyze async_destination_deliveries`.execute(db.owner);
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('an api with the right key still starts', async () => {
    const started = Date.now();
    let error: unknown = null;
    try {
      const r = await startReplica(db.db, { secretBox: createSecretBox(KEY) });
      await r.app.close();
    } catch (err) {
      error = err;
    }
    const ms = Date.now() - started;
    expect(error === null ? null : String(error), `start took ${ms} ms`).toBeNull();
  }, 300_000);
});
