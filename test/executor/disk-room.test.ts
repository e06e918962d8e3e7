import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NoDiskRoomError, ScratchRoom } from '../../executor/sandbox/scratch.js';
import { createExecutorClient } from '../../src/modules/executors/executors.client.js';
import { invokeServerOn, invokeSpec, nodeCustomRuntime, useSandbox } from './helpers.js';

/*
 * Found by review (2026-12-08): each instance's /tmp is a sparse disk of its function's ephemeralStorageMb (up to
 * 10 GB), and nothing counted what the live disks could still write against the executor's free disk. One
 * tenant's instances, each filling its /tmp, could fill the disk the executor shares with every tenant: its
 * spool then refused every invocation (503 SPOOL_UNAVAILABLE) until those instances went away.
 */
const MIB = 1024 * 1024;

describe('ScratchRoom', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-scratch-room-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts what live disks may still write, refuses a disk that would eat into the reserve, and counts nothing it refused', async () => {
    const room = new ScratchRoom(dir, 100 * MIB, async () => 1000 * MIB);
    await room.claim(path.join(dir, 'a.img'), 500 * MIB);
    // 1000 free - 500 owed - 450 = 50 < 100 kept
    await expect(room.claim(path.join(dir, 'b.img'), 450 * MIB)).rejects.toBeInstanceOf(NoDiskRoomError);
    await room.claim(path.join(dir, 'c.img'), 400 * MIB); // 1000 - 900 = 100: fits exactly
    room.release(path.join(dir, 'c.img'));
    // What a disk already holds is no longer owed (it is out of "free" already).
    writeFileSync(path.join(dir, 'a.img'), Buffer.alloc(300 * MIB, 1));
    await room.claim(path.join(dir, 'b.img'), 450 * MIB); // 1000 - (200 + 450) = 350
    await expect(room.claim(path.join(dir, 'd.img'), 300 * MIB)).rejects.toThrow(/no room for a 300 MB \/tmp disk/);
  });

  it('sees disks claimed at the same moment: of two that fit only alone, one is refused', async () => {
    const room = new ScratchRoom(dir, 0, async () => 1000 * MIB);
    const both = await Promise.allSettled([room.claim(path.join(dir, 'x.img'), 600 * MIB), room.claim(path.join(dir, 'y.img'), 600 * MIB)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});

describe('an instance whose /tmp disk would leave the executor too little disk', () => {
  // 3 GiB free as the sandbox sees it, 1 GiB kept: a spare (512 MB) and a 512 MB instance fit; a 2 GB /tmp does not.
  const sandbox = useSandbox({ spares: 0, diskFree: async () => 3072 * MIB, diskReserveBytes: 1024 * MIB });
  const dir = nodeCustomRuntime(
    'disk-room',
    `const api = \`http://\${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation\`;
for (;;) {
  const next = await fetch(\`\${api}/next\`);
  const id = next.headers.get('lambda-runtime-aws-request-id');
  await fetch(\`\${api}/\${id}/response\`, { method: 'POST', body: '"ok"' });
}
`,
  );
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('is refused before anything runs, as executor capacity (429): the api tries another executor; nothing is billed', async () => {
    const { route, records } = await invokeServerOn(sandbox.isolation, () => dir, cleanup);
    const client = createExecutorClient();
    cleanup.push(() => client.close());
    const call = (ephemeralStorageMb: number) => ({
      requestId: randomUUID(),
      spec: Buffer.from(JSON.stringify(invokeSpec({ runtime: 'provided', handler: 'none', timeoutS: 10, ephemeralStorageMb }))),
      event: Buffer.from('{}'),
      logTail: false,
      timeoutMs: 30_000,
    });
    const small = await client.forward(route, call(512));
    expect(small.status, small.body.toString()).toBe(200);
    const big = call(2048);
    const refused = await client.forward(route, big);
    expect(refused.status).toBe(429);
    expect(refused.headers['x-tally-throttle-reason']).toBe('executor_capacity');
    expect(JSON.parse(refused.body.toString('utf8')).error.message).toMatch(/no room for a 2048 MB \/tmp disk/);
    expect(records.filter((r) => r.invocationId === big.requestId)).toEqual([]);
  }, 60_000);
});
