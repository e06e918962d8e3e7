import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CodeCache } from '../../executor/code-cache.js';
import { ImageCache } from '../../executor/image-cache.js';
import { createExecutorMetrics } from '../../executor/invoke-server.js';
import { FunctionPool } from '../../executor/runtime/pool.js';
import { readImageArchive, type ParsedImage } from '../../src/modules/functions/image-archive.js';
import { makeZip } from '../helpers/functions.js';
import { ociGoImage } from '../helpers/images.js';
import { event, frontOf, invokeSpec, json, makeSpec, silentLog, useSandbox } from './helpers.js';

/**
 * The caches' disk budgets with real instances in the kernel sandbox: the code or image an instance
 * runs from stays however far over the budget the cache is, goes once its instance is gone, and is
 * fetched again, and runs, when next needed.
 */
const sandbox = useSandbox({ spares: 0 });
const work = mkdtempSync(path.join(os.tmpdir(), 'tally-cache-budget-'));
let counter = 0;
const fresh = () => path.join(work, `cache-${++counter}`);
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function pool(capacity: number, instance: { code?: CodeCache; images?: ImageCache }, idleTimeoutMs = 60_000): FunctionPool {
  const created = new FunctionPool({ log: silentLog, capacity, idleTimeoutMs, instance: { isolation: sandbox.isolation, ...instance } });
  cleanup.push(() => created.close());
  return created;
}

/** Node.js code answering its own name, with 200 KB that does not compress (about 210 KB unpacked). */
function version(name: string) {
  const zip = makeZip([
    { name: 'index.js', data: `exports.handler = async () => ${JSON.stringify(name)};\n` },
    { name: 'pad.bin', data: randomBytes(200 * 1024), store: true },
  ]);
  return { name, zip, sha: createHash('sha256').update(zip).digest('hex') };
}

function codeApi(...versions: ReturnType<typeof version>[]) {
  const api = {
    fetched: [] as string[],
    /** False: the api cannot be reached. */
    up: true,
    async fetchCode(sha: string) {
      api.fetched.push(sha);
      if (!api.up) throw new Error('the api is unreachable');
      return versions.find((v) => v.sha === sha)!.zip;
    },
  };
  return api;
}

const kept = (dir: string) =>
  readdirSync(dir)
    .filter((n) => /^[0-9a-f]{64}$/.test(n))
    .sort();
const sorted = (...names: string[]) => [...names].sort();

async function versionBytes(v: ReturnType<typeof version>): Promise<number> {
  const cache = new CodeCache(fresh(), codeApi(v), silentLog);
  await cache.init();
  await cache.folder(v.sha);
  return cache.stats().bytes;
}

describe('code within its budget, with instances running from it', () => {
  const A = version('a');
  const B = version('b');
  const C = version('c');

  it('keeps the code of every live instance over the budget; removes it when its instance stops; fetches it again and runs it', async () => {
    const one = await versionBytes(A);
    const dir = fresh();
    const api = codeApi(A, B, C);
    const code = new CodeCache(dir, api, silentLog, { budgetBytes: Math.floor(1.5 * one) });
    await code.init();
    const p = pool(2, { code });
    const spec = (v: ReturnType<typeof version>) => makeSpec('', { functionId: `fn-${v.name}`, codeSha256: v.sha });
    const [a, b, c] = [spec(A), spec(B), spec(C)];

    expect(json((await p.invoke(a, event({}), 'a1')).payload)).toBe('a');
    expect(json((await p.invoke(b, event({}), 'b1')).payload)).toBe('b');
    // Two versions, more than the budget, each the /var/task of a live instance: both stay.
    expect(kept(dir)).toEqual(sorted(A.sha, B.sha));
    expect(code.stats().bytes).toBe(2 * one);
    const warm = await p.invoke(a, event({}), 'a2');
    expect(json(warm.payload)).toBe('a');
    expect(warm.initDurationMs).toBeUndefined();

    // C needs a slot: the pool stops B's idle instance (the least recently used), and B's code, run by
    // no one now, goes.
    expect(json((await p.invoke(c, event({}), 'c1')).payload)).toBe('c');
    await expect.poll(() => kept(dir)).toEqual(sorted(A.sha, C.sha));
    // B again: A's instance stops and its code goes; B's is fetched again and runs.
    const again = await p.invoke(b, event({}), 'b2');
    expect(json(again.payload)).toBe('b');
    expect(again.initDurationMs).toBeGreaterThan(0);
    expect(api.fetched).toEqual([A.sha, B.sha, C.sha, B.sha]);
    await expect.poll(() => kept(dir)).toEqual(sorted(B.sha, C.sha));
    expect(code.stats()).toMatchObject({ bytes: 2 * one, entries: 2, evicted: 2 });
    // What the executor's /metrics shows of it.
    const images = new ImageCache({ dir: fresh(), api: { fetchImageBlob: async () => new Blob([]).stream() }, log: silentLog });
    await images.init();
    const metrics = await createExecutorMetrics(undefined, { code, images }).registry.metrics();
    expect(metrics).toMatch(new RegExp(`^tally_executor_cache_bytes\\{cache="code"\\} ${2 * one}$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^tally_executor_cache_budget_bytes\\{cache="code"\\} ${Math.floor(1.5 * one)}$`, 'm'));
    expect(metrics).toMatch(/^tally_executor_cache_entries\{cache="code"\} 2$/m);
    expect(metrics).toMatch(/^tally_executor_cache_evictions_total\{cache="code"\} 2$/m);
    expect(metrics).toMatch(/^tally_executor_cache_bytes\{cache="image"\} 0$/m);
    expect(metrics).toMatch(/^tally_executor_cache_evictions_total\{cache="image"\} 0$/m);
  });

  it('code removed since the last call and not fetchable again is a 502 before anything runs, never a billed start failure', async () => {
    const dir = fresh();
    const api = codeApi(A);
    const code = new CodeCache(dir, api, silentLog, { budgetBytes: 1024 });
    await code.init();
    const p = pool(2, { code }, 200);
    const { front, records } = frontOf(p);
    const spec = Buffer.from(JSON.stringify(invokeSpec({ codeSha256: A.sha })));
    const invoke = () => front.local({ spec, event: Buffer.from('{}'), requestId: randomUUID(), logTail: false });
    /** Usage records spooled: what is billed. */
    const billed = () => records.filter((r) => (r as { kind?: string }).kind !== 'logs');

    const first = await invoke();
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body.toString())).toBe('a');
    expect(billed()).toHaveLength(1);
    // Its instance is reaped when idle, and its code, bigger than the whole budget, goes with it.
    await expect.poll(() => kept(dir), { timeout: 5_000 }).toEqual([]);
    api.up = false;
    const second = await invoke();
    expect(second.status).toBe(502);
    expect(JSON.parse(second.body.toString()).error.code).toBe('CODE_UNAVAILABLE');
    expect(billed()).toHaveLength(1);
    expect(p.stats()).toEqual({ instances: 0, busy: 0 });
    // Back: the next call fetches it and runs.
    api.up = true;
    expect(JSON.parse((await invoke()).body.toString())).toBe('a');
    expect(billed()).toHaveLength(2);
  });
});

describe('container images within their budget, with instances running them', () => {
  let one: ParsedImage;
  let two: ParsedImage;
  beforeAll(async () => {
    const read = async (greeting: string) =>
      readImageArchive(await ociGoImage({ greeting }), {
        architecture: 'x86_64',
        limits: { maxImageBytes: 1 << 30, maxImageUnpackedBytes: 1 << 30 },
      });
    [one, two] = [await read('one'), await read('two')];
  }, 120_000);

  function imageApi() {
    const api = {
      fetched: [] as string[],
      async fetchImageBlob(digest: string) {
        api.fetched.push(digest);
        const data = one.blobs.get(digest) ?? two.blobs.get(digest)!;
        return new Blob([Buffer.from(data)]).stream();
      },
    };
    return api;
  }

  it('keeps the images of live instances over the budget; trims to the budget once they stop; fetches a removed one again and runs it', async () => {
    const measure = new ImageCache({ dir: fresh(), api: imageApi(), log: silentLog });
    await measure.init();
    await measure.prefetch(one.digest);
    const budgetBytes = Math.floor(1.2 * measure.stats().bytes);

    const dir = fresh();
    const api = imageApi();
    const images = new ImageCache({ dir, api, log: silentLog, budgetBytes });
    await images.init();
    const spec = (image: ParsedImage) => makeSpec('', { runtime: 'provided', imageRef: { digest: image.digest, config: {} } });
    const greeting = async (p: FunctionPool, image: ParsedImage) =>
      json((await p.invoke(spec(image), event({ name: 'x' }), randomUUID())).payload).greeting;

    const first = pool(2, { images });
    expect(await greeting(first, one)).toBe('one');
    expect(await greeting(first, two)).toBe('two');
    await images.sweep();
    expect(kept(path.join(dir, 'images'))).toEqual(sorted(one.digest.slice(7), two.digest.slice(7)));
    expect(images.stats().bytes).toBeGreaterThan(budgetBytes);
    expect(await greeting(first, one)).toBe('one');

    // Both instances stop: the cache comes back within its budget, keeping one image.
    await first.close();
    await images.sweep();
    const left = kept(path.join(dir, 'images'));
    expect(left).toHaveLength(1);
    expect(images.stats()).toMatchObject({ entries: 1, evicted: 1 });
    expect(images.stats().bytes).toBeLessThanOrEqual(budgetBytes);
    const removed = left[0] === one.digest.slice(7) ? two : one;
    const blobs = readdirSync(path.join(dir, 'blobs', 'sha256'));
    expect(blobs).not.toContain(removed.configDigest.slice(7));

    const second = pool(2, { images });
    expect(await greeting(second, removed)).toBe(removed === one ? 'one' : 'two');
    expect(api.fetched.filter((d) => d === removed.digest)).toHaveLength(2);
  });
});
