import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox, isSealed } from '../../src/lib/secret-box.js';
import { bearer, fleetKey } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startReplica, type Replica } from '../helpers/replicas.js';
import { EXECUTOR_TOKEN_CONTEXT } from '../../src/modules/executors/executors.service.js';

/**
 * The bearer token every executor accepts `POST /invoke` with (the api's credential towards it, handed
 * over at registration) is stored sealed with TALLY_SECRET_KEY, as the dispatch-token secret is. Found
 * by a review on 2026-12-07: it was stored plain, so a dump let anyone call every live executor as the api.
 */
describe('the executors invoke tokens', () => {
  let db: TestDatabase;
  let r: Replica;
  const box = createSecretBox(randomBytes(32));

  beforeAll(async () => {
    db = await createTestDatabase();
    r = await startReplica(db.db, { secretBox: box });
  });
  afterAll(async () => {
    await r?.app.close();
    await db?.drop();
  });

  /** Registers a new executor (as ours do, with a base64url token) under a fleet key of its own. */
  async function register() {
    const token = randomBytes(32).toString('base64url');
    const id = randomUUID();
    const res = await r.app.inject({
      method: 'POST',
      url: '/v1/executors/register',
      headers: bearer(await fleetKey(r.app)),
      payload: { id, url: `http://127.0.0.1:1/${id}`, capacity: 1, token },
    });
    expect(res.statusCode).toBe(200);
    return { id, token };
  }
  const stored = async (id: string) =>
    (await sql<{ invoke_token: string }>`select invoke_token from executors where id = ${id}`.execute(db.owner)).rows;

  it('are not stored in plain text', async () => {
    const { id, token } = await register();
    const rows = await stored(id);
    expect(rows[0]!.invoke_token).not.toBe(token);
    expect(isSealed(rows[0]!.invoke_token)).toBe(true);
  });

  it('one an earlier release stored plain is sealed at the next start, its plaintext kept', async () => {
    const { id, token } = await register();
    await sql`update executors set invoke_token = ${token} where id = ${id}`.execute(db.owner); // as before sealing
    const next = await startReplica(db.db, { secretBox: box });
    try {
      const rows = await stored(id);
      expect(isSealed(rows[0]!.invoke_token)).toBe(true);
      expect(box.open(rows[0]!.invoke_token, EXECUTOR_TOKEN_CONTEXT(id))).toBe(token);
    } finally {
      await next.app.close();
    }
  });
});
