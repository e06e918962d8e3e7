import { createHash } from 'node:crypto';
import { mappingArn } from '../../lib/arns.js';
import type { Clock } from '../../lib/clock.js';
import { MAX_SYNC_PAYLOAD_BYTES } from '../../contracts/executor.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { uuid7 } from '../../lib/uuid7.js';
import type { AsyncService } from '../async/async.service.js';
import { destinationRecord } from '../async/destination-record.js';
import { CAP_RECHECK_MS, errorRetryDelayMs, throttleDelayMs } from '../async/retry-policy.js';
import type { InvokeResult, InvokeService } from '../functions/invoke.service.js';
import type { Mapping } from './sources.repository.js';
import type { SourcesService } from './sources.service.js';
import { failedItems } from './source-events.js';

/** The poller is stopping (lease lost, mapping disabled or deleted, process ending): nothing of the batch is acknowledged. */
export class Stopped extends Error {
  override name = 'Stopped';
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Stopped());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Stopped());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface BatchRunnerDeps {
  invoke: Pick<InvokeService, 'invoke'>;
  /** The mapping's alias or version, resolved for each invocation. */
  targetOf: SourcesService['targetOf'];
  events: Pick<AsyncService, 'queueSourceFailure'>;
  clock: Clock;
  log: Logger;
  /** TALLY_ASYNC_RETRY_BASE_MS: the first retry's delay after a function error. */
  retryBaseMs: number;
  /** The region the failure record's ARNs name (TALLY_REGION). */
  region: string;
}

/** `webhookSecret`: the failure webhook's signing secret, opened (SourcesService.openWebhookSecret). */
export type RunnerMapping = Pick<
  Mapping,
  'accountId' | 'id' | 'functionId' | 'functionName' | 'qualifier' | 'maximumRetryAttempts' | 'reportItemFailures' | 'onFailure'
> & { webhookSecret: string | null };

interface RunOptions {
  bisect: boolean;
  fromFirstFailure?: boolean;
  clientContext?: string;
}

/** The alias (or version) the mapping names is gone: the batch did not run, and fails as a function error does. */
interface NotFound {
  status: 'not-found';
  requestId: string;
  message: string;
}

/** A record that alone makes an event over what a synchronous invocation takes: it can never run. */
interface TooLarge {
  status: 'too-large';
  requestId: string;
  bytes: number;
}

/** Thrown out of the target's resolution only, so that the invoke path's own errors keep their handling. */
class TargetGone extends Error {}

/**
 * Runs a batch through the ordinary invoke path (metered, billed, capped and concurrency-limited
 * as any call) until each of its items either succeeded or reached the failure destination; only
 * then may the poller acknowledge it (docs/sources.md, "Acknowledgement"):
 * - refusals before the function ran (429, 5xx, a hard budget cap) wait and try again without
 *   using a retry: that is the backpressure from the function's and the account's limits;
 * - a function error or timeout is retried `maximumRetryAttempts` times (delays as async retries);
 *   with ReportBatchItemFailures only the reported items are retried; without, a failing batch of
 *   several messages is split in halves first, so one poison message does not fail its neighbours;
 * - a batch whose event is over 6 MiB runs as halves that fit; a record over it alone goes to the failure destination;
 * - then the failed items go to the failure destination in one record, durably, and count as done.
 */
export function createBatchRunner(deps: BatchRunnerDeps, m: RunnerMapping, signal: AbortSignal, report: (result: string) => void) {
  const log = deps.log.child({ mappingId: m.id });

  async function invokeOnce(payload: Buffer, clientContext: string | undefined): Promise<InvokeResult | NotFound> {
    for (let refusals = 1; ; refusals++) {
      if (signal.aborted) throw new Stopped();
      try {
        // Resolved for each invocation: an alias moved since the last batch takes effect now (docs/sources.md).
        const target = await deps.targetOf(m).catch((err: unknown) => {
          throw err instanceof AppError && err.code === 'FUNCTION_NOT_FOUND' ? new TargetGone(err.message) : err;
        });
        return await deps.invoke.invoke(m.accountId, m.functionName, payload, { logTail: false, clientContext, ...target });
      } catch (err) {
        if (signal.aborted) throw new Stopped();
        // Never $LATEST instead: the batch fails, and its retries and failure destination take it (as on Lambda).
        if (err instanceof TargetGone) return { status: 'not-found', requestId: uuid7(), message: err.message };
        const capped = err instanceof AppError && err.code === 'BUDGET_EXCEEDED';
        const message = err instanceof Error ? err.message : String(err);
        if (!(err instanceof AppError)) log.error({ err }, 'invoking for an event source failed; trying again');
        report(
          capped ? 'PROBLEM: Function call refused: the account is over a hard budget cap' : `PROBLEM: Function call refused: ${message}`,
        );
        await sleep(capped ? CAP_RECHECK_MS : throttleDelayMs(deps.retryBaseMs, refusals), signal);
      }
    }
  }

  async function toFailure(ids: string[], payload: Buffer, last: InvokeResult | NotFound | TooLarge, attempts: number): Promise<void> {
    const why =
      last.status === 'not-found'
        ? `Function not found (${last.message})`
        : last.status === 'too-large'
          ? `a record makes an event of ${last.bytes} bytes, over the ${MAX_SYNC_PAYLOAD_BYTES} an invocation takes`
          : 'Function call failed';
    if (!m.onFailure) {
      log.warn({ items: ids.length }, 'a batch failed every retry and the mapping has no failure destination: dropped');
      report(`PROBLEM: ${why}; records dropped (no failure destination)`);
      return;
    }
    const key = `${m.id}:${createHash('sha256').update(ids.join('\n')).digest('hex')}`;
    const record = JSON.parse(
      destinationRecord({
        requestId: last.requestId,
        region: deps.region,
        accountId: m.accountId,
        functionName: m.functionName,
        ...(m.qualifier !== null ? { qualifier: m.qualifier } : {}),
        condition: 'RetriesExhausted',
        dispatches: attempts,
        at: deps.clock.now(),
        // One too large to run is left out of the record too (the record names its item).
        requestPayload: last.status === 'too-large' ? Buffer.from('null') : payload,
        // A batch whose alias was gone, or too large, never ran: no response.
        response:
          last.status === 'not-found' || last.status === 'too-large'
            ? null
            : { version: last.version, functionError: last.status !== 'success', payload: last.payload },
      }),
    ) as Record<string, unknown>;
    // Until it is durable, the batch is not acknowledged: a failure here throws and the batch stays with the broker.
    const queued = deps.events.queueSourceFailure({
      accountId: m.accountId,
      functionId: m.functionId,
      mappingId: m.id,
      destination: m.onFailure,
      key,
      body: JSON.stringify({
        ...record,
        eventSourceMappingArn: mappingArn({ region: deps.region, accountId: m.accountId }, m.id),
        itemIdentifiers: ids,
      }),
      webhookSecret: m.webhookSecret,
    });
    const gone = await queued.then(
      () => false,
      (err: unknown) => {
        // A destination function deleted since: skipped, as an asynchronous invocation's destination is. Thrown, the
        // batch would stay with the broker and come back for ever, run (and billed) each time, holding up a stream.
        if (err instanceof AppError && err.code === 'FUNCTION_NOT_FOUND' && m.onFailure?.type === 'function') return true;
        throw err;
      },
    );
    if (gone) {
      const name = m.onFailure.type === 'function' ? m.onFailure.function : '';
      log.warn({ items: ids.length, destination: name }, 'the failure destination function is gone: a failed batch dropped');
      return report(`PROBLEM: ${why}; records dropped (failure destination function ${name} not found)`);
    }
    report(`PROBLEM: ${why}; records sent to the failure destination`);
  }

  /**
   * Resolves once every item succeeded or is at the failure destination; rejects with Stopped (or a database error): acknowledge nothing.
   * `clientContext` (base64 JSON) is what each invocation's context.clientContext holds.
   */
  async function runItems<T>(items: T[], idOf: (item: T) => string, build: (items: T[]) => Buffer, opts: RunOptions): Promise<void> {
    let pending = items;
    for (let attempts = 1; ; attempts++) {
      const payload = build(pending);
      // Over what an invocation takes (6 MiB), the invoke path refuses it before it runs, and would for ever: a batch
      // runs as halves (Lambda too fits a batch to the payload limit), and a record too large alone fails at once.
      if (payload.length > MAX_SYNC_PAYLOAD_BYTES) {
        if (pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          await runItems(pending.slice(0, half), idOf, build, opts);
          await runItems(pending.slice(half), idOf, build, opts);
          return;
        }
        return toFailure(pending.map(idOf), payload, { status: 'too-large', requestId: uuid7(), bytes: payload.length }, 0);
      }
      const r = await invokeOnce(payload, opts.clientContext);
      let failed: T[];
      if (r.status === 'success') {
        if (!m.reportItemFailures) return report('OK');
        const f = failedItems(r.payload, new Set(pending.map(idOf)));
        failed = f === 'all' ? pending : pending.filter((i) => f.has(idOf(i)));
        if (failed.length === 0) return report('OK');
      } else {
        failed = pending;
        // Halves of a batch whose alias is gone would fail alike: no split.
        if (opts.bisect && pending.length > 1 && !m.reportItemFailures && r.status !== 'not-found') {
          const half = Math.ceil(pending.length / 2);
          await runItems(pending.slice(0, half), idOf, build, opts);
          await runItems(pending.slice(half), idOf, build, opts);
          return;
        }
      }
      report(r.status === 'not-found' ? `PROBLEM: Function not found (${r.message})` : 'PROBLEM: Function call failed');
      if (attempts > m.maximumRetryAttempts) return toFailure(failed.map(idOf), build(failed), r, attempts);
      await sleep(errorRetryDelayMs(deps.retryBaseMs, attempts), signal);
      // Lambda's stream semantics (fromFirstFailure): the retry starts at the first failed item, the ones after it run again too.
      pending = opts.fromFirstFailure ? pending.slice(pending.indexOf(failed[0]!)) : failed;
    }
  }

  /**
   * Finishing: the mapping was changed (docs/sources.md, "Changing a mapping"). Batches already running end under the
   * settings they started with, retries and failure destination included, and are acknowledged; no new one starts.
   */
  let finishing = false;
  let running = 0;
  /** The poller ran part of what it can only acknowledge whole (`hold`): finishing waits for the rest. */
  let held = false;
  let idle: (() => void) | null = null;

  return {
    /**
     * Runs one batch; refused with Stopped (nothing invoked, nothing to acknowledge) once the runner is finishing,
     * unless the poller holds it for the rest of what it has part-run.
     */
    async run<T>(items: T[], idOf: (item: T) => string, build: (items: T[]) => Buffer, opts: RunOptions): Promise<void> {
      if (finishing && !held) throw new Stopped();
      running += 1;
      try {
        await runItems(items, idOf, build, opts);
      } finally {
        running -= 1;
        if (finishing && running === 0 && !held) idle?.();
      }
    },
    /**
     * `true`: the batches run so far end inside a unit the broker is acknowledged for only as a whole (a Postgres
     * transaction, confirmed at its end): finishing waits, and `run` still takes batches, until the poller has run
     * the rest and says `false`. Otherwise the next poller would get the whole unit again and run its first part twice.
     */
    hold(on: boolean): void {
      held = on;
      if (!on && finishing && running === 0) idle?.();
    },
    /** True once `finish` was called: a poller starts no batch then (what it read but did not run, the broker gives again). */
    get finishing(): boolean {
      return finishing;
    },
    /**
     * Starts no new batch, and resolves once the batches running have ended, a macrotask later: each poller
     * acknowledges a batch as soon as its run resolves (synchronously, or with a request it then awaits before
     * closing), so by then their acknowledgements are on their way and stopping the poller does not lose them.
     */
    finish(): Promise<void> {
      finishing = true;
      return new Promise<void>((resolve) => {
        const done = () => setImmediate(resolve);
        if (running === 0 && !held) done();
        else idle = done;
      });
    },
  };
}

export type BatchRunner = ReturnType<typeof createBatchRunner>;
