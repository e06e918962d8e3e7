import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { logBatches, logsOf } from '../../executor/log-shipper.js';
import { LineCollector, platformLine } from '../../executor/runtime/log-lines.js';
import type { InvocationResult } from '../../executor/runtime/types.js';
import type { InvokeSpec } from '../../src/contracts/executor.js';
import { LOGS_BODY_LIMIT } from '../../src/modules/logs/logs.routes.js';

// Found by a review on 2026-12-07: an invocation keeps up to 4 MB of init output (what the instance wrote since the last
// invocation) and 4 MB of its own. Text full of control characters (ANSI colour codes, binary
// dumps) is escaped six bytes a character in JSON (\u001b), so one invocation within the documented
// limits makes a POST /v1/logs body over the route's 32 MB limit: a 413, which the shipper treats
// as final and drops the invocation's lines, START/END/REPORT included. Such an invocation now goes in parts.
describe('log batch size', () => {
  it('sends an invocation within the capture limits in parts whose bodies fit the route body limit, every line once', () => {
    const collector = new LineCollector();
    // 400-byte lines of ESC characters: the 4 MB cap is reached before the 10,000-line cap.
    const chunk = Buffer.from(`${'\u001b'.repeat(419)}\n`.repeat(1000));
    const fill = () => {
      for (let i = 0; i < 11; i++) collector.push(chunk, Date.now(), 'out');
      return collector.take();
    };
    const init = fill();
    const output = fill();
    const requestId = randomUUID();
    const result = {
      requestId,
      lines: [
        ...init,
        platformLine(`START RequestId: ${requestId} Version: $LATEST\n`),
        ...output,
        platformLine(`END RequestId: ${requestId}\n`),
      ],
    } as unknown as InvocationResult;
    const spec = {
      accountId: randomUUID(),
      name: 'colourful',
      architecture: 'x86_64',
      memoryMb: 128,
      ephemeralStorageMb: 512,
    } as unknown as InvokeSpec;
    const record = logsOf(spec, result)!;
    const { kind: _kind, ...invocation } = record;
    const batches = logBatches([invocation]);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) {
      const body = Buffer.byteLength(JSON.stringify({ invocations: batch }));
      expect(body, `POST /v1/logs body: ${body} bytes, limit ${LOGS_BODY_LIMIT}`).toBeLessThanOrEqual(LOGS_BODY_LIMIT);
      expect(batch.map((b) => b.requestId)).toEqual([requestId]);
    }
    const sent = batches.flatMap((b) => b.flatMap((inv) => inv.lines));
    expect(sent).toEqual(invocation.lines);
  });
});
