import { MAX_EVENTS_PER_BATCH, MAX_QUARANTINE_ENTRIES } from '../src/contracts/usage.js';
import { ApiError, type ApiClient } from './api-client.js';
import type { Log, UsageEvent } from './runtime/types.js';
import type { SpoolRecord, UsageSpool } from './spool.js';
import { isSpooledLogs } from '../src/contracts/logs.js';
import type { LogShipper } from './log-shipper.js';

export interface ReporterOptions {
  spool: Pick<UsageSpool<SpoolRecord>, 'readPending' | 'ack' | 'quarantine' | 'readQuarantine' | 'dropQuarantine'>;
  api: Pick<ApiClient, 'postUsage' | 'postQuarantine'>;
  log: Log;
  /** Ships the log lines spooled beside the usage; a segment is acknowledged only once both went through. */
  logs?: Pick<LogShipper, 'deliver'>;
  /** Counts events moved to quarantine (a prom-client Counter fits). */
  onQuarantined?: (events: number) => void;
  /** Pause between flushes while the api answers. */
  flushIntervalMs: number;
  /** First retry delay after a failure; doubles each time, up to maxBackoffMs, with full jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Sends spooled usage to `POST /v1/usage` in batches and deletes segments only once every event in
 * them was either acknowledged by the api (a 200) or refused for good, by name, and written to a
 * quarantine file. While the api is unreachable, or refuses a batch without naming events (a revoked
 * key, a key not registered), it retries with exponential backoff and full jitter and sets nothing
 * aside; whatever is left at a crash is replayed at the next start (the api's ingest is idempotent on
 * the invocation id, so a replay is never counted twice). Quarantine files are handed to the api's
 * quarantine (`POST /v1/usage/quarantine`) and deleted once it stored them.
 */
export class UsageReporter {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private started = false;
  private stopped = false;
  private sent = 0;
  private quarantineRetryAt = 0;
  private quarantineFailures = 0;

  constructor(private readonly options: ReporterOptions) {}

  /** Starts at once (usage left by a previous run goes first); calling it again does nothing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(0);
  }

  /** Events acknowledged by the api since start. */
  get acknowledged(): number {
    return this.sent;
  }

  /** Stops the timer and makes last attempts until everything is sent or the deadline passes (none if it never started). */
  async stop(deadline: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      // A send the timer started may be waiting on an api that does not answer: it gets the same deadline.
      if (this.running) await beforeDeadline(this.running, deadline);
      if (!this.started) return;
      while (Date.now() < deadline) {
        if (!(await beforeDeadline(this.flush(), deadline))) return;
      }
    } catch (err) {
      this.options.log.warn({ err: String(err) }, 'usage not delivered at shutdown; it stays spooled and is sent at the next start');
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

  /** Sends one batch; true when a backlog is left (the batch was full). Throws when the api did not take it. */
  private async flush(): Promise<boolean> {
    const segments = await this.options.spool.readPending({ maxRecords: MAX_EVENTS_PER_BATCH });
    if (segments.length > 0) {
      const records = segments.flatMap((s) => s.records);
      const usage = records.filter((r): r is UsageEvent => !isSpooledLogs(r));
      const logs = records.filter(isSpooledLogs);
      if (usage.length > 0) await this.deliver(usage);
      // Without a shipper (an older wiring) log records are left out, never sent as usage.
      if (logs.length > 0) await this.options.logs?.deliver(logs);
      await this.options.spool.ack(segments.map((s) => s.segmentId));
    }
    await this.reportQuarantine();
    // Only a backlog is sent again at once. Records that arrived during this send wait for the next
    // interval: sending whatever is there as soon as the last batch went made a batch (a sealed
    // segment, an ingest transaction, a logs post) every few invocations under steady load, and
    // that work competed with the invocations themselves (docs/performance.md). Durability does not
    // change: every record is fsync'd in the spool before its invocation is answered.
    return segments.more;
  }

  /**
   * Until every event is acknowledged or quarantined: the events the api names as refused go to a
   * quarantine file (durably, before anything is acknowledged), the others are sent again at once.
   * Each round sets at least one event aside, so this ends.
   */
  private async deliver(events: UsageEvent[]): Promise<void> {
    let pending = events;
    while (pending.length > 0) {
      try {
        const answer = await this.options.api.postUsage(pending);
        this.sent += pending.length;
        if (answer.conflicts > 0) this.options.log.error({ conflicts: answer.conflicts }, 'the api reported conflicting usage replays');
        return;
      } catch (err) {
        const refused = err instanceof ApiError ? err.refusedEvents(pending.length) : null;
        if (!refused) {
          if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
            // Nothing names an event: the key or the request is at fault. Nothing is set aside; it stays spooled.
            this.options.log.error(
              { err: err.message, status: err.status },
              "the api refused usage without naming events; it stays spooled and is retried: check this executor's key",
            );
          }
          throw err;
        }
        const refusedAt = new Date().toISOString();
        await this.options.spool.quarantine(
          [...refused].map(([index, reason]) => ({ event: pending[index], reason: reason.slice(0, 1000), refusedAt })),
        );
        this.options.onQuarantined?.(refused.size);
        this.options.log.error(
          { refused: refused.size, sample: [...refused.values()].slice(0, 3) },
          'the api refused usage events; they are quarantined and the others sent again',
        );
        pending = pending.filter((_, i) => !refused.has(i));
      }
    }
  }

  /** Hands quarantine files to the api, oldest first, with its own backoff: a refusal here blocks no usage. */
  private async reportQuarantine(): Promise<void> {
    if (Date.now() < this.quarantineRetryAt) return;
    try {
      for (const file of await this.options.spool.readQuarantine()) {
        try {
          for (let i = 0; i < file.entries.length; i += MAX_QUARANTINE_ENTRIES) {
            const chunk = file.entries.slice(i, i + MAX_QUARANTINE_ENTRIES);
            // As the api's quarantine takes them: an event, whatever it is, and a reason that says something.
            await this.options.api.postQuarantine(
              chunk.map((e) => ({ event: e.event ?? null, reason: e.reason || 'refused by the api; no reason was recorded' })),
            );
          }
        } catch (err) {
          // Refused for good (a line damaged into other valid JSON, say): tried again it would block every later
          // file, so it is kept aside for an operator, and the others go on.
          if (!(err instanceof ApiError && err.status === 400)) throw err;
          this.options.log.error(
            { file: file.fileId, err: err.message },
            "the api's quarantine refused a quarantine file; it is kept in quarantine/damaged/ for an operator",
          );
          await this.options.spool.dropQuarantine(file.fileId, file.entries.length, { aside: true });
          continue;
        }
        await this.options.spool.dropQuarantine(file.fileId, file.entries.length);
      }
      this.quarantineFailures = 0;
    } catch (err) {
      this.quarantineFailures += 1;
      const delay = Math.min(300_000, 1_000 * 2 ** Math.min(this.quarantineFailures, 10));
      this.quarantineRetryAt = Date.now() + delay;
      this.options.log.error(
        { err: String(err), retryInMs: delay },
        "could not hand quarantined usage to the api; it stays in the spool's quarantine folder",
      );
    }
  }
}

/** `work`, or a rejection once the deadline (ms since the epoch) passes first. */
function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the api did not answer before the shutdown deadline')), Math.max(0, deadline - Date.now()));
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
