import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageEvent } from '../../src/contracts/usage.js';
import { dispatchClaimsOf, signDispatch } from '../../src/modules/executors/dispatch-token.js';
import { ADMIN_KEY, dispatchSecret, fleetKey, newTenant, usageEvent } from '../helpers/app.js';
import { call, usageTotals, useFunctionsApp } from '../helpers/functions.js';

const t = useFunctionsApp({ executor: false });
const adminCall = (method: string, path: string, body?: unknown) => call(t.base, ADMIN_KEY, method, path, body);

/** An event as an executor `executorId` would have spooled it, with the token the api signed at dispatch. */
async function dispatched(executorId: string, e: UsageEvent): Promise<UsageEvent> {
  const token = signDispatch(await dispatchSecret(t.db.db, t.services.secretBox), dispatchClaimsOf(executorId, e, 3));
  return { ...e, dispatchToken: token };
}

describe('one bad event does not hold back a spool segment', () => {
  it('bills the good events at once, quarantines only the bad ones (listed for an admin), and replays them exactly once', async () => {
    const a = await newTenant(t.app);
    const now = new Date().toISOString();
    const key = await fleetKey(t.app);
    const dir = mkdtempSync(join(t.tmp, 'quarantine-'));
    const executorId = randomUUID();
    writeFileSync(join(dir, 'executor-id'), `${executorId}\n`);
    const at = { functionId: 'q', startedAt: now, durationMs: 100 };
    const good = [await dispatched(executorId, usageEvent(a.id, at)), await dispatched(executorId, usageEvent(a.id, at))];
    const unsigned = usageEvent(a.id, at); // no dispatch token: refused (403) once the schema error is out of the way
    const outOfRange = await dispatched(executorId, usageEvent(a.id, { ...at, memoryMb: 100 })); // refused by the schema (400)
    // As a crash would have left them: one segment holding all four, the bad ones in the middle.
    mkdirSync(join(dir, 'spool'), { recursive: true });
    writeFileSync(
      join(dir, 'spool', 'seg-000000000001.jsonl'),
      [good[0], unsigned, outOfRange, good[1]].map((e) => `${JSON.stringify(e)}\n`).join(''),
    );

    const executor = await t.startExecutor({ key, dir });
    await expect.poll(() => usageTotals(t.base, a.accountKey, 'q'), { timeout: 10_000 }).toMatchObject({ requests: 2, billedMs: 200 });
    await expect.poll(() => readdirSync(join(dir, 'spool')).filter((n) => n.startsWith('seg-')).length, { timeout: 5_000 }).toBe(0);
    // Handed to the api's quarantine, then gone from the executor's disk.
    const listed = async () => (await adminCall('GET', `/v1/usage/quarantine?accountId=${a.id}`)).json.entries as Record<string, any>[];
    await expect.poll(async () => (await listed()).length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => readdirSync(join(dir, 'spool', 'quarantine')).length, { timeout: 5_000 }).toBe(0);
    const entries = await listed();
    const byInvocation = new Map(entries.map((e) => [e.invocationId, e]));
    expect(byInvocation.get(unsigned.invocationId)).toMatchObject({ executorId, event: unsigned, replayedAt: null });
    expect(byInvocation.get(unsigned.invocationId)!.reason).toMatch(/DISPATCH_TOKEN_MISSING/);
    expect(byInvocation.get(outOfRange.invocationId)!.reason).toMatch(/VALIDATION_FAILED.*memoryMb/);
    expect(byInvocation.get(outOfRange.invocationId)!.event).toEqual(outOfRange);

    // Counted on the executor: its metric and its stats.
    const metrics = await (await fetch(`${executor.url}/metrics`)).text();
    expect(metrics).toMatch(/^tally_executor_usage_quarantined_total 2$/m);
    expect(executor.stats()).toMatchObject({ usageQuarantined: 2, usageQuarantineWaiting: 0, usageHeld: 0 });

    // Replayed by an admin: billed once, however often it is asked.
    const unsignedEntry = byInvocation.get(unsigned.invocationId)!;
    const replayed = await adminCall('POST', `/v1/usage/quarantine/${unsignedEntry.id}/replay`, {
      reason: 'ran on our executor before keys were bound',
    });
    expect(replayed.status, replayed.text).toBe(200);
    expect(replayed.json).toMatchObject({ outcome: 'accepted', result: { accepted: 1 } });
    const again = await adminCall('POST', `/v1/usage/quarantine/${unsignedEntry.id}/replay`, { reason: 'twice' });
    expect([again.status, again.json.error.code]).toEqual([409, 'QUARANTINE_ALREADY_REPLAYED']);
    expect(await usageTotals(t.base, a.accountKey, 'q')).toMatchObject({ requests: 3 });

    // An invalid one needs a correction; the correction is audited with who and why.
    const rangeEntry = byInvocation.get(outOfRange.invocationId)!;
    const invalid = await adminCall('POST', `/v1/usage/quarantine/${rangeEntry.id}/replay`, { reason: 'as is' });
    expect([invalid.status, invalid.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(invalid.json.error.message).toMatch(/^event\.memoryMb/);
    const corrected = await adminCall('POST', `/v1/usage/quarantine/${rangeEntry.id}/replay`, {
      set: { memoryMb: 128 },
      reason: 'configured memory was 128 MB',
    });
    expect(corrected.json).toMatchObject({ outcome: 'accepted', event: { memoryMb: 128 } });
    expect(await usageTotals(t.base, a.accountKey, 'q')).toMatchObject({ requests: 4 });
    const audit = await adminCall('GET', `/v1/audit?accountId=${a.id}&action=usage.quarantine_replayed`);
    expect(audit.json.entries.map((e: { reason: string }) => e.reason).sort()).toEqual([
      'configured memory was 128 MB',
      'ran on our executor before keys were bound',
    ]);

    // An event reported again after it was billed is a duplicate when replayed: never billed twice.
    const report = await call(t.base, key, 'POST', '/v1/usage/quarantine', {
      entries: [
        { event: good[0], reason: 'test' },
        { event: good[0], reason: 'test' },
      ],
    });
    expect(report.json).toEqual({ stored: 1, duplicates: 1 });
    const copy = (await listed()).find((e) => e.invocationId === good[0]!.invocationId)!;
    const duplicate = await adminCall('POST', `/v1/usage/quarantine/${copy.id}/replay`, { reason: 'check' });
    expect(duplicate.json).toMatchObject({ outcome: 'duplicate' });
    expect(await usageTotals(t.base, a.accountKey, 'q')).toMatchObject({ requests: 4 });
    const waiting = await adminCall('GET', `/v1/usage/quarantine?accountId=${a.id}&replayed=false`);
    expect(waiting.json.entries).toEqual([]);
    expect(existsSync(join(dir, 'spool', 'rejected'))).toBe(false);
  });

  it("refuses a scoped executor key's report of another account's events: its key could never have billed them, and a replay would", async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    const own = usageEvent(a.id, { functionId: 'q', durationMs: 100 });
    const foreign = usageEvent(b.id, { functionId: 'q', durationMs: 900_000, memoryMb: 10_240 });
    const report = await call(t.base, a.executorKey, 'POST', '/v1/usage/quarantine', {
      entries: [
        { event: own, reason: 'VALIDATION_FAILED: startedAt' },
        { event: foreign, reason: 'VALIDATION_FAILED: startedAt' },
      ],
    });
    expect(report.status, report.text).toBe(403);
    expect(report.json.error).toMatchObject({ code: 'FORBIDDEN', details: [{ index: 1, field: 'accountId' }] });
    // Nothing of the report was stored, so nothing of it can be replayed onto b's bill.
    for (const account of [a, b]) {
      expect((await adminCall('GET', `/v1/usage/quarantine?accountId=${account.id}`)).json.entries).toEqual([]);
    }
    expect(await usageTotals(t.base, b.accountKey, 'q')).toMatchObject({ requests: 0 });
    // Its own account's events (and events whose account cannot be read) are taken as before.
    const mine = await call(t.base, a.executorKey, 'POST', '/v1/usage/quarantine', {
      entries: [
        { event: own, reason: 'VALIDATION_FAILED: startedAt' },
        { event: 'not an event', reason: 'VALIDATION_FAILED' },
      ],
    });
    expect(mine.json).toEqual({ stored: 2, duplicates: 0 });
  });

  it('pages through the list by a cursor that holds once retention removed the entry it ended on, and names the reporting key', async () => {
    const a = await newTenant(t.app);
    const events = [1, 2, 3, 4].map((n) => usageEvent(a.id, { functionId: `page${n}`, durationMs: n }));
    // One report per entry, so that each has a receipt of its own (oldest first is the list's order).
    for (const event of events) {
      const r = await call(t.base, a.executorKey, 'POST', '/v1/usage/quarantine', { entries: [{ event, reason: 'VALIDATION_FAILED' }] });
      expect(r.json).toEqual({ stored: 1, duplicates: 0 });
    }
    const page = async (after?: string) =>
      (await adminCall('GET', `/v1/usage/quarantine?accountId=${a.id}&limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`)).json;
    const first = await page();
    expect(first.entries.map((e: { event: UsageEvent }) => e.event.functionId)).toEqual(['page1', 'page2']);
    expect(first.entries[0].keyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof first.next).toBe('string');
    // The entry the page ended on goes (as retention removes a replayed one) before the next page is read.
    await t.db.owner
      .deleteFrom('usage_quarantine' as never)
      .where('id' as never, '=', first.entries[1].id as never)
      .execute();
    const second = await page(first.next);
    expect(second.entries.map((e: { event: UsageEvent }) => e.event.functionId)).toEqual(['page3', 'page4']);
    // An entry id, as earlier releases answered in `next`, still pages from that entry while it is there.
    const legacy = await page(second.entries[0].id);
    expect(legacy.entries.map((e: { event: UsageEvent }) => e.event.functionId)).toEqual(['page4']);
    expect(legacy.next).toBeNull();
    const bad = await adminCall('GET', '/v1/usage/quarantine?after=not-a-cursor');
    expect([bad.status, bad.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('lists and replays for admins only', async () => {
    const a = await newTenant(t.app);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/usage/quarantine')).status).toBe(403);
    expect((await call(t.base, a.executorKey, 'GET', '/v1/usage/quarantine')).status).toBe(403);
    expect((await call(t.base, a.executorKey, 'POST', `/v1/usage/quarantine/${randomUUID()}/replay`, { reason: 'x' })).status).toBe(403);
    expect((await adminCall('POST', `/v1/usage/quarantine/${randomUUID()}/replay`, { reason: 'x' })).json.error.code).toBe(
      'QUARANTINE_ENTRY_NOT_FOUND',
    );
  });
});
