import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../executor/api-client.js';
import type { InvocationLogs } from '../../src/contracts/logs.js';
import { localIngest } from '../../src/modules/executors/local-ingest.js';
import { admin, bearer, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

const local = (key: string) => localIngest({ key, auth: t.services.auth, usage: t.services.usage, logs: t.services.logs });

/** What the local path threw, in the shape of the route's answer. */
async function refusal(call: Promise<unknown>) {
  const err = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  const e = err as ApiError;
  return { status: e.status, code: e.code, details: e.details };
}

function logsOf(accountId: string, overrides: Partial<InvocationLogs> = {}): InvocationLogs {
  return {
    requestId: randomUUID(),
    accountId,
    functionName: 'fn-a',
    architecture: 'x86_64',
    memoryMb: 512,
    lines: [{ seq: 0, timestamp: Date.parse('2026-11-15T10:30:00Z'), message: 'hello' }],
    ...overrides,
  };
}

describe("the in-process executor's ingest answers as POST /v1/usage and POST /v1/logs do", () => {
  it('stores usage through the same service: what it stored, the route sees as duplicates', async () => {
    const a = await newTenant(t.app);
    const events = [usageEvent(a.id), usageEvent(a.id, { durationMs: 3, status: 'error' })];
    expect(await local(a.executorKey).postUsage(events)).toEqual({ accepted: 2, duplicates: 0, conflicts: 0, conflictIds: [] });
    const again = await postUsage(t.app, a.executorKey, events);
    expect(again.json()).toEqual({ accepted: 0, duplicates: 2, conflicts: 0, conflictIds: [] });
  });

  it('refuses a batch with the same status, code and per-event details as the route, so the reporter quarantines the same events', async () => {
    const a = await newTenant(t.app);
    const other = await newTenant(t.app);
    const badShape = [usageEvent(a.id), usageEvent(a.id, { memoryMb: 1 }), usageEvent(a.id, { status: 'odd' as 'success' })];
    const foreign = [usageEvent(a.id), usageEvent(other.id)];
    for (const batch of [badShape, foreign]) {
      const route = await postUsage(t.app, a.executorKey, batch);
      const mine = await refusal(local(a.executorKey).postUsage(batch));
      const { error } = route.json() as { error: { code: string; details: unknown } };
      expect(mine).toEqual({ status: route.statusCode, code: error.code, details: error.details });
      expect(mine.status).toBeGreaterThanOrEqual(400);
    }
    const err = await local(a.executorKey)
      .postUsage(badShape)
      .catch((e: ApiError) => e);
    expect([...(err as ApiError).refusedEvents(badShape.length)!.keys()].sort()).toEqual([1, 2]);
  });

  it('checks the key as the routes do: unknown or revoked 401, another role 403', async () => {
    const a = await newTenant(t.app);
    expect((await refusal(local('tk_not_a_key').postUsage([usageEvent(a.id)]))).status).toBe(401);
    expect(await refusal(local(a.accountKey).postLogs([logsOf(a.id)]))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const made = await t.app.inject({ method: 'POST', url: `/v1/accounts/${a.id}/keys`, headers: admin, payload: { role: 'executor' } });
    const { key, id } = made.json() as { key: string; id: string };
    expect((await local(key).postUsage([usageEvent(a.id)])).accepted).toBe(1);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: admin })).statusCode).toBe(200);
    expect(await refusal(local(key).postUsage([usageEvent(a.id)]))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('stores log lines once, and refuses a malformed batch with a 400 as the route does (the shipper drops it)', async () => {
    const a = await newTenant(t.app);
    const lines = logsOf(a.id);
    expect(await local(a.executorKey).postLogs([lines])).toMatchObject({ accepted: 1, duplicates: 0 });
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: bearer(a.executorKey),
      payload: { invocations: [lines] },
    });
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const malformed = [logsOf(a.id, { lines: [{ seq: -1, timestamp: 0, message: 'x' }] })];
    const route = await t.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: bearer(a.executorKey),
      payload: { invocations: malformed },
    });
    const mine = await refusal(local(a.executorKey).postLogs(malformed));
    expect(mine).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(mine.status).toBe(route.statusCode);
    expect((route.json() as { error: { code: string } }).error.code).toBe(mine.code);
  });
});
