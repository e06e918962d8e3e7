import type { InvokeSpec } from '../src/contracts/executor.js';
import {
  MAX_LOG_BATCH_BYTES,
  MAX_LOG_INVOCATIONS_PER_BATCH,
  type InvocationLogs,
  type LogLine,
  type LogIngestResult,
  type SpooledLogs,
} from '../src/contracts/logs.js';
import { ApiError } from './api-client.js';
import type { CapturedLine } from './runtime/log-lines.js';
import type { InvocationResult, Log } from './runtime/types.js';

/**
 * One invocation's log lines as a spool record, numbered in the order they were written. It goes
 * into the spool in the same append as the usage record (one write, one fsync), so a line written
 * before the invocation ended is as durable as its bill.
 */
export function logsOf(spec: InvokeSpec, result: InvocationResult): SpooledLogs | null {
  if (!result.lines || result.lines.length === 0) return null;
  return {
    kind: 'logs',
    requestId: result.requestId,
    accountId: spec.accountId,
    functionName: spec.name,
    architecture: spec.architecture,
    memoryMb: spec.memoryMb,
    ephemeralStorageMb: spec.ephemeralStorageMb,
    ...(spec.dispatchToken !== undefined ? { dispatchToken: spec.dispatchToken } : {}),
    lines: ordered(result.lines),
  };
}

/**
 * Numbered in the order written, with timestamps that never go back: a line is stamped when its first
 * byte came, so one finished after another (a partial line, the other pipe) may carry an earlier time,
 * and a query ordered by time must still show an invocation's lines in the order they were written.
 */
function ordered(lines: CapturedLine[]): LogLine[] {
  let last = 0;
  return lines.map((l, seq) => {
    last = Math.max(last, l.timestamp);
    return { seq, timestamp: last, message: l.message };
  });
}

const sizeOf = (lines: LogLine[]) => lines.reduce((n, l) => n + l.message.length + 40, 200);

/**
 * An invocation's lines in parts of about MAX_LOG_BATCH_BYTES of text each (one line of at most 256 KB
 * may make a part a little more). One invocation may keep 4 MB of init output and 4 MB of its own, and
 * JSON escapes a control character in six bytes: whole, it could pass the route's 32 MB body limit
 * (a 413, which drops its lines). The api stores each line once by its number, whatever part brings it.
 */
function parts(r: InvocationLogs): InvocationLogs[] {
  if (sizeOf(r.lines) <= MAX_LOG_BATCH_BYTES) return [r];
  const out: InvocationLogs[] = [];
  let lines: LogLine[] = [];
  let size = 200;
  for (const l of r.lines) {
    if (lines.length > 0 && size + l.message.length + 40 > MAX_LOG_BATCH_BYTES) {
      out.push({ ...r, lines });
      lines = [];
      size = 200;
    }
    lines.push(l);
    size += l.message.length + 40;
  }
  out.push({ ...r, lines });
  return out;
}

/** Splits the records into batches of at most 1,000 invocations and about 4 MB of text (an invocation's lines in parts). */
export function logBatches(records: InvocationLogs[]): InvocationLogs[][] {
  const batches: InvocationLogs[][] = [];
  let current: InvocationLogs[] = [];
  let bytes = 0;
  for (const r of records.flatMap(parts)) {
    const size = sizeOf(r.lines);
    if (current.length > 0 && (current.length >= MAX_LOG_INVOCATIONS_PER_BATCH || bytes + size > MAX_LOG_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Hands spooled log lines to `POST /v1/logs`. Throws while the api is away or answers 5xx, 401 or 403
 * (the segment stays spooled and is sent again: the api stores each line once). A 400 or a 404 (an
 * api without this route) is final for that batch: log lines are not billing data, and they must
 * not hold the usage in the same segment back forever; that is logged as an error. Lines the api
 * refuses one by one (another account's, stamped outside the time it takes) come back counted in a
 * 200 beside the lines it stored: logged, never resent.
 */
export function createLogShipper(deps: { api: { postLogs(invocations: InvocationLogs[]): Promise<LogIngestResult> }; log: Log }) {
  let sent = 0;
  return {
    get acknowledged(): number {
      return sent;
    },
    async deliver(records: SpooledLogs[]): Promise<void> {
      const invocations = records.map(({ kind: _kind, ...rest }) => rest);
      for (const batch of logBatches(invocations)) {
        try {
          const answer = await deps.api.postLogs(batch);
          sent += answer.accepted + answer.duplicates;
          if (answer.refused > 0) deps.log.error({ refused: answer.refused }, 'the api refused the log lines of some invocations');
          // Refused for good and not resent; the batch's other lines were stored (docs/logs.md, "Which times are taken").
          if ((answer.outOfRange ?? 0) > 0)
            deps.log.error(
              { outOfRange: answer.outOfRange },
              "the api refused log lines for their time (older than it keeps, or ahead of its clock): is this host's clock right?",
            );
        } catch (err) {
          if (err instanceof ApiError && (err.status === 400 || err.status === 404 || err.status === 413)) {
            deps.log.error(
              { err: err.message, invocations: batch.length },
              'the api refused a batch of log lines for good; they are dropped',
            );
            continue;
          }
          throw err;
        }
      }
    },
  };
}

export type LogShipper = ReturnType<typeof createLogShipper>;
