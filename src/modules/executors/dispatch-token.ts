import { createHmac } from 'node:crypto';
import { MAX_BILLED_INIT_MS, type UsageEvent } from '../../contracts/usage.js';

/**
 * Dispatch tokens: why a stolen platform executor key cannot bill (or credit) arbitrary accounts.
 *
 * When the api sends an invocation to an executor it signs, with a secret only the api replicas
 * hold, what that invocation may be billed as: which executor runs it, its id, account, function
 * name, memory, architecture, ephemeral storage and timeout. The executor copies the token into the
 * usage event; ingest recomputes the signature from the event and the executor the key is bound to.
 * A key can therefore only report invocations that were dispatched to its own executor, with the
 * settings they were dispatched with, for no longer than their timeout. Nothing is written on the
 * invoke path: the token is the record.
 *
 * Format: `v1.<timeoutS>.<base64url HMAC-SHA256>`; the timeout travels in clear (ingest needs it to
 * bound the duration) and is covered by the signature.
 */

export interface DispatchClaims {
  executorId: string;
  invocationId: string;
  accountId: string;
  /** The function's name: what usage reports in `functionId`. */
  functionName: string;
  memoryMb: number;
  architecture: string;
  ephemeralStorageMb: number;
  timeoutS: number;
}

/** The executor's clock reads a timeout a little late (timer and event-loop lag); more is not plausible. */
export const DURATION_SLACK_MS = 1_000;
/** Init is stopped at 10 s; the same lag allowance. */
export const INIT_SLACK_MS = 1_000;

export type DispatchRefusalReason =
  | 'DISPATCH_TOKEN_MISSING'
  | 'DISPATCH_TOKEN_INVALID'
  | 'DURATION_EXCEEDS_TIMEOUT'
  | 'INIT_DURATION_EXCEEDS_LIMIT';

export interface DispatchRefusal {
  field: 'dispatchToken' | 'durationMs' | 'initDurationMs';
  reason: DispatchRefusalReason;
  message: string;
}

const TOKEN = /^v1\.([1-9]\d{0,2})\.([A-Za-z0-9_-]{43})$/;

/** One line per claim: no claim can contain a newline (uuids, numbers, a function name pattern without control characters). */
function canonical(c: DispatchClaims): string {
  // A template rather than an array join: ingest checks one token per event, and this was a visible share of it.
  return `tally-dispatch-v1\n${c.executorId.toLowerCase()}\n${c.invocationId.toLowerCase()}\n${c.accountId.toLowerCase()}\n${c.functionName}\n${c.memoryMb}\n${c.architecture}\n${c.ephemeralStorageMb}\n${c.timeoutS}`;
}

const mac = (secret: Buffer, c: DispatchClaims) => createHmac('sha256', secret).update(canonical(c)).digest('base64url');

/** Whether two strings of one length are equal, taking the same time wherever they differ (no early exit). */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

export function signDispatch(secret: Buffer, claims: DispatchClaims): string {
  return `v1.${claims.timeoutS}.${mac(secret, claims)}`;
}

/**
 * Checks one usage event reported with the key bound to `executorId`; null when it may be billed.
 * A token for another executor or with any signed field altered fails the same way: the signature.
 */
export function verifyDispatch(secret: Buffer, executorId: string, e: UsageEvent): DispatchRefusal | null {
  if (e.dispatchToken === undefined) {
    return {
      field: 'dispatchToken',
      reason: 'DISPATCH_TOKEN_MISSING',
      message: 'a platform executor key may only report invocations the api dispatched to it: dispatchToken is required',
    };
  }
  const match = TOKEN.exec(e.dispatchToken);
  const timeoutS = match ? Number(match[1]) : 0;
  const expected = mac(secret, {
    executorId,
    invocationId: e.invocationId,
    accountId: e.accountId,
    functionName: e.functionId,
    memoryMb: e.memoryMb,
    architecture: e.architecture,
    ephemeralStorageMb: e.ephemeralStorageMb ?? 512,
    timeoutS,
  });
  // Compared as text (the signature's base64url form, 43 characters) without decoding the given one.
  if (!match || !sameText(match[2]!, expected)) {
    return {
      field: 'dispatchToken',
      reason: 'DISPATCH_TOKEN_INVALID',
      message: 'the dispatch token does not match this event, or was not issued to the executor this key belongs to',
    };
  }
  if (e.durationMs > timeoutS * 1000 + DURATION_SLACK_MS) {
    return {
      field: 'durationMs',
      reason: 'DURATION_EXCEEDS_TIMEOUT',
      message: `${e.durationMs} ms is longer than the function's timeout of ${timeoutS} s`,
    };
  }
  if (e.initDurationMs !== undefined && e.initDurationMs > MAX_BILLED_INIT_MS + INIT_SLACK_MS) {
    return {
      field: 'initDurationMs',
      reason: 'INIT_DURATION_EXCEEDS_LIMIT',
      message: `${e.initDurationMs} ms is longer than the ${MAX_BILLED_INIT_MS} ms an init may run`,
    };
  }
  return null;
}

/**
 * The InvokeSpec JSON with the token added, without encoding the spec again: the spec is encoded once
 * per function version and ends with `}`; a token is base64url and dots, so it needs no escaping.
 */
export function withDispatchToken(spec: Buffer, token: string): Buffer {
  return Buffer.concat([spec.subarray(0, spec.length - 1), Buffer.from(`,"dispatchToken":"${token}"}`)]);
}
