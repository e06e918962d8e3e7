import { execFile } from 'node:child_process';
import { DEFAULT_MAX_INSTANCE_AGE_S } from '../config.js';
import { FunctionInstance, InstanceGoneError, type InstanceOptions } from './instance.js';
import type { FunctionSpec, InvocationResult, Log } from './types.js';

/** Refused before it ran: not counted as a request, answered 429 by the api. */
export class TooManyRequestsError extends Error {
  override readonly name = 'TooManyRequestsError';
  readonly code = 'TOO_MANY_REQUESTS';
  readonly statusCode = 429;

  constructor(
    readonly reason: 'reserved_concurrency' | 'executor_capacity',
    readonly functionId: string,
  ) {
    super(
      reason === 'reserved_concurrency'
        ? `Function ${functionId} is at its reserved concurrency`
        : 'The executor is running as many instances as it can',
    );
  }
}

export interface PoolOptions {
  log: Log;
  /** Most live instances on this executor, all functions together. */
  capacity: number;
  /** An instance idle longer than this is killed. */
  idleTimeoutMs?: number;
  /**
   * An instance that has lived this long (each one a random 0-10 % less, so that instances started
   * together do not all go at once) takes no more invocations and is stopped once idle; the next call
   * starts a fresh one. Lambda does the same every few hours. 0: never.
   */
  maxAgeMs?: number;
  /** Passed to every instance (the isolation above all); pythonPath is resolved once when absent. */
  instance: Omit<InstanceOptions, 'log' | 'onExit'>;
  /** Builds (or finds) the Java runtime client; awaited by the first Java invocation only. */
  javaRuntime?: () => Promise<string>;
}

export interface PoolStats {
  instances: number;
  busy: number;
}

/** Warm instances per function version: reuse an idle one, start another up to the limits, reap the idle. */
export class FunctionPool {
  private readonly byVersion = new Map<string, FunctionInstance[]>();
  private readonly reaper: NodeJS.Timeout;
  private readonly idleTimeoutMs: number;
  private readonly maxAgeMs: number;
  /** Epoch ms after which an instance is retired (see maxAgeMs). */
  private readonly retireAt = new WeakMap<FunctionInstance, number>();
  private pythonLookup: Promise<string> | null = null;
  private pythonPath: string | undefined;
  private javaLookup: Promise<string | undefined> | null = null;
  private javaRuntimeDir: string | undefined;
  private closed = false;
  /** Instances must not outlive the executor, even when it exits without close(). */
  private readonly killAllOnExit = (): void =>
    this.forEach((i) => {
      i.killNow();
    });

  constructor(private readonly options: PoolOptions) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_INSTANCE_AGE_S * 1000;
    const shortest = this.maxAgeMs > 0 ? Math.min(this.idleTimeoutMs, this.maxAgeMs) : this.idleTimeoutMs;
    const every = Math.min(10_000, Math.max(10, Math.floor(shortest / 4)));
    this.reaper = setInterval(() => this.reap(), every);
    this.reaper.unref();
    process.on('exit', this.killAllOnExit);
  }

  /** Runs one invocation; rejects only with TooManyRequestsError (or after close()). */
  async invoke(
    spec: FunctionSpec,
    event: Buffer,
    requestId: string,
    clientContext?: string,
    qualifier?: string,
    /** performance.now() by which a cold instance must launch its runtime, or nothing runs (the caller no longer waits). */
    startBy?: number,
  ): Promise<InvocationResult> {
    const call = { requestId, clientContext, qualifier, startBy };
    if (this.closed) throw new Error('function pool is closed');
    if (spec.runtime === 'python' && this.pythonPath === undefined) {
      this.pythonLookup ??= resolvePython();
      this.pythonPath = this.options.instance.pythonPath ?? (await this.pythonLookup);
    }
    if (spec.runtime === 'java' && this.javaRuntimeDir === undefined && this.options.javaRuntime) {
      // A failed build leaves the directory unknown: the instance then fails to start and says why.
      this.javaLookup ??= this.options.javaRuntime().catch((err: unknown) => {
        this.options.log.error({ err }, 'could not build the Java runtime client');
        this.javaLookup = null;
        return undefined;
      });
      this.javaRuntimeDir = await this.javaLookup;
    }
    // Closed while the interpreter was looked up: an instance made now would outlive the pool, which no
    // longer lists it for close() or for the exit hook.
    if (this.closed) throw new Error('function pool is closed');
    try {
      return await this.acquire(spec).invoke(event, call);
    } catch (err) {
      if (!(err instanceof InstanceGoneError)) throw err;
      // Gone because the pool closed (it stopped the instance before its runtime took the event): as
      // above, an instance started now would outlive the pool.
      if (this.closed) throw new Error('function pool is closed');
      // The event never reached that instance; a cold one settles every failure as a result.
      return this.acquire(spec, { fresh: true }).invoke(event, call);
    }
  }

  stats(): PoolStats {
    let instances = 0;
    let busy = 0;
    this.forEach((i) => {
      if (!i.alive) return;
      instances += 1;
      if (i.busy) busy += 1;
    });
    return { instances, busy };
  }

  /** Kills every instance and stops reaping. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    process.removeListener('exit', this.killAllOnExit);
    const all: FunctionInstance[] = [];
    this.forEach((i) => {
      all.push(i);
    });
    this.byVersion.clear();
    await Promise.all(all.map((i) => i.dispose()));
  }

  private acquire(spec: FunctionSpec, opts: { fresh?: boolean } = {}): FunctionInstance {
    const key = `${spec.functionId}:${spec.version}`;
    // Dead instances (timed out, out of memory, crashed) are dropped now, not when their cleanup ends,
    // and idle ones past their age are stopped instead of reused.
    const now = Date.now();
    const list = (this.byVersion.get(key) ?? []).filter((i) => {
      if (!i.alive) return false;
      if (i.busy || !this.isOld(i, now)) return true;
      this.retire(i);
      return false;
    });
    this.byVersion.set(key, list);
    // Most recently used first, so the others go idle and get reaped.
    let warm: FunctionInstance | undefined;
    for (const i of opts.fresh ? [] : list) {
      if (!i.busy && i.alive && (!warm || i.lastUsedAt > warm.lastUsedAt)) warm = i;
    }
    if (warm) return warm;
    // Reserved concurrency is the function's, across its versions: an idle instance of an older
    // version gives way to the new one.
    const limit = spec.reservedConcurrency ?? Infinity;
    if (limit !== Infinity && this.countFunction(spec.functionId) >= limit) {
      const olderIdle = (i: FunctionInstance) => i.spec.functionId === spec.functionId && i.spec.version !== spec.version;
      if (limit === 0 || !this.evictIdle(olderIdle)) throw new TooManyRequestsError('reserved_concurrency', spec.functionId);
    }
    if (this.stats().instances >= this.options.capacity && !this.evictIdle()) {
      throw new TooManyRequestsError('executor_capacity', spec.functionId);
    }
    const instance = new FunctionInstance(spec, {
      ...this.options.instance,
      pythonPath: this.pythonPath ?? this.options.instance.pythonPath,
      javaRuntimeDir: this.javaRuntimeDir ?? this.options.instance.javaRuntimeDir,
      log: this.options.log,
      onExit: (gone) => this.remove(key, gone),
    });
    if (this.maxAgeMs > 0) this.retireAt.set(instance, Date.now() + this.maxAgeMs * (1 - 0.1 * Math.random()));
    list.push(instance);
    return instance;
  }

  /** Whether an instance has reached its maximum age (never, with maxAgeMs 0). */
  private isOld(instance: FunctionInstance, now: number): boolean {
    return (this.retireAt.get(instance) ?? Infinity) <= now;
  }

  /** Stops an instance at its maximum age; the caller drops it from its list. */
  private retire(instance: FunctionInstance): void {
    this.options.log.info(
      { functionId: instance.spec.functionId, version: instance.spec.version, instance: instance.id },
      'retiring an instance at its maximum age',
    );
    void instance.dispose();
  }

  private remove(key: string, instance: FunctionInstance): void {
    const list = this.byVersion.get(key);
    if (!list) return;
    const at = list.indexOf(instance);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.byVersion.delete(key);
  }

  private countFunction(functionId: string): number {
    let n = 0;
    this.forEach((i) => {
      if (i.alive && i.spec.functionId === functionId) n += 1;
    });
    return n;
  }

  /** Frees a slot by killing the least recently used idle instance (of any function, unless filtered). */
  private evictIdle(which: (i: FunctionInstance) => boolean = () => true): boolean {
    let oldest: FunctionInstance | undefined;
    this.forEach((i) => {
      if (!i.busy && i.alive && which(i) && (!oldest || i.lastUsedAt < oldest.lastUsedAt)) oldest = i;
    });
    if (!oldest) return false;
    this.detach(oldest);
    void oldest.dispose();
    return true;
  }

  private reap(): void {
    const now = Date.now();
    const cutoff = now - this.idleTimeoutMs;
    const idle: FunctionInstance[] = [];
    const old: FunctionInstance[] = [];
    this.forEach((i) => {
      if (i.busy || !i.alive) return;
      if (i.lastUsedAt < cutoff) idle.push(i);
      else if (this.isOld(i, now)) old.push(i);
    });
    for (const i of idle) {
      this.detach(i);
      void i.dispose();
    }
    for (const i of old) {
      this.detach(i);
      this.retire(i);
    }
  }

  private detach(instance: FunctionInstance): void {
    this.remove(`${instance.spec.functionId}:${instance.spec.version}`, instance);
  }

  private forEach(fn: (instance: FunctionInstance) => void): void {
    for (const list of this.byVersion.values()) list.forEach(fn);
  }
}

/** The interpreter behind `python3` (a pyenv shim costs ~80 ms per spawn, and needs the executor's env). */
export function resolvePython(command = 'python3'): Promise<string> {
  return new Promise((resolve) => {
    execFile(command, ['-c', 'import sys; print(sys.executable)'], (err, stdout) => {
      resolve(err || stdout.trim() === '' ? command : stdout.trim());
    });
  });
}
