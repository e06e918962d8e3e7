/**
 * A short-lived cache of database reads for the invoke path: function configurations, an account's
 * concurrency figures, qualifiers, function URLs, keys (docs/performance.md, "Caches refreshed ahead").
 *
 * An entry is trusted for `ttlMs` from when its read ended, and never served after: that bound is
 * what every replica promises about another's change ("shows within 2 s"). A hit in the last part
 * of that life (`refreshAheadMs`) starts one read in the background and answers with the entry, so a
 * key called at least once in that window is read again before it expires and no call of steady
 * traffic waits for the database; a key idle past its life is read on the next call, which waits.
 * Concurrent misses share one read. `delete`/`clear` (this process's own change) make every read
 * already started unfit to cache: it answers the calls that waited for it, and is then dropped.
 *
 * A library (lru-cache's `fetch` with `allowStale`) serves an expired entry while it refreshes,
 * however old: here an entry past its life must never answer, so the refresh starts before it.
 */
export interface FreshCacheOptions<V> {
  ttlMs: number;
  /** How long before its expiry a hit starts a refresh: a quarter of the life by default. */
  refreshAheadMs?: number;
  /** Past this many entries the cache is emptied (a bound, not an eviction policy: the entries live seconds). */
  maxEntries?: number;
  /** Whether a value read is kept (a key not found, say, may be asked again at once). All by default. */
  keep?: (value: V) => boolean;
  /** Told of each read as it starts: `waited` (a call waits for it: a miss, or an entry past its life), `ahead`. */
  onRead?: (read: CacheRead) => void;
  /** Milliseconds, for tests. */
  now?: () => number;
}

export type CacheRead = 'waited' | 'ahead';
/** Where a service's caches report their reads (the app counts them in `tally_cache_reads_total`). */
export type OnCacheRead = (cache: string, read: CacheRead) => void;

interface Entry<V> {
  value: V;
  expires: number;
}

/** `V` excludes undefined, which means "not cached" to `peek`: a read that finds nothing answers null. */
export class FreshCache<V extends NonNullable<unknown> | null> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  /** Bumped by every `delete` and `clear`: a read that started before must not be cached after. */
  private generation = 0;
  private readonly ttlMs: number;
  private readonly refreshAheadMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly load: (key: string) => Promise<V>,
    private readonly options: FreshCacheOptions<V>,
  ) {
    this.ttlMs = options.ttlMs;
    this.refreshAheadMs = Math.min(options.refreshAheadMs ?? options.ttlMs / 4, options.ttlMs);
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The value if this process read it lately (no promise: the warm path), starting a refresh near its expiry. */
  peek(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const left = entry.expires - this.now();
    if (left <= 0) return undefined;
    if (left <= this.refreshAheadMs && !this.loading.has(key)) {
      // The entry answers; a failed refresh leaves it to expire, and the next miss reads (and fails) again.
      this.read(key, 'ahead').catch(() => undefined);
    }
    return entry.value;
  }

  /** The value, from the cache or from one read shared by every caller waiting for it. */
  get(key: string): Promise<V> {
    const hit = this.peek(key);
    if (hit !== undefined) return Promise.resolve(hit);
    return this.loading.get(key) ?? this.read(key, 'waited');
  }

  /** Forgets a key (and any read of it under way): this process's own change shows at once. */
  delete(key: string): void {
    this.generation += 1;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  /** Forgets every key that starts with `prefix`. */
  deletePrefix(prefix: string): void {
    this.generation += 1;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
    for (const key of this.loading.keys()) if (key.startsWith(prefix)) this.loading.delete(key);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.loading.clear();
  }

  private read(key: string, why: CacheRead): Promise<V> {
    this.options.onRead?.(why);
    const startedAt = this.generation;
    const read = this.load(key).then((value) => {
      if (this.generation === startedAt && (this.options.keep?.(value) ?? true)) {
        if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.clear();
        this.entries.set(key, { value, expires: this.now() + this.ttlMs });
      } else if (this.generation === startedAt) {
        this.entries.delete(key);
      }
      return value;
    });
    this.loading.set(key, read);
    const settle = () => {
      if (this.loading.get(key) === read) this.loading.delete(key);
    };
    read.then(settle, settle);
    return read;
  }
}
