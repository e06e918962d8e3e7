import { MAX_EVENTS_PER_BATCH } from '../src/contracts/usage.js';
import { ApiError, type ApiClient } from './api-client.js';
import type { Log } from './runtime/types.js';
import type { SpoolSegment, UsageSpool } from './spool.js';

export interface ReporterOptions {
  spool: UsageSpool;
  api: Pick<ApiClient, 'postUsage'>;
  log: Log;
  /** Pause between flushes while the api answers. */
  flushIntervalMs: number;
  /** First retry delay after a failure; doubles each time, up to maxBackoffMs, with full jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Sends spooled usage to `POST /v1/usage` in batches and deletes a segment only after the api
 * acknowledged it with a 200. While the api is unreachable it retries with exponential backoff
 * and full jitter; whatever is left at a crash is replayed at the next start (the api's ingest is
 * idempotent on the invocation id, so a replay is never counted twice).
 */
export class UsageReporter {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private stopped = false;
  private sent = 0;

  constructor(private readonly options: ReporterOptions) {}

  /** Starts at once: usage left by a previous run goes first. */
  start(): void {
    this.schedule(0);
  }

  /** Events acknowledged by the api since start. */
  get acknowledged(): number {
    return this.sent;
  }

  /** Stops the timer and makes last attempts until everything is sent or the deadline passes. */
  async stop(deadline: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    while (Date.now() < deadline) {
      try {
        const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now())).unref());
        const more = await Promise.race([this.flush(), late]);
        if (more === 'late') throw new Error('the api did not answer before the shutdown deadline');
        if (!more) return;
      } catch (err) {
        this.options.log.warn({ err: String(err) }, 'usage not delivered at shutdown; it stays spooled and is sent at the next start');
        return;
      }
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick().finally(() => {
        this.running = null;
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const more = await this.flush();
      this.failures = 0;
      this.schedule(more ? 0 : this.options.flushIntervalMs);
    } catch (err) {
      this.failures += 1;
      const base = this.options.baseBackoffMs ?? 250;
      const cap = this.options.maxBackoffMs ?? 30_000;
      const delay = Math.floor(Math.random() * Math.min(cap, base * 2 ** Math.min(this.failures, 20)));
      this.options.log.warn({ err: String(err), failures: this.failures, retryInMs: delay }, 'usage flush failed; retrying');
      this.schedule(delay);
    }
  }

  /** Sends one batch; true when more is waiting. Throws when the api did not acknowledge. */
  private async flush(): Promise<boolean> {
    const segments = await this.options.spool.readPending({ maxRecords: MAX_EVENTS_PER_BATCH });
    if (segments.length === 0) return false;
    try {
      await this.send(segments);
    } catch (err) {
      if (!(err instanceof ApiError && err.permanent)) throw err;
      // One bad event refuses a whole batch: find the segment(s) at fault, send the others.
      for (const segment of segments) {
        try {
          await this.send([segment]);
        } catch (single) {
          if (!(single instanceof ApiError && single.permanent)) throw single;
          this.options.log.error({ segment: segment.segmentId, err: single.message }, 'the api refused a usage segment for good; moved to rejected/');
          await this.options.spool.reject([segment.segmentId]);
        }
      }
    }
    return true;
  }

  private async send(segments: SpoolSegment[]): Promise<void> {
    const events = segments.flatMap((s) => s.records);
    const answer = await this.options.api.postUsage(events);
    await this.options.spool.ack(segments.map((s) => s.segmentId));
    this.sent += events.length;
    if (answer.conflicts > 0) this.options.log.error({ conflicts: answer.conflicts }, 'the api reported conflicting usage replays');
  }
}
