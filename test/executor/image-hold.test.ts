import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createExecutorMetrics, createInvokeServer } from '../../executor/invoke-server.js';
import { FunctionInstance } from '../../executor/runtime/instance.js';
import type { FunctionSpec, InvocationResult } from '../../executor/runtime/types.js';
import { invokeSpec, makeSpec, silentLog } from './helpers.js';

/**
 * An image function's image is held from the moment the executor takes the invocation until it is
 * answered, so that the image cache's sweep cannot delete it between the pool's choice of a new
 * instance and that instance's own hold: the instance would then fetch it again as it starts, where a
 * failure is a billed start failure rather than the 502 a missing image is before anything ran.
 */
const DIGEST = `sha256:${'b'.repeat(64)}`;

function executor() {
  const holds = new Map<string, number>();
  const images = {
    /** False: the sweep removed the image and it cannot be fetched again (the api is unreachable). */
    available: true,
    async prefetch(digest: string) {
      if (!images.available) throw new Error('the api is unreachable');
      return { digest, rootfs: '/nonexistent', config: {} };
    },
    async acquire(digest: string) {
      const image = await images.prefetch(digest);
      holds.set(digest, (holds.get(digest) ?? 0) + 1);
      return image;
    },
    release(digest: string) {
      holds.set(digest, (holds.get(digest) ?? 0) - 1);
    },
  };
  /** Holds on the image at each moment the pool was asked to run an invocation. */
  const heldWhenInvoked: number[] = [];
  const pool = {
    stats: () => ({ instances: 0, busy: 0 }),
    async invoke(spec: FunctionSpec, _event: Buffer, requestId: string): Promise<InvocationResult> {
      heldWhenInvoked.push(holds.get(spec.imageRef!.digest) ?? 0);
      return { requestId, status: 'success', payload: Buffer.from('{}'), durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 1, log: '' };
    },
  };
  const records: unknown[] = [];
  const front = createInvokeServer({
    token: 't'.repeat(40),
    pool,
    images,
    spool: { append: async (r: unknown[]) => void records.push(...r), accepting: () => true },
    metrics: createExecutorMetrics(),
    log: silentLog,
  });
  const spec = Buffer.from(JSON.stringify(invokeSpec({ runtime: 'provided', image: { digest: DIGEST, config: {} } })));
  const invoke = () => front.local({ spec, event: Buffer.from('{}'), requestId: randomUUID(), logTail: false });
  return { images, holds, heldWhenInvoked, records, invoke };
}

describe("the executor's hold on an image function's image", () => {
  it('is taken before the pool chooses an instance, on every invocation, and given back once answered', async () => {
    const { holds, heldWhenInvoked, invoke } = executor();
    expect((await invoke()).status).toBe(200);
    expect((await invoke()).status).toBe(200);
    expect(heldWhenInvoked).toEqual([1, 1]);
    expect(holds.get(DIGEST)).toBe(0);
  });

  it('an image swept since the last invocation and not fetchable again is a 502 before anything runs, not a billed start failure', async () => {
    const { images, heldWhenInvoked, records, invoke } = executor();
    expect((await invoke()).status).toBe(200);
    images.available = false;
    const answer = await invoke();
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body.toString()).error.code).toBe('CODE_UNAVAILABLE');
    expect(heldWhenInvoked).toHaveLength(1);
    expect(records).toHaveLength(1);
  });
});

describe("an instance's hold on its image", () => {
  it('is given back when the instance is disposed while the image is still being fetched', async () => {
    let holds = 0;
    let opened = 0;
    let giveImage!: () => void;
    const images = {
      acquire(digest: string) {
        holds += 1;
        return new Promise<{ digest: string; rootfs: string; config: { Cmd: string[] } }>((resolve) => {
          giveImage = () => resolve({ digest, rootfs: '/nonexistent', config: { Cmd: ['app.handler'] } });
        });
      },
      release() {
        holds -= 1;
      },
    };
    const isolation = {
      mode: 'off' as const,
      async open(): Promise<never> {
        opened += 1;
        throw new Error('no sandbox for an instance already disposed');
      },
      close: async () => undefined,
    };
    const spec = makeSpec('', { runtime: 'provided', imageRef: { digest: DIGEST, config: {} } });
    const instance = new FunctionInstance(spec, { log: silentLog, isolation, images });
    const invoked = instance.invoke(Buffer.from('{}'), { requestId: randomUUID() });
    // The pool closes (the executor stops) while the image is fetched for this cold start.
    await instance.dispose();
    giveImage();
    // Nothing of the function ran: not answered as its failure, and not billed.
    await expect(invoked).rejects.toThrow(/could not start an instance/);
    expect(holds).toBe(0);
    expect(opened).toBe(0);
  });
});
