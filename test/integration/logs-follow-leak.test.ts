import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { admin, newTenant, useTestApp } from '../helpers/app.js';

// Found by a review on 2026-12-07: the follower's stop signal hangs on the response's 'close' event, registered only after
// the handler's awaits (authentication, the acting account). A client that hangs up before that has
// already fired 'close': the follower then polls the database every second until the api stops.
const t = useTestApp(new Date().toISOString());

describe('a follower whose client left early', () => {
  it('stops when the client hung up before the stream began', async () => {
    const a = await newTenant(t.app);
    const signals: AbortSignal[] = [];
    const logs = t.services.logs as { follow: (...args: unknown[]) => Promise<void> };
    const follow = logs.follow;
    logs.follow = (q, emit, signal, pollMs) => {
      signals.push(signal as AbortSignal);
      return follow(q, emit, signal, pollMs);
    };
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;

    // The account's own key, and the admin acting for the account (the handler awaits a lookup).
    const asAccount = `Authorization: Bearer ${a.accountKey}\r\n`;
    const asAdmin = `Authorization: ${admin.authorization}\r\nX-Account-Id: ${a.id}\r\n`;
    for (const who of [asAccount, asAccount, ...Array.from({ length: 8 }, () => asAdmin)]) {
      const client = connect({ port, host: '127.0.0.1' });
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      client.write(`GET /v1/functions/fn/logs HTTP/1.1\r\nHost: x\r\n${who}Accept: text/event-stream\r\n\r\n`);
      client.destroy();
    }
    // Give every request time to reach the handler, and a stopped follower time to notice.
    await new Promise((r) => setTimeout(r, 3000));
    expect(signals.length, 'followers started').toBe(10);
    expect(signals.filter((s) => !s.aborted).length, 'followers still polling for a client long gone').toBe(0);
  }, 30_000);
});
