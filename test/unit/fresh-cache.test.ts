import { describe, expect, it } from 'vitest';
import { FreshCache } from '../../src/lib/fresh-cache.js';

/** A loader whose reads the test finishes by hand, and a clock the test moves. */
function setup(opts: { keep?: (v: string | null) => boolean } = {}) {
  let now = 1_000_000;
  const reads: { key: string; resolve: (v: string | null) => void; reject: (e: Error) => void }[] = [];
  const cache = new FreshCache<string | null>(
    (key) =>
      new Promise((resolve, reject) => {
        reads.push({ key, resolve, reject });
      }),
    { ttlMs: 2_000, now: () => now, ...opts },
  );
  return {
    cache,
    reads,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('FreshCache', () => {
  it('shares one read among concurrent misses, then answers from the entry without reading', async () => {
    const { cache, reads, advance } = setup();
    const a = cache.get('k');
    const b = cache.get('k');
    expect(reads).toHaveLength(1);
    reads[0]!.resolve('v1');
    expect(await a).toBe('v1');
    expect(await b).toBe('v1');
    advance(1_000);
    expect(await cache.get('k')).toBe('v1');
    expect(cache.peek('k')).toBe('v1');
    expect(reads).toHaveLength(1);
  });

  it("in the last quarter of an entry's life, answers with it at once and reads again once in the background", async () => {
    const { cache, reads, advance } = setup();
    const first = cache.get('k');
    reads[0]!.resolve('v1');
    await first;
    advance(1_600);
    // The call does not wait for the database: the entry answers, synchronously through peek.
    expect(cache.peek('k')).toBe('v1');
    expect(await cache.get('k')).toBe('v1');
    expect(reads).toHaveLength(2);
    reads[1]!.resolve('v2');
    await settle();
    expect(cache.peek('k')).toBe('v2');
    // The new entry lives a whole TTL from its read: past the old one's expiry, no read.
    advance(1_000);
    expect(cache.peek('k')).toBe('v2');
    expect(reads).toHaveLength(2);
  });

  it('never answers with an entry past its life: the call waits for a read', async () => {
    const { cache, reads, advance } = setup();
    const first = cache.get('k');
    reads[0]!.resolve('v1');
    await first;
    advance(2_000);
    expect(cache.peek('k')).toBeUndefined();
    let answered: string | null | undefined;
    const late = cache.get('k').then((v) => {
      answered = v;
    });
    await settle();
    expect(answered).toBeUndefined();
    expect(reads).toHaveLength(2);
    reads[1]!.resolve('v2');
    await late;
    expect(answered).toBe('v2');
  });

  it('an expired entry whose refresh is under way makes the call wait for that refresh, not start another', async () => {
    const { cache, reads, advance } = setup();
    const first = cache.get('k');
    reads[0]!.resolve('v1');
    await first;
    advance(1_900);
    expect(cache.peek('k')).toBe('v1');
    advance(200);
    const late = cache.get('k');
    expect(reads).toHaveLength(2);
    reads[1]!.resolve('v2');
    expect(await late).toBe('v2');
  });

  it('a failed refresh leaves the entry to its expiry; the next miss reads again and sees the failure', async () => {
    const { cache, reads, advance } = setup();
    const first = cache.get('k');
    reads[0]!.resolve('v1');
    await first;
    advance(1_600);
    expect(cache.peek('k')).toBe('v1');
    reads[1]!.reject(new Error('database down'));
    await settle();
    expect(cache.peek('k')).toBe('v1');
    advance(400);
    const late = cache.get('k');
    expect(reads).toHaveLength(3);
    reads[2]!.reject(new Error('database down'));
    await expect(late).rejects.toThrow('database down');
  });

  it('a read that started before delete answers its callers but is not kept', async () => {
    const { cache, reads } = setup();
    const before = cache.get('acct/f/');
    cache.deletePrefix('acct/f/');
    // A call after the change does not join the read that predates it.
    const after = cache.get('acct/f/');
    expect(reads).toHaveLength(2);
    reads[0]!.resolve('old');
    expect(await before).toBe('old');
    expect(cache.peek('acct/f/')).toBeUndefined();
    reads[1]!.resolve('new');
    expect(await after).toBe('new');
    expect(cache.peek('acct/f/')).toBe('new');
  });

  it('a refresh under way when the key is deleted does not bring the old value back', async () => {
    const { cache, reads, advance } = setup();
    const first = cache.get('k');
    reads[0]!.resolve('v1');
    await first;
    advance(1_600);
    cache.peek('k');
    cache.delete('k');
    reads[1]!.resolve('stale');
    await settle();
    expect(cache.peek('k')).toBeUndefined();
  });

  it('does not keep what `keep` refuses, and drops the entry such a read replaces', async () => {
    const { cache, reads, advance } = setup({ keep: (v) => v !== null });
    const first = cache.get('k');
    reads[0]!.resolve('v1');
    await first;
    advance(1_600);
    cache.peek('k');
    reads[1]!.resolve(null);
    await settle();
    expect(cache.peek('k')).toBeUndefined();
    const again = cache.get('k');
    expect(reads).toHaveLength(3);
    reads[2]!.resolve(null);
    expect(await again).toBeNull();
  });

  it('is emptied past maxEntries rather than growing', async () => {
    const cache = new FreshCache<string>(async (k) => k, { ttlMs: 2_000, maxEntries: 3 });
    for (const k of ['a', 'b', 'c']) await cache.get(k);
    expect(['a', 'b', 'c'].map((k) => cache.peek(k))).toEqual(['a', 'b', 'c']);
    await cache.get('d');
    expect(['a', 'b', 'c', 'd'].map((k) => cache.peek(k))).toEqual([undefined, undefined, undefined, 'd']);
  });
});
