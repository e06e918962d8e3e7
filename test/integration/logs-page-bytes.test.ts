import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_PAGE_BYTES } from '../../src/modules/logs/logs.service.js';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';

// A page of a function's log was bounded by lines only: limit=10000 lines of up to 256 KB is 2.5 GB, read whole into
// the api's memory and built into one JSON string (V8 holds at most 512 MB in a string), for any account key, on the
// api every tenant shares. CloudWatch's GetLogEvents answers at most 1 MB. A page now ends once it holds
// MAX_PAGE_BYTES of text (at least one line), and its cursor carries on from there (found by review).
const t = useTestApp(new Date().toISOString());
const LINE = 200 * 1024;

describe('a page of log lines', () => {
  it(`ends at about ${MAX_PAGE_BYTES} bytes of text, whatever the limit, and the cursor goes on with every line once`, async () => {
    const a = await newTenant(t.app);
    const count = Math.ceil((2.5 * MAX_PAGE_BYTES) / LINE);
    const now = t.clock.now().getTime() - 60_000;
    const messages: string[] = [];
    // A few invocations of lines stamped in one millisecond (a run per row) and in their own.
    for (let i = 0; i < count; i += 10) {
      const lines = Array.from({ length: Math.min(10, count - i) }, (_, seq) => {
        const message = `${i + seq} ${randomBytes(LINE * 0.75).toString('base64')}`;
        messages.push(message);
        return { seq, timestamp: now + i + (seq < 5 ? 0 : seq), message };
      });
      const r = await t.services.logs.ingest({ role: 'executor', accountId: a.id, keyId: null }, [
        { requestId: randomUUID(), accountId: a.id, functionName: 'fn', architecture: 'x86_64', memoryMb: 128, lines },
      ]);
      expect(r.accepted).toBe(lines.length);
    }

    const got: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/functions/fn/logs?limit=10000${cursor ? `&cursor=${cursor}` : ''}`,
        headers: bearer(a.accountKey),
      });
      expect(r.statusCode).toBe(200);
      // The text of one line past the limit at most, and JSON around it.
      expect(r.body.length).toBeLessThan(MAX_PAGE_BYTES + LINE + 64 * 1024);
      const body = r.json() as { events: { message: string }[]; nextCursor: string | null };
      got.push(...body.events.map((e) => e.message));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(got).toEqual(messages);
  }, 120_000);
});
