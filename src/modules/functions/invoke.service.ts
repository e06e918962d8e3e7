import type { IncomingHttpHeaders } from 'node:http';
import { COLD_START_PREPARE_MS, invokeHeaders, MAX_SYNC_PAYLOAD_BYTES, withSpecField } from '../../contracts/executor.js';
import { errors } from '../../lib/errors.js';
import { uuid7 } from '../../lib/uuid7.js';
import type { Logger } from '../../lib/logger.js';
import type { ExecutorClient } from '../executors/executors.client.js';
import { NotDeliveredError } from '../executors/executors.client.js';
import { withDispatchToken } from '../executors/dispatch-token.js';
import type { ExecutorsService } from '../executors/executors.service.js';
import type { Concurrency } from '../limits/concurrency.js';
import type { AccountConcurrency, FunctionsService } from './functions.service.js';

export interface InvokeOptions {
  version?: number;
  /** The version or alias as the caller named it (`live`, `3`): the function's context.invokedFunctionArn ends with it. */
  qualifier?: string;
  logTail: boolean;
  /** The invocation id to run under (an async attempt's, made when it was claimed); default: a new one. */
  requestId?: string;
  /** Base64 JSON the function sees as context.clientContext (the Lambda API's X-Amz-Client-Context). */
  clientContext?: string;
}

/** The function's answer, with what the api puts in the X-Tally-* headers. */
export interface InvokeResult {
  requestId: string;
  version: number;
  status: 'success' | 'error' | 'timeout';
  errorType: string | null;
  payload: Buffer;
  billedDurationMs: string;
  initDurationMs: string | null;
  logResult: string | null;
}

/** How long an invocation waits for an executor still starting in this process. */
const LOCAL_START_WAIT_MS = 30_000;
/**
 * Time allowed on top of the function's timeout: a cold start's code, image and sandbox (the executor
 * launches no runtime past COLD_START_PREPARE_MS), its init (10 s at most) and the trip. Before it covered
 * only the init and the trip, and an executor still getting the code when the api gave up (502) went on
 * to run the invocation and bill it.
 */
const FORWARD_SLACK_MS = COLD_START_PREPARE_MS + 15_000;

const header = (h: IncomingHttpHeaders, name: string): string | null => {
  const v = h[name];
  return typeof v === 'string' ? v : null;
};

export function createInvokeService(deps: {
  /** Configurations, and the account's concurrency figures (its limit, and what reservations leave): one definition of each. */
  functions: Pick<FunctionsService, 'resolve' | 'concurrency' | 'cachedConcurrency'>;
  executors: Pick<ExecutorsService, 'candidates' | 'markDown' | 'signDispatch'>;
  client: ExecutorClient;
  log: Logger;
  /** Slots of the account's and reserved functions' limits, shared by the replicas. */
  concurrency: Pick<Concurrency, 'acquire'>;
  /** Refuses an invocation before it runs (a budget's hard cap); throws an AppError to refuse. */
  admit?: (accountId: string, fn: { id: string; name: string }) => void | Promise<void>;
}) {
  /**
   * A slot for one invocation, as Lambda counts them (docs/scaling.md, "Reserved concurrency"): a
   * function that reserves concurrency runs in its own reservation, which no other function can take;
   * every other function shares what reservations leave of the account's limit (the unreserved pool).
   * Every invocation also takes a slot of the account's whole limit, which therefore holds even while
   * a new reservation meets invocations already running (found by a review on 2026-12-07: 7 ran at once
   * under a limit of 4). 429 when either is full. The account's limit is its own when the operator set
   * one, read with its reservations from the functions service's short cache: no query on a warm call.
   */
  async function admitConcurrency(
    accountId: string,
    config: { id: string; name: string; reservedConcurrency: number | null },
  ): Promise<() => void> {
    const figures = deps.functions.cachedConcurrency(accountId) ?? (await deps.functions.concurrency(accountId));
    // The function's own pool first: a function at its reservation is told so, not that the account is full.
    const pool = await poolSlot(accountId, config, figures);
    const account = await deps.concurrency.acquire(accountId, 'account', figures.limit);
    if (!account) {
      pool();
      throw errors.tooManyRequests(`This account already has ${figures.limit} invocations running, its concurrency limit`, {
        reason: 'account_concurrency',
      });
    }
    return () => {
      pool();
      account();
    };
  }

  /** The function's reservation, or the account's unreserved pool: 429 when it is full. */
  async function poolSlot(
    accountId: string,
    config: { id: string; name: string; reservedConcurrency: number | null },
    { limit, reserved, unreserved }: AccountConcurrency,
  ) {
    if (config.reservedConcurrency !== null) {
      // Never past the account's own limit (a reservation made before reservations were checked may be larger).
      const own = await deps.concurrency.acquire(accountId, config.id, Math.min(config.reservedConcurrency, limit));
      if (own) return own;
      throw errors.tooManyRequests(`Function ${config.name} is at its reserved concurrency (${config.reservedConcurrency})`, {
        reason: 'reserved_concurrency',
      });
    }
    const slot = await deps.concurrency.acquire(accountId, 'unreserved', unreserved);
    if (slot) return slot;
    throw errors.tooManyRequests(
      `This account's unreserved concurrency is in use: ${unreserved} invocations running (its limit is ${limit}, of which its functions reserve ${reserved})`,
      { reason: 'account_concurrency' },
    );
  }

  return {
    /**
     * Runs one synchronous invocation on a live executor: the function's preferred one first
     * (rendezvous), the next on a refused connection or a full executor. A request that may have
     * reached an executor is never sent twice.
     */
    async invoke(accountId: string, name: string, event: Buffer, opts: InvokeOptions): Promise<InvokeResult> {
      // The executor refuses more (by dropping the connection: a 502 here). Routes check their bodies, but an
      // event built from one can be larger: a function URL's binary body, base64 in its payload 2.0 event.
      if (event.length > MAX_SYNC_PAYLOAD_BYTES)
        throw errors.payloadTooLarge(
          `The event is ${event.length} bytes; a synchronous invocation takes at most ${MAX_SYNC_PAYLOAD_BYTES} bytes`,
        );
      const target = await deps.functions.resolve(accountId, name, opts.version);
      const { config } = target;
      if (deps.admit) await deps.admit(accountId, { id: config.id, name: config.name });
      // Time-ordered (v7): it becomes the invocation id, whose month places its usage row (migration 0092).
      const requestId = opts.requestId ?? uuid7();
      const timeoutMs = config.timeoutS * 1000 + FORWARD_SLACK_MS;
      let routes = await deps.executors.candidates(config.id);
      // Right after `npm start` the api listens before its own executor has built its sandbox.
      if (routes.length === 0 && (await deps.client.awaitLocal(LOCAL_START_WAIT_MS)))
        routes = await deps.executors.candidates(config.id, { fresh: true });
      if (routes.length === 0) throw errors.noExecutor();
      // Reserved concurrency is the function's, as on Lambda, whatever version is called: the latest
      // version's setting (a cached look-up) also bounds, or throttles, calls to earlier ones.
      const reservedConcurrency =
        opts.version === undefined
          ? config.reservedConcurrency
          : (await deps.functions.resolve(accountId, name)).config.reservedConcurrency;
      const leave = await admitConcurrency(accountId, { id: config.id, name: config.name, reservedConcurrency });
      // The executor bounds a function's instances by the spec's reservation too: the function's, not the
      // called version's (found by a review on 2026-12-07: a version made while the function was throttled
      // stayed throttled at the executor once the throttle was lifted). Rare: a version called by number.
      const functionSpec =
        reservedConcurrency === config.reservedConcurrency
          ? target.spec
          : Buffer.from(JSON.stringify({ ...JSON.parse(target.spec.toString('utf8')), reservedConcurrency }));
      // A call through an alias or version: the spec, encoded once per version, gains the name the caller used.
      const versionSpec = opts.qualifier === undefined ? functionSpec : withSpecField(functionSpec, 'qualifier', opts.qualifier);
      try {
        let full = 0;
        for (let pass = 0; ; pass++) {
          for (const route of routes) {
            if (route.inFlight >= route.capacity) {
              full += 1;
              continue;
            }
            // Signed for this executor: the usage it reports back is accepted only with this token.
            const token = await deps.executors.signDispatch({
              executorId: route.id,
              invocationId: requestId,
              accountId: config.accountId,
              functionName: config.name,
              memoryMb: config.memoryMb,
              architecture: config.architecture,
              ephemeralStorageMb: config.ephemeralStorageMb,
              timeoutS: config.timeoutS,
            });
            const spec = withDispatchToken(versionSpec, token);
            route.inFlight += 1;
            let answer: Awaited<ReturnType<ExecutorClient['forward']>>;
            try {
              answer = await deps.client.forward(route, {
                requestId,
                spec,
                event,
                logTail: opts.logTail,
                timeoutMs,
                clientContext: opts.clientContext,
              });
            } catch (err) {
              if (err instanceof NotDeliveredError) {
                deps.executors.markDown(route, err.message);
                continue;
              }
              deps.log.error({ err, executorId: route.id, requestId }, 'executor failed during an invocation');
              throw errors.executorFailed(`The executor running invocation ${requestId} failed before answering`);
            } finally {
              route.inFlight -= 1;
            }
            const h = answer.headers;
            if (answer.status === 429) {
              if (header(h, invokeHeaders.throttleReason) === 'executor_capacity') {
                full += 1;
                continue;
              }
              throw errors.tooManyRequests(`Function ${name} is at its reserved concurrency (${config.reservedConcurrency ?? 0})`, {
                reason: 'reserved_concurrency',
              });
            }
            // 401: it restarted with a new token we have not read yet; 503: it is shutting down. Neither ran it.
            if (answer.status === 401 || answer.status === 503) {
              deps.executors.markDown(route, `it answered ${answer.status}`);
              continue;
            }
            if (answer.status !== 200) {
              deps.log.error(
                { executorId: route.id, status: answer.status, requestId, body: answer.body.toString('utf8', 0, 500) },
                'executor refused an invocation',
              );
              throw errors.executorFailed(`The executor could not run invocation ${requestId} (status ${answer.status})`);
            }
            const status = header(h, invokeHeaders.status);
            return {
              requestId,
              version: config.version,
              status: status === 'error' || status === 'timeout' ? status : 'success',
              errorType: header(h, invokeHeaders.errorType),
              payload: answer.body,
              billedDurationMs: header(h, invokeHeaders.billedDurationMs) ?? '0',
              initDurationMs: header(h, invokeHeaders.initDurationMs),
              logResult: header(h, invokeHeaders.logResult),
            };
          }
          // Every route refused the connection: after a restart the last run's executor can still be
          // registered while the one this process is starting is not yet. Wait for it, once, and read
          // the executors again from a read begun after it registered.
          if (full > 0 || pass > 0 || !(await deps.client.awaitLocal(LOCAL_START_WAIT_MS))) break;
          routes = await deps.executors.candidates(config.id, { fresh: true });
        }
        if (full > 0)
          throw errors.tooManyRequests('Every executor is running as many instances as it can; retry with backoff', {
            reason: 'executor_capacity',
          });
        throw errors.noExecutor();
      } finally {
        leave();
      }
    },
  };
}

export type InvokeService = ReturnType<typeof createInvokeService>;
