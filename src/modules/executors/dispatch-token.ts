import { createHmac } from 'node:crypto';
import { createCmac, type Cmac } from '../../lib/cmac.js';
import { MAX_BILLED_INIT_MS, type UsageEvent } from '../../contracts/usage.js';
import { withSpecField } from '../../contracts/executor.js';

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
 * Format: `v2.<timeoutS>.<base64url AES-CMAC tag, 16 bytes>`; the timeout travels in clear (ingest
 * needs it to bound the duration) and is covered by the tag. A batch's tags are checked together
 * (src/lib/cmac.ts: a thousand in about ten cipher calls): the MAC costs about a quarter of what an
 * HMAC per event did. Tokens of the first format, `v1.<timeoutS>.<base64url HMAC-SHA256>`, are
 * still accepted: executors may hold them in their spools across an upgrade.
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

/**
 * A token of either format: its version, the signed timeout, and the tag. A v2 tag is 16 bytes in 22
 * base64url characters whose last one carries 2 bits, so only A, Q, g or w may end it: one text per tag.
 */
const TOKEN = /^v(?:1\.([1-9]\d{0,2})\.([A-Za-z0-9_-]{43})|2\.([1-9]\d{0,2})\.([A-Za-z0-9_-]{21}[AQgw]))$/;

/** One line per claim: no claim can contain a newline (uuids, numbers, a function name pattern without control characters). */
function canonical(version: 1 | 2, c: DispatchClaims): string {
  // A template rather than an array join: ingest checks one token per event, and this was a visible share of it.
  return `tally-dispatch-v${version}\n${c.executorId.toLowerCase()}\n${c.invocationId.toLowerCase()}\n${c.accountId.toLowerCase()}\n${c.functionName}\n${c.memoryMb}\n${c.architecture}\n${c.ephemeralStorageMb}\n${c.timeoutS}`;
}

const hmacV1 = (secret: Buffer, c: DispatchClaims) => createHmac('sha256', secret).update(canonical(1, c)).digest('base64url');

/** The v2 tags' AES-256 key, derived from the shared secret (so replicas need nothing new), made once per secret. */
const cmacs = new WeakMap<Buffer, Cmac>();
function cmacOf(secret: Buffer): Cmac {
  let cmac = cmacs.get(secret);
  if (!cmac) {
    cmac = createCmac(createHmac('sha256', secret).update('tally-dispatch-v2 aes-cmac key').digest());
    cmacs.set(secret, cmac);
  }
  return cmac;
}

/** Whether two strings of one length are equal, taking the same time wherever they differ (no early exit). */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

export function signDispatch(secret: Buffer, claims: DispatchClaims): string {
  const tag = cmacOf(secret).tag(canonical(2, claims));
  return `v2.${claims.timeoutS}.${tag.toString('base64url')}`;
}

/** A v1 token, as the api signed them before v2: what replicas of an older version can check (TALLY_DISPATCH_TOKENS=v1). */
export function signDispatchV1(secret: Buffer, claims: DispatchClaims): string {
  return `v1.${claims.timeoutS}.${hmacV1(secret, claims)}`;
}

/** What a token for this usage event, reported by `executorId`, signs (its timeout given apart: the event carries none). */
export const dispatchClaimsOf = (executorId: string, e: UsageEvent, timeoutS: number): DispatchClaims => ({
  executorId,
  invocationId: e.invocationId,
  accountId: e.accountId,
  functionName: e.functionId,
  memoryMb: e.memoryMb,
  architecture: e.architecture,
  ephemeralStorageMb: e.ephemeralStorageMb ?? 512,
  timeoutS,
});

const MISSING: DispatchRefusal = {
  field: 'dispatchToken',
  reason: 'DISPATCH_TOKEN_MISSING',
  message: 'a platform executor key may only report invocations the api dispatched to it: dispatchToken is required',
};
const INVALID: DispatchRefusal = {
  field: 'dispatchToken',
  reason: 'DISPATCH_TOKEN_INVALID',
  message: 'the dispatch token does not match this event, or was not issued to the executor this key belongs to',
};

/**
 * Checks the usage events reported with the key bound to `executorId`: for each, null when it may be
 * billed, else why not. A token for another executor or with any signed field altered fails the same
 * way: the tag. The v2 tags of the whole batch are computed together.
 */
export function verifyDispatches(secret: Buffer, executorId: string, events: readonly UsageEvent[]): (DispatchRefusal | null)[] {
  const results: (DispatchRefusal | null)[] = new Array(events.length).fill(null);
  const timeouts = new Int32Array(events.length);
  const v2: number[] = [];
  const v2Texts: string[] = [];
  const v2Given: string[] = [];
  events.forEach((e, i) => {
    if (e.dispatchToken === undefined) {
      results[i] = MISSING;
      return;
    }
    const match = TOKEN.exec(e.dispatchToken);
    if (!match) {
      results[i] = INVALID;
    } else if (match[1] !== undefined) {
      timeouts[i] = Number(match[1]);
      // Compared as text (the signature's base64url form, 43 characters) without decoding the given one.
      if (!sameText(match[2]!, hmacV1(secret, dispatchClaimsOf(executorId, e, timeouts[i]!)))) results[i] = INVALID;
    } else {
      timeouts[i] = Number(match[3]);
      v2.push(i);
      v2Texts.push(canonical(2, dispatchClaimsOf(executorId, e, timeouts[i]!)));
      // Two characters more make 24, which decode to 18 whole bytes: the given tags decode in one call.
      v2Given.push(`${match[4]!}AA`);
    }
  });
  if (v2.length > 0) {
    const expected = cmacOf(secret).tags(v2Texts);
    const given = Buffer.from(v2Given.join(''), 'base64url');
    v2.forEach((i, k) => {
      let difference = 0;
      for (let b = 0; b < 16; b++) difference |= expected[16 * k + b]! ^ given[18 * k + b]!;
      if (difference !== 0) results[i] = INVALID;
    });
  }
  events.forEach((e, i) => {
    if (results[i] === null) results[i] = limitsRefusal(e, timeouts[i]!);
  });
  return results;
}

/** A genuine token's limits: the duration within the signed timeout, an init within 10 s (each with the clock's slack). */
function limitsRefusal(e: UsageEvent, timeoutS: number): DispatchRefusal | null {
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

/** The InvokeSpec JSON with the token added, without encoding the spec again. */
export const withDispatchToken = (spec: Buffer, token: string): Buffer => withSpecField(spec, 'dispatchToken', token);
