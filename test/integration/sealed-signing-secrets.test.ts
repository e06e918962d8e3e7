import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { createSourcesRepository } from '../../src/modules/sources/sources.repository.js';
import { bearer } from '../helpers/app.js';
import { burn, createBudget, payingTenant, startReceiver, verifySignature } from '../helpers/budgets.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeZip } from '../helpers/functions.js';
import { type Replica, startReplica } from '../helpers/replicas.js';

/**
 * The webhook signing secrets (budgets, event-invoke-configs, event source mappings, destination
 * deliveries) are stored sealed with TALLY_SECRET_KEY: a copy of the database does not sign webhooks.
 * The secret a client is shown, and signs with, is the plaintext, as before.
 */
const box = createSecretBox(randomBytes(32));
const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async (e) => e;\n' }]);
const SEALED = /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/;

let db: TestDatabase;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const start = (d: Db) => startReplica(d, { secretBox: box, webhooks: { allowPrivate: true } }, '2026-11-20T12:00:00.000Z');

/** A tenant with a function, a budget, an event-invoke-config and a mapping, each with a webhook: the secrets each answer showed. */
async function tenantWithWebhooks(app: Replica['app']) {
  const tenant = await payingTenant(app);
  const fn = await app.inject({
    method: 'POST',
    url: '/v1/functions',
    headers: bearer(tenant.accountKey),
    payload: { name: 'fn', runtime: 'nodejs', handler: 'index.handler', zipFile: ZIP.toString('base64') },
  });
  expect(fn.statusCode).toBe(201);
  const budget = await createBudget(app, tenant.accountKey, { amount: '1.00', webhookUrl: receiver.url });
  const config = await app.inject({
    method: 'PUT',
    url: '/v1/functions/fn/event-invoke-config',
    headers: bearer(tenant.accountKey),
    payload: { destinations: { onFailure: { type: 'webhook', url: receiver.url } } },
  });
  expect(config.statusCode).toBe(200);
  const mapping = await app.inject({
    method: 'POST',
    url: '/v1/event-source-mappings',
    headers: bearer(tenant.accountKey),
    payload: {
      functionName: 'fn',
      enabled: false,
      source: { type: 'rabbitmq', url: 'amqp://127.0.0.1:5672/', queue: `q-${randomUUID()}` },
      destinations: { onFailure: { type: 'webhook', url: receiver.url } },
    },
  });
  expect(mapping.statusCode).toBe(201);
  return {
    tenant,
    functionId: fn.json().id as string,
    budget: { id: budget.id, secret: budget.secret },
    configSecret: config.json().webhookSecret as string,
    mapping: { id: mapping.json().id as string, secret: mapping.json().webhookSecret as string },
  };
}

/** Crosses the budget's 50 % and 80 % thresholds and delivers the alerts: the signatures the receiver got. */
async function budgetAlerts(r: Replica, tenant: Awaited<ReturnType<typeof payingTenant>>) {
  receiver.received.length = 0;
  await burn(r.app, tenant, 6, { at: new Date('2026-11-20T11:00:00.000Z') });
  await r.services.budgets.evaluate([tenant.id], 'schedule');
  expect(await r.services.alerts.deliverDue()).toMatchObject({ attempted: 2, delivered: 2 });
  return [...receiver.received];
}

const stored = async (d: Db, accountId: string) =>
  (
    await sql<{ place: string; value: string }>`
      select 'budgets' as place, secret as value from budgets where account_id = ${accountId}
      union all select 'event_invoke_configs', webhook_secret from event_invoke_configs where account_id = ${accountId}
      union all select 'event_source_mappings', webhook_secret from event_source_mappings where account_id = ${accountId}
      union all select 'async_destination_deliveries', webhook_secret from async_destination_deliveries
        where account_id = ${accountId} and webhook_secret is not null
      order by 1`.execute(d)
  ).rows;

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await db?.drop();
});

describe('webhook signing secrets sealed at rest', () => {
  it('stores each secret sealed, shows the plaintext once, and signs deliveries with it', async () => {
    const r = await start(db.db);
    try {
      const w = await tenantWithWebhooks(r.app);
      for (const s of [w.budget.secret, w.configSecret, w.mapping.secret]) expect(s).toMatch(/^whsec_[\w-]{43}$/);
      // A failed batch of the mapping: its delivery carries the mapping's secret, sealed to the delivery.
      await r.services.events.queueSourceFailure({
        accountId: w.tenant.id,
        functionId: w.functionId,
        mappingId: w.mapping.id,
        destination: { type: 'webhook', url: receiver.url },
        key: `${w.mapping.id}:batch-1`,
        body: '{"batch":1}',
        webhookSecret: w.mapping.secret,
      });
      const values = await stored(db.db, w.tenant.id);
      expect(values.map((v) => v.place)).toEqual([
        'async_destination_deliveries',
        'budgets',
        'event_invoke_configs',
        'event_source_mappings',
      ]);
      for (const v of values) {
        expect(v.value, v.place).toMatch(SEALED);
        for (const s of [w.budget.secret, w.configSecret, w.mapping.secret]) expect(v.value).not.toContain(s.slice(6));
      }

      receiver.received.length = 0;
      expect(await r.services.events.deliverDue()).toEqual({ attempted: 1, delivered: 1 });
      expect(verifySignature(w.mapping.secret, receiver.received[0]!)).toBe(true);
      for (const g of await budgetAlerts(r, w.tenant)) expect(verifySignature(w.budget.secret, g)).toBe(true);
      // What the mapping's poller hands its batches (the failure destination's secret) is the plaintext.
      const m = await createSourcesRepository(db.db).find(w.tenant.id, w.mapping.id);
      expect(r.services.sources.openWebhookSecret(m!)).toBe(w.mapping.secret);
    } finally {
      await r.app.close();
    }
  });

  it('a database holding plain secrets (as an earlier release wrote them) has them sealed at start, the same plaintext signing', async () => {
    const w = await (async () => {
      const r = await start(db.db);
      try {
        return await tenantWithWebhooks(r.app);
      } finally {
        await r.app.close();
      }
    })();
    const plain = { budget: `whsec_${'b'.repeat(43)}`, config: `whsec_${'c'.repeat(43)}`, mapping: `whsec_${'m'.repeat(43)}` };
    const plainDelivery = `whsec_${'d'.repeat(43)}`;
    const [withSecret, withoutSecret] = [randomUUID(), randomUUID()];
    await sql`update budgets set secret = ${plain.budget} where id = ${w.budget.id}`.execute(db.db);
    await sql`update event_invoke_configs set webhook_secret = ${plain.config} where account_id = ${w.tenant.id}`.execute(db.db);
    await sql`update event_source_mappings set webhook_secret = ${plain.mapping} where id = ${w.mapping.id}`.execute(db.db);
    // Two deliveries: one with its own secret (a mapping's batch), one signed with the function's config secret.
    for (const [id, secret] of [
      [withSecret, plainDelivery],
      [withoutSecret, null],
    ] as const) {
      await sql`
        insert into async_destination_deliveries (account_id, request_id, function_id, url, body, status, next_attempt_at, give_up_at, webhook_secret)
        values (${w.tenant.id}, ${id}, ${w.functionId}, ${receiver.url}, ${JSON.stringify({ id })}, 'pending', '2026-11-20T11:00:00Z',
                '2026-11-23T11:00:00Z', ${secret})`.execute(db.db);
    }

    // Replicas starting together: each starts; each value is sealed once, in place.
    const replicas = await Promise.all([0, 1, 2].map(() => start(db.db)));
    try {
      const values = await stored(db.db, w.tenant.id);
      expect(values).toHaveLength(4);
      for (const v of values) expect(v.value, v.place).toMatch(SEALED);

      receiver.received.length = 0;
      expect(await replicas[1]!.services.events.deliverDue()).toEqual({ attempted: 2, delivered: 2 });
      const byId = new Map(receiver.received.map((g) => [JSON.parse(g.body).id as string, g]));
      expect(verifySignature(plainDelivery, byId.get(withSecret)!)).toBe(true);
      expect(verifySignature(plain.config, byId.get(withoutSecret)!)).toBe(true);
      for (const g of await budgetAlerts(replicas[2]!, w.tenant)) expect(verifySignature(plain.budget, g)).toBe(true);
      const m = await createSourcesRepository(db.db).find(w.tenant.id, w.mapping.id);
      expect(replicas[0]!.services.sources.openWebhookSecret(m!)).toBe(plain.mapping);
    } finally {
      for (const r of replicas) await r.app.close();
    }
  });
});
