import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { InvocationLogs } from '../../src/contracts/logs.js';
import { createLogsRepository } from '../../src/modules/logs/logs.repository.js';
import { bearer, fleetExecutor, newTenant, usageEvent } from '../helpers/app.js';
import { call, deploy, makeZip, shiftedClock, until, useFunctionsApp } from '../helpers/functions.js';

const clock = shiftedClock();
// Lines up to 90 days late are taken (TALLY_LOG_MAX_AGE_DAYS), so an account keeping 60 days gets a line of 40 days ago.
const t = useFunctionsApp({ deps: { clock, logs: { followPollMs: 100, maxAgeDays: 90 } } });
const DAY = 86_400_000;

const CHATTY = `
exports.handler = async (event) => {
  console.log('hello from', event.name);
  console.error('a warning for', event.name);
  process.stdout.write('no newline at the end');
  // Output still in the pipe when the answer comes is read with the next invocation: let it drain.
  await new Promise((resolve) => setTimeout(resolve, 50));
  if (event.big) process.stdout.write('\\n' + 'x'.repeat(300 * 1024) + '\\n', () => {});
  if (event.big) await new Promise((resolve) => setTimeout(resolve, 300));
  return { ok: true };
};
`;
const zip = makeZip([{ name: 'index.js', data: CHATTY }]);

interface Event {
  timestamp: string;
  requestId: string;
  message: string;
}

async function logsOf(key: string, name: string, query = ''): Promise<{ events: Event[]; nextCursor: string | null }> {
  const r = await call(t.base, key, 'GET', `/v1/functions/${name}/logs${query}`);
  if (r.status !== 200) throw new Error(`logs: ${r.status} ${r.text}`);
  return r.json;
}

async function invoke(key: string, name: string, event: unknown): Promise<string> {
  const r = await call(t.base, key, 'POST', `/v1/functions/${name}/invoke`, event);
  expect(r.status, r.text).toBe(200);
  return r.headers.get('x-tally-request-id')!;
}

/** Lines for an invocation as an executor would post them. */
function batch(
  accountId: string,
  functionName: string,
  lines: { timestamp: number; message: string }[],
  requestId = randomUUID(),
): InvocationLogs {
  return {
    requestId,
    accountId,
    functionName,
    architecture: 'x86_64',
    memoryMb: 512,
    lines: lines.map((l, seq) => ({ seq, ...l })),
  };
}

describe('function logs', () => {
  it('stores every line an invocation wrote with START/END/REPORT, queried by request id and text, paged by cursor', async () => {
    const a = await newTenant(t.app);
    const other = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'chatty', zip);
    const ids = [await invoke(a.accountKey, 'chatty', { name: 'one' }), await invoke(a.accountKey, 'chatty', { name: 'two' })];

    const all = await until('both invocations logged', async () => {
      const page = await logsOf(a.accountKey, 'chatty', '?limit=1000');
      return page.events.filter((e) => e.message.startsWith('REPORT ')).length === 2 ? page.events : null;
    });
    for (const id of ids) {
      const mine = all.filter((e) => e.requestId === id).map((e) => e.message);
      expect(mine[0]).toMatch(new RegExp(`^START RequestId: ${id} Version: \\d+$`));
      expect(mine.some((m) => /hello from (one|two)$/.test(m))).toBe(true);
      expect(mine.some((m) => m.includes('a warning for'))).toBe(true);
      expect(mine).toContain('no newline at the end');
      expect(mine.at(-2)).toBe(`END RequestId: ${id}`);
      expect(mine.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms`));
    }
    // Oldest first, timestamps in ISO-8601 to the millisecond.
    const times = all.map((e) => Date.parse(e.timestamp));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(all[0]!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // One invocation's lines; a text filter (case-sensitive, as CloudWatch terms).
    const one = await logsOf(a.accountKey, 'chatty', `?requestId=${ids[1]}`);
    expect(new Set(one.events.map((e) => e.requestId))).toEqual(new Set([ids[1]]));
    const filtered = await logsOf(a.accountKey, 'chatty', '?filter=hello%20from%20two');
    expect(filtered.events.map((e) => e.requestId)).toEqual([ids[1]]);
    expect((await logsOf(a.accountKey, 'chatty', '?filter=HELLO')).events).toEqual([]);

    // Paging: pages of 3, following nextCursor, give back exactly the whole list.
    const paged: Event[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await logsOf(a.accountKey, 'chatty', `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.events.length).toBeLessThanOrEqual(3);
      paged.push(...page.events);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(paged).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 3));

    // A time range: nothing before the first line, nothing at or after `to`.
    const from = new Date(Date.parse(all[0]!.timestamp) + 1).toISOString();
    expect((await logsOf(a.accountKey, 'chatty', `?from=${from}`)).events.length).toBeLessThan(all.length);
    expect((await logsOf(a.accountKey, 'chatty', `?to=${all[0]!.timestamp}`)).events).toEqual([]);

    // Another account sees nothing of it; bad input is a 400 in the error shape.
    expect((await logsOf(other.accountKey, 'chatty')).events).toEqual([]);
    const bad = await call(t.base, a.accountKey, 'GET', '/v1/functions/chatty/logs?cursor=nope');
    expect([bad.status, bad.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const backwards = await call(
      t.base,
      a.accountKey,
      'GET',
      `/v1/functions/chatty/logs?from=${all[1]!.timestamp}&to=${all[0]!.timestamp}`,
    );
    expect(backwards.status).toBe(400);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/chatty/logs?limit=0')).status).toBe(400);
    expect((await call(t.base, a.accountKey, 'GET', '/v1/functions/chatty/logs?requestId=x')).status).toBe(400);
  });

  it('cuts a line at 256 KB, as Lambda does', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'big', zip);
    const id = await invoke(a.accountKey, 'big', { name: 'big', big: true });
    const events = await until('big invocation logged', async () => {
      const page = await logsOf(a.accountKey, 'big', `?requestId=${id}&limit=100`);
      return page.events.some((e) => e.message.startsWith('REPORT ')) ? page.events : null;
    });
    const long = events.find((e) => e.message.startsWith('xxxx'))!;
    expect(Buffer.byteLength(long.message)).toBe(256 * 1024);
  });

  it('follows a function log live over Server-Sent Events', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'live', zip);
    const stop = new AbortController();
    const res = await fetch(`${t.base}/v1/functions/live/logs`, {
      headers: { ...bearer(a.accountKey), accept: 'text/event-stream' },
      signal: stop.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const ids = [await invoke(a.accountKey, 'live', { name: 'first' }), await invoke(a.accountKey, 'live', { name: 'second' })];
    const deadline = Date.now() + 20_000;
    while ((text.match(/REPORT RequestId/g) ?? []).length < 2 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    stop.abort();
    // A follower still connected when the api stops is ended by it (app.close in afterAll would hang otherwise).
    const lingering = await fetch(`${t.base}/v1/functions/live/logs`, {
      headers: { ...bearer(a.accountKey), accept: 'text/event-stream' },
    });
    expect(lingering.status).toBe(200);
    const events = text
      .split('\n\n')
      .filter((block) => block.startsWith('event: log\n'))
      .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as Event);
    for (const id of ids) {
      const mine = events.filter((e) => e.requestId === id).map((e) => e.message);
      expect(mine[0]).toMatch(/^START /);
      expect(mine.at(-1)).toMatch(/^REPORT /);
      // Each line once, however many looks found it.
      expect(new Set(mine).size).toBe(mine.length);
    }
  });

  it('stores each (request id, seq) once however often a batch is sent, and keeps other accounts and undispatched lines out', async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    const now = Date.now();
    const lines = [
      { timestamp: now, message: 'START RequestId: x' },
      { timestamp: now + 1, message: 'one' },
      { timestamp: now + 2, message: 'two' },
    ];
    const mine = batch(a.id, 'direct', lines);
    const post = (key: string, invocations: InvocationLogs[]) => call(t.base, key, 'POST', '/v1/logs', { invocations });
    expect((await post(a.executorKey, [mine])).json).toEqual({ accepted: 3, duplicates: 0, refused: 0, outOfRange: 0 });
    expect((await post(a.executorKey, [mine])).json).toEqual({ accepted: 0, duplicates: 3, refused: 0, outOfRange: 0 });
    // A scoped key writes only its own account's lines.
    expect((await post(a.executorKey, [batch(b.id, 'direct', lines)])).json).toEqual({
      accepted: 0,
      duplicates: 0,
      refused: 1,
      outOfRange: 0,
    });
    // A platform key writes only lines of invocations dispatched to it, with the dispatch's token.
    const fleet = await fleetExecutor(t.app, t.db.db, t.services.secretBox);
    const undispatched = batch(a.id, 'direct', lines);
    const dispatched = batch(a.id, 'direct', lines);
    const token = fleet.tokenFor(usageEvent(a.id, { invocationId: dispatched.requestId, functionId: 'direct' }));
    const answer = await post(fleet.key, [undispatched, { ...dispatched, dispatchToken: token }]);
    expect(answer.json).toEqual({ accepted: 3, duplicates: 0, refused: 1, outOfRange: 0 });
    // A line stamped ahead of the clock (a clock gone wrong) is refused and counted, not given a partition days away.
    const future = await post(a.executorKey, [batch(a.id, 'direct', [{ timestamp: now + 2 * DAY, message: 'from the future' }])]);
    expect(future.json).toEqual({ accepted: 0, duplicates: 0, refused: 0, outOfRange: 1 });
    // Account keys may not post lines; a malformed batch is refused whole with a 400.
    expect((await post(a.accountKey, [mine])).status).toBe(403);
    const malformed = await post(a.executorKey, [{ ...mine, lines: [{ seq: -1, timestamp: now, message: 'x' }] }]);
    expect([malformed.status, malformed.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);

    const stored = (await logsOf(a.accountKey, 'direct', '?limit=100')).events;
    expect(stored.map((e) => e.message)).toEqual(['START RequestId: x', 'START RequestId: x', 'one', 'one', 'two', 'two']);
    expect((await logsOf(b.accountKey, 'direct')).events).toEqual([]);
  });

  it('stores a run of lines that share a timestamp as one row and reads it back line by line: pages, cursors inside runs, filters, resends, followers', async () => {
    const a = await newTenant(t.app);
    const stop = new AbortController();
    const follower = await fetch(`${t.base}/v1/functions/runs/logs`, {
      headers: { ...bearer(a.accountKey), accept: 'text/event-stream' },
      signal: stop.signal,
    });
    expect(follower.status).toBe(200);
    const now = Date.now();
    const requestId = randomUUID();
    const sent = [
      { timestamp: now, message: `START RequestId: ${requestId}` },
      { timestamp: now, message: 'alpha' },
      { timestamp: now, message: 'one event\nof two lines' }, // sent with a newline: stored alone
      { timestamp: now, message: 'beta' },
      { timestamp: now, message: 'gamma' },
      { timestamp: now + 1, message: 'delta' },
      ...Array.from({ length: 70 }, (_, i) => ({ timestamp: now + 1, message: `line ${i}` })), // over one row's 64
      { timestamp: now + 1, message: `END RequestId: ${requestId}` },
      { timestamp: now + 1, message: `REPORT RequestId: ${requestId}\tDuration: 1.00 ms` },
    ];
    const invocation = batch(a.id, 'runs', sent, requestId);
    const post = () => call(t.base, a.executorKey, 'POST', '/v1/logs', { invocations: [invocation] });
    expect((await post()).json).toEqual({ accepted: sent.length, duplicates: 0, refused: 0, outOfRange: 0 });
    expect((await post()).json).toEqual({ accepted: 0, duplicates: sent.length, refused: 0, outOfRange: 0 });
    // START + alpha; the line with a newline; beta + gamma; delta + 63 lines; the 7 lines left + END + REPORT.
    const rows = await sql<{ seq: number; run_length: number | null }>`
      select seq, run_length from log_events where request_id = ${requestId}::uuid order by seq`.execute(t.db.db);
    expect(rows.rows).toEqual([
      { seq: 0, run_length: 2 },
      { seq: 2, run_length: null },
      { seq: 3, run_length: 2 },
      { seq: 5, run_length: 64 },
      { seq: 69, run_length: 9 },
    ]);

    const messages = sent.map((l) => l.message);
    const all = (await logsOf(a.accountKey, 'runs', '?limit=1000')).events;
    expect(all.map((e) => e.message)).toEqual(messages);
    expect(all.map((e) => Date.parse(e.timestamp))).toEqual(sent.map((l) => l.timestamp));
    // Pages of 1 and of 7 end inside runs; following the cursors gives back every line once, in order.
    for (const size of [1, 7]) {
      const paged: Event[] = [];
      let cursor: string | null = null;
      do {
        const page: { events: Event[]; nextCursor: string | null } = await logsOf(
          a.accountKey,
          'runs',
          `?limit=${size}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        paged.push(...page.events);
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all);
    }
    // The text filter sees each line of a run on its own.
    expect((await logsOf(a.accountKey, 'runs', '?filter=gamma')).events.map((e) => e.message)).toEqual(['gamma']);
    expect((await logsOf(a.accountKey, 'runs', '?filter=line%2069')).events.map((e) => e.message)).toEqual(['line 69']);
    expect((await logsOf(a.accountKey, 'runs', '?filter=alpha%0Abeta')).events).toEqual([]);
    expect((await logsOf(a.accountKey, 'runs', '?filter=of%20two')).events.map((e) => e.message)).toEqual(['one event\nof two lines']);

    // A follower gets each line once.
    const reader = follower.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const deadline = Date.now() + 20_000;
    while (!text.includes('REPORT RequestId') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    stop.abort();
    const followed = text
      .split('\n\n')
      .filter((block) => block.startsWith('event: log\n'))
      .map((block) => (JSON.parse(block.slice(block.indexOf('data: ') + 6)) as Event).message);
    expect(followed).toEqual(messages);
  });

  it('pages a follower through the lines of one row: its keyset is the row and the place in it', async () => {
    const a = await newTenant(t.app);
    const repo = createLogsRepository(t.db.db);
    const now = Date.now();
    const requestId = randomUUID();
    const sent = Array.from({ length: 7 }, (_, i) => ({ timestamp: now + (i < 5 ? 0 : 1), message: `line ${i}` }));
    await t.services.logs.ingest({ role: 'executor', accountId: a.id, keyId: null }, [batch(a.id, 'keyset', sent, requestId)]);
    const narrow = { accountId: a.id, functionName: 'keyset', requestId: null, filter: null };
    const since = new Date(now - 60_000);
    const read: string[] = [];
    let after: { arrival: string; id: string; part: number } | null = null;
    for (let looks = 0; looks < 10; looks++) {
      const lines = await repo.arrivedSince({ ...narrow, since, notBefore: since, after, limit: 2 });
      read.push(...lines.map((l) => l.message));
      if (lines.length < 2) break;
      const last = lines.at(-1)!;
      after = { arrival: last.arrival, id: last.id, part: last.part };
    }
    expect(read).toEqual(sent.map((l) => l.message));
  });

  it('keeps lines per account retention: partitions made ahead, shorter retentions deleted, old days dropped whole', async () => {
    const a = await newTenant(t.app); // default: 30 days
    const b = await newTenant(t.app);
    const c = await newTenant(t.app);
    const put = (key: string, id: string, days: number) => call(t.base, key, 'PUT', `/v1/accounts/${id}/log-retention`, { days });
    expect((await call(t.base, a.accountKey, 'GET', `/v1/accounts/${a.id}/log-retention`)).json).toEqual({
      accountId: a.id,
      days: 30,
      isDefault: true,
    });
    expect((await put(b.accountKey, b.id, 60)).json).toEqual({ accountId: b.id, days: 60, isDefault: false });
    expect((await put(c.accountKey, c.id, 0)).status).toBe(400);
    expect((await put(c.accountKey, c.id, 3654)).status).toBe(400);
    // Only an admin or the account's own key.
    expect((await put(a.accountKey, b.id, 1)).status).toBe(404);

    const now = clock.now().getTime();
    const principal = (accountId: string) => ({ role: 'executor' as const, accountId, keyId: null });
    const aged = (accountId: string) =>
      batch(accountId, 'aged', [
        { timestamp: now - 40 * DAY, message: '40 days ago' },
        { timestamp: now - 10 * DAY, message: '10 days ago' },
        { timestamp: now - 1000, message: 'just now' },
      ]);
    const sent = new Map([a.id, b.id, c.id].map((id) => [id, aged(id)]));
    for (const [id, lines] of sent) await t.services.logs.ingest(principal(id), [lines]);
    // Ingest takes no line older than the account keeps (a's of 40 days ago); c shortens its retention after.
    expect((await put(c.accountKey, c.id, 5)).status).toBe(200);
    const messages = async (key: string) => (await logsOf(key, 'aged', '?limit=100')).events.map((e) => e.message);
    // Queries honour the retention before any upkeep ran.
    expect(await messages(a.accountKey)).toEqual(['10 days ago', 'just now']);
    expect(await messages(b.accountKey)).toEqual(['40 days ago', '10 days ago', 'just now']);
    expect(await messages(c.accountKey)).toEqual(['just now']);

    const rows = async (accountId: string) =>
      (await sql<{ n: string }>`select count(*) as n from log_events where account_id = ${accountId}::uuid`.execute(t.db.db)).rows[0]!.n;
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
    const partitions = async () => (await sql<{ name: string }>`select log_partitions() as name`.execute(t.db.db)).rows.map((r) => r.name);

    const first = await t.services.logs.maintain();
    // Made ahead: today and the next days exist before any line needs them.
    expect(await partitions()).toEqual(expect.arrayContaining([`log_events_${day(now + DAY)}`, `log_events_${day(now + 3 * DAY)}`]));
    expect(first.dropped).toEqual([]);
    expect([await rows(a.id), await rows(b.id), await rows(c.id)]).toEqual(['2', '3', '1']);
    expect(await partitions()).toContain(`log_events_${day(now - 40 * DAY)}`);

    // Once no account keeps 40 days, that day's partition is dropped whole.
    expect((await put(b.accountKey, b.id, 20)).status).toBe(200);
    const second = await t.services.logs.maintain();
    expect(second.dropped).toContain(`log_events_${day(now - 40 * DAY)}`);
    expect(await partitions()).not.toContain(`log_events_${day(now - 40 * DAY)}`);
    expect(await messages(b.accountKey)).toEqual(['10 days ago', 'just now']);
    expect(await rows(b.id)).toBe('2');

    // A late resend of a line from a dropped day does not bring the day back: it is older than the
    // account keeps, so it is refused (counted) and its partition is not made again.
    expect(await t.services.logs.ingest(principal(a.id), [sent.get(a.id)!])).toEqual({
      accepted: 0,
      duplicates: 2,
      refused: 0,
      outOfRange: 1,
    });
    expect(await partitions()).not.toContain(`log_events_${day(now - 40 * DAY)}`);
    expect(await messages(a.accountKey)).toEqual(['10 days ago', 'just now']);
  });
});
