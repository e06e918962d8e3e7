import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { createSecretBox, type SecretBox } from '../../src/lib/secret-box.js';
import { DISPATCH_SECRET_CONTEXT } from '../../src/modules/executors/executors.service.js';
import { createSecretsRepository, SEALED_COLUMNS } from '../../src/modules/secrets/secrets.repository.js';
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
const HOOK = 'http://127.0.0.1:9/hook';
const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async (e) => e;\n' }]);

/** Every sealed value, by where it is stored, with the row's key (as a failed start names it) and what it is bound to. */
async function sealedValues(db: Db) {
  const { rows } = await sql<{ place: string; name: string; context: string; sealed: string }>`
    select 'access_keys.secret_sealed' as place, id as name, id as context, secret_sealed as sealed from access_keys
    union all
    select 'event_source_mappings.url_sealed', id::text, id::text, url_sealed from event_source_mappings where url_sealed is not null
    union all
    select 'platform_secrets.sealed', name, 'platform_secrets:' || name, sealed from platform_secrets
    union all
    select 'budgets.secret', id::text, 'budgets:' || id, secret from budgets
    union all
    select 'event_invoke_configs.webhook_secret', account_id || '/' || function_id || '/' || qualifier_key,
           'event_invoke_configs:' || account_id || '/' || function_id || coalesce(':' || qualifier, ''),
           webhook_secret from event_invoke_configs where webhook_secret is not null
    union all
    select 'event_source_mappings.webhook_secret', id::text, 'event_source_mappings.webhook_secret:' || id, webhook_secret
      from event_source_mappings where webhook_secret is not null
    union all
    select 'async_destination_deliveries.webhook_secret', account_id || '/' || request_id,
           'async_destination_deliveries:' || account_id || '/' || request_id, webhook_secret
      from async_destination_deliveries where webhook_secret is not null
    order by 1, 2`.execute(db);
  return rows;
}

const openAll = (box: SecretBox, values: { place: string; context: string; sealed: string }[]) =>
  values.map((v) => {
    try {
      return box.open(v.sealed, v.context);
    } catch (err) {
      throw new Error(`${v.place} ${v.context}: ${(err as Error).message}`);
    }
  });

async function withReplicas<T>(db: Db, boxes: SecretBox[], fn: (replicas: Replica[]) => Promise<T>): Promise<T> {
  const replicas = await Promise.all(boxes.map((secretBox) => startReplica(db, { secretBox, webhooks: { allowPrivate: true } })));
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
  let webhookSecrets: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    // Under key A: a dispatch-token secret, SigV4 access keys, a mapping with a broker URL; webhook
    // signing secrets of a budget, three event-invoke-configs (one account: a key of three columns; two of
    // one function, its own and its alias's), a mapping's failure destination and one of its deliveries.
    await withReplicas(db.db, [createSecretBox(A)], async ([r]) => {
      const app = r!.app;
      const tenant = await newTenant(app);
      for (let i = 0; i < 3; i++) {
        const k = await app.inject({ method: 'POST', url: `/v1/accounts/${tenant.id}/access-keys`, headers: admin });
        expect(k.statusCode).toBe(201);
        accessKeyId = k.json().accessKeyId;
      }
      const functionIds: string[] = [];
      for (const name of ['fn', 'fn2']) {
        const fn = await app.inject({
          method: 'POST',
          url: '/v1/functions',
          headers: bearer(tenant.accountKey),
          payload: { name, runtime: 'nodejs', handler: 'index.handler', zipFile: ZIP.toString('base64') },
        });
        expect(fn.statusCode).toBe(201);
        functionIds.push(fn.json().id);
      }
      const m = await app.inject({
        method: 'POST',
        url: '/v1/event-source-mappings',
        headers: bearer(tenant.accountKey),
        payload: {
          functionName: 'fn',
          enabled: false,
          source: { type: 'rabbitmq', url: BROKER, queue: `q-${randomUUID()}` },
          destinations: { onFailure: { type: 'webhook', url: HOOK } },
        },
      });
      expect(m.statusCode).toBe(201);
      const budget = await app.inject({
        method: 'POST',
        url: '/v1/budgets',
        headers: bearer(tenant.accountKey),
        payload: { amount: '5.00' },
      });
      expect(budget.statusCode).toBe(201);
      webhookSecrets = [m.json().webhookSecret, budget.json().secret];
      const publish = await app.inject({
        method: 'POST',
        url: '/v1/functions/fn/published-versions',
        headers: bearer(tenant.accountKey),
        payload: {},
      });
      expect(publish.statusCode).toBe(201);
      const alias = await app.inject({
        method: 'PUT',
        url: '/v1/functions/fn/aliases/live',
        headers: bearer(tenant.accountKey),
        payload: { version: 1 },
      });
      expect(alias.statusCode).toBe(200);
      for (const url of [
        '/v1/functions/fn/event-invoke-config',
        '/v1/functions/fn2/event-invoke-config',
        '/v1/functions/fn/event-invoke-config?qualifier=live',
      ]) {
        const c = await app.inject({
          method: 'PUT',
          url,
          headers: bearer(tenant.accountKey),
          payload: { destinations: { onSuccess: { type: 'webhook', url: HOOK } } },
        });
        expect(c.statusCode).toBe(200);
        webhookSecrets.push(c.json().webhookSecret);
      }
      await r!.services.events.queueSourceFailure({
        accountId: tenant.id,
        functionId: functionIds[0]!,
        mappingId: m.json().id,
        destination: { type: 'webhook', url: HOOK },
        key: `${m.json().id}:batch`,
        body: '{}',
        webhookSecret: m.json().webhookSecret,
      });
    });
    plain = openAll(createSecretBox(A), await sealedValues(db.db));
    expect(plain).toHaveLength(11);
    expect(plain).toContain(BROKER);
    for (const s of webhookSecrets) expect(plain).toContain(s);
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
      expect(failure.message).toMatch(/11 sealed values open with neither TALLY_SECRET_KEY nor TALLY_SECRET_KEY_PREVIOUS/);
      for (const v of before) expect(failure.message).toContain(`${v.place} of ${v.name}`);
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

  it('pages every sealed column by its whole key, one row at a time too (three configs of one account, two of one function)', async () => {
    const repo = createSecretsRepository(db.db);
    for (const c of SEALED_COLUMNS) {
      const seen: string[] = [];
      for (let after: string[] | null = null; ; ) {
        const rows = await repo.page(c, after, 1);
        if (rows.length === 0) break;
        seen.push(rows[0]!.key.join('/'));
        after = rows[0]!.key;
      }
      const all = (await sealedValues(db.db)).filter((v) => v.place === `${c.table}.${c.column}`).map((v) => v.name);
      expect(seen.sort(), `${c.table}.${c.column}`).toEqual(all.sort());
    }
  });
});
