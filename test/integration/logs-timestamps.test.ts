import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogShipper } from '../../executor/log-shipper.js';
import type { Log } from '../../executor/runtime/types.js';
import type { InvocationLogs, SpooledLogs } from '../../src/contracts/logs.js';
import { localIngest } from '../../src/modules/executors/local-ingest.js';
import { createLogsRepository } from '../../src/modules/logs/logs.repository.js';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';

// Found by a review: an account-scoped executor key could post lines stamped over ~1,000 distinct days
// (anything within ten years back and a day ahead), and each day made a partition of log_events, a table
// every account shares. Lines older than the account keeps (or TALLY_LOG_MAX_AGE_DAYS), or stamped more
// than a few minutes ahead, are now refused, counted in the answer, and the rest of the batch stored.
const t = useTestApp(new Date().toISOString());
const DAY = 86_400_000;
const MINUTE = 60_000;

function invocation(accountId: string, stamps: number[], functionName = 'fn'): InvocationLogs {
  return {
    requestId: randomUUID(),
    accountId,
    functionName,
    architecture: 'x86_64',
    memoryMb: 512,
    lines: stamps.map((timestamp, seq) => ({ seq, timestamp, message: `line ${seq}` })),
  };
}

async function stored(key: string, functionName = 'fn'): Promise<string[]> {
  const r = await t.app.inject({ method: 'GET', url: `/v1/functions/${functionName}/logs?limit=1000`, headers: bearer(key) });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { events: { message: string }[] }).events.map((e) => e.message);
}

const partitions = () => createLogsRepository(t.db.db).partitionDays();

describe('log line timestamps', () => {
  it('refuses lines spread over a thousand days but the few in the window, and makes no partition for them', async () => {
    const a = await newTenant(t.app);
    const now = t.clock.now().getTime();
    const before = new Set(await partitions());
    // One line a day from 500 days back to 500 days ahead, and three lines of the last minutes.
    const spread = Array.from({ length: 1000 }, (_, i) => now + (i - 500) * DAY + 1234);
    const recent = [now - 3 * MINUTE, now - 2 * MINUTE, now - MINUTE];
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: bearer(a.executorKey),
      payload: { invocations: [invocation(a.id, spread, 'spread'), invocation(a.id, recent)] },
    });
    expect(r.statusCode, r.body).toBe(200);
    // The account keeps 30 days (the default): 500 days back to 30 days back, and every day ahead, are out.
    const inWindow = spread.filter((ts) => ts >= now - 30 * DAY && ts <= now + 5 * MINUTE).length;
    expect(r.json()).toEqual({ accepted: inWindow + 3, duplicates: 0, refused: 0, outOfRange: 1000 - inWindow });
    expect(await stored(a.accountKey)).toEqual(['line 0', 'line 1', 'line 2']);
    const made = (await partitions()).filter((p) => !before.has(p));
    expect(made.length, `partitions made: ${made.join(', ')}`).toBeLessThanOrEqual(32);
  });

  it("bounds by the account's own retention and by TALLY_LOG_MAX_AGE_DAYS, and allows a few minutes of clock skew ahead", async () => {
    const short = await newTenant(t.app);
    const long = await newTenant(t.app);
    for (const [a, days] of [
      [short, 5],
      [long, 3653],
    ] as const) {
      const r = await t.app.inject({
        method: 'PUT',
        url: `/v1/accounts/${a.id}/log-retention`,
        headers: bearer(a.accountKey),
        payload: { days },
      });
      expect(r.statusCode, r.body).toBe(200);
    }
    const now = t.clock.now().getTime();
    const stamps = [now - 40 * DAY, now - 10 * DAY, now - 2 * DAY, now + 30_000, now + 2 * 60 * MINUTE];
    const answers = [];
    for (const a of [short, long]) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: bearer(a.executorKey),
        payload: { invocations: [invocation(a.id, stamps)] },
      });
      answers.push(r.json());
    }
    // 5 days kept: 40 and 10 days back are out; ten years kept, but no line older than 30 days (the default maximum age) is taken.
    expect(answers).toEqual([
      { accepted: 2, duplicates: 0, refused: 0, outOfRange: 3 },
      { accepted: 3, duplicates: 0, refused: 0, outOfRange: 2 },
    ]);
    expect(await stored(short.accountKey)).toEqual(['line 2', 'line 3']);
    expect(await stored(long.accountKey)).toEqual(['line 1', 'line 2', 'line 3']);
  });

  it("the executor's shipper stores the batch's other lines, does not resend the refused ones, and says so", async () => {
    const a = await newTenant(t.app);
    const now = t.clock.now().getTime();
    const errors: unknown[] = [];
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (o: unknown) => void errors.push(o) };
    let posts = 0;
    const api = localIngest({ key: a.executorKey, auth: t.services.auth, usage: t.services.usage, logs: t.services.logs });
    const shipper = createLogShipper({
      api: {
        postLogs: (invocations) => {
          posts++;
          return api.postLogs(invocations);
        },
      },
      log: log as unknown as Log,
    });
    const records: SpooledLogs[] = [
      { kind: 'logs', ...invocation(a.id, [now - 400 * DAY, now - 1000, now + 400 * DAY]) },
      { kind: 'logs', ...invocation(a.id, [now - 500]) },
    ];
    // Delivered (the segment may go): nothing thrown, one request, nothing to resend.
    await shipper.deliver(records);
    expect(posts).toBe(1);
    expect(shipper.acknowledged).toBe(2);
    expect(await stored(a.accountKey)).toEqual(['line 1', 'line 0']);
    expect(errors).toEqual([expect.objectContaining({ outOfRange: 2 })]);
  });
});
