import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { createSecretBox, type SecretBox } from '../../src/lib/secret-box.js';
import { DISPATCH_SECRET_CONTEXT } from '../../src/modules/executors/executors.service.js';
import { admin, bearer, newTenant } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeZip } from '../helpers/functions.js';
import { startReplica, type Replica } from '../helpers/replicas.js';

/**
 * Rotating TALLY_SECRET_KEY (docs/operations.md, "Rotating TALLY_SECRET_KEY"): the old keys in
 * TALLY_SECRET_KEY_PREVIOUS only open; every value sealed with one is sealed again with the new key.
 */
const [A, B, C] = [randomBytes(32), randomBytes(32), randomBytes(32)];
const BROKER = 'amqp://user:s3cret@127.0.0.1:5672/';
const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async (e) => e;\n' }]);

/** Every sealed value, by where it is stored, with what it is bound to. */
async function sealedValues(db: Db) {
  const { rows } = await sql<{ place: string; context: string; sealed: string }>`
    select 'access_keys.secret_sealed' as place, id as context, secret_sealed as sealed from access_keys
    union all
    select 'event_source_mappings.url_sealed', id::text, url_sealed from event_source_mappings where url_sealed is not null
    union all
    select 'platform_secrets.sealed', 'platform_secrets:' || name, sealed from platform_secrets
    order by 1, 2`.execute(db);
  return rows;
}

const openAll = (box: SecretBox, values: { context: string; sealed: string }[]) => values.map((v) => box.open(v.sealed, v.context));

async function withReplicas<T>(db: Db, boxes: SecretBox[], fn: (replicas: Replica[]) => Promise<T>): Promise<T> {
  const replicas = await Promise.all(boxes.map((secretBox) => startReplica(db, { secretBox })));
  try {
    return await fn(replicas);
  } finally {
    for (const r of replicas) await r.app.close();
  }
}

describe('rotating TALLY_SECRET_KEY', () => {
  let db: TestDatabase;
  let plain: string[];
  let accessKeyId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Under key A: a dispatch-token secret, SigV4 access keys, a mapping with a broker URL.
    await withReplicas(db.db, [createSecretBox(A)], async ([r]) => {
      const app = r!.app;
      const tenant = await newTenant(app);
      for (let i = 0; i < 3; i++) {
        const k = await app.inject({ method: 'POST', url: `/v1/accounts/${tenant.id}/access-keys`, headers: admin });
        expect(k.statusCode).toBe(201);
        accessKeyId = k.json().accessKeyId;
      }
      const fn = await app.inject({
        method: 'POST',
        url: '/v1/functions',
        headers: bearer(tenant.accountKey),
        payload: { name: 'fn', runtime: 'nodejs', handler: 'index.handler', zipFile: ZIP.toString('base64') },
      });
      expect(fn.statusCode).toBe(201);
      const m = await app.inject({
        method: 'POST',
        url: '/v1/event-source-mappings',
        headers: bearer(tenant.accountKey),
        payload: { functionName: 'fn', enabled: false, source: { type: 'rabbitmq', url: BROKER, queue: `q-${randomUUID()}` } },
      });
      expect(m.statusCode).toBe(201);
    });
    plain = openAll(createSecretBox(A), await sealedValues(db.db));
    expect(plain).toHaveLength(5);
    expect(plain).toContain(BROKER);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('a wrong or missing old key: the start fails naming every value that does not open, and nothing is changed', async () => {
    const before = await sealedValues(db.db);
    for (const box of [createSecretBox(B), createSecretBox(B, [C])]) {
      const failure = await startReplica(db.db, { secretBox: box }).then(
        () => new Error('started'),
        (err: Error) => err,
      );
      expect(failure.message).toMatch(/5 sealed values open with neither TALLY_SECRET_KEY nor TALLY_SECRET_KEY_PREVIOUS/);
      for (const v of before) expect(failure.message).toContain(`${v.place} of ${v.context.replace('platform_secrets:', '')}`);
      expect(await sealedValues(db.db)).toEqual(before);
    }
  });

  it('with key B and previous A, replicas starting together: everything opens and is sealed again with B; then B alone opens it all', async () => {
    await withReplicas(
      db.db,
      [0, 1, 2].map(() => createSecretBox(B, [A])),
      async (replicas) => {
        expect(await replicas[1]!.services.accessKeys.lookup(accessKeyId)).toMatchObject({ accessKeyId });
      },
    );
    const after = await sealedValues(db.db);
    expect(openAll(createSecretBox(B), after)).toEqual(plain);
    expect(() => openAll(createSecretBox(A), after)).toThrow();

    await withReplicas(db.db, [createSecretBox(B)], async ([r]) => {
      expect(await r!.services.accessKeys.lookup(accessKeyId)).toMatchObject({ accessKeyId });
      const dispatch = after.find((v) => v.context === DISPATCH_SECRET_CONTEXT)!;
      expect(createSecretBox(B).open(dispatch.sealed, dispatch.context)).toBe(plain[after.indexOf(dispatch)]);
    });
    expect(await sealedValues(db.db)).toEqual(after); // nothing left to seal again
  });
});
