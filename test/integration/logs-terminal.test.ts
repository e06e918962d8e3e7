import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineCollector } from '../../executor/runtime/log-lines.js';
import { logs } from '../../src/cli/commands/logs.js';
import type { Out } from '../../src/cli/output.js';
import { newTenant, useTestApp } from '../helpers/app.js';

// Found by a review on 2026-12-07: a function's own output may hold a carriage return or ANSI escapes in the middle of a
// line (the executor only strips a \r before the newline). `tally logs` prints each message raw
// after the line's real timestamp and request id, so on a terminal the function can overwrite
// them and show a line that passes as another invocation's platform REPORT line.
const t = useTestApp(new Date().toISOString());

function capture(): { out: Out; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { out: { color: false, stdout: sink as never, stderr: sink as never }, text: () => text };
}

describe('log lines on a terminal', () => {
  it('a forged REPORT line (carriage return, ANSI escapes) is not printed raw by tally logs', async () => {
    const a = await newTenant(t.app);
    const victim = randomUUID();
    const forged = `REPORT RequestId: ${victim}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB`;
    // What the function writes to stdout, read by the executor as the platform would.
    const collector = new LineCollector();
    const now = t.clock.now().getTime();
    collector.push(Buffer.from(`harmless\r2026-01-01T00:00:00.000Z ${victim.slice(0, 8)} ${forged}\n`), now - 2000);
    collector.push(Buffer.from(`\u001b[2K\u001b[1G2026-01-01T00:00:00.000Z ${victim.slice(0, 8)} ${forged}\n`), now - 1000);
    const captured = collector.take();
    // The executor keeps both control sequences inside the message.
    expect(captured.map((l) => l.message.includes('\r') || l.message.includes('\u001b'))).toEqual([true, true]);
    await t.services.logs.ingest({ role: 'executor', accountId: a.id, keyId: null }, [
      {
        requestId: randomUUID(),
        accountId: a.id,
        functionName: 'forger',
        architecture: 'x86_64',
        memoryMb: 128,
        lines: captured.map((l, seq) => ({ seq, timestamp: l.timestamp, message: l.message })),
      },
    ]);

    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const printed = capture();
    const code = await logs({ url: `http://127.0.0.1:${port}`, key: a.accountKey, source: 'test' }, 'forger', {}, printed.out);
    expect(code).toBe(0);
    const text = printed.text();
    expect(text).toContain(forged);
    // On a terminal, \r returns to column 0 and ESC[2K erases the line: the real prefix is gone.
    expect(text.includes('\r') || text.includes('\u001b')).toBe(false);
    expect(text).toContain('harmless\\r2026-01-01');
  });
});
