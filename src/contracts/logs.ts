import { Type, type Static } from 'typebox';
import { ARCHITECTURES, FUNCTION_ID_PATTERN, UUID_PATTERN } from './usage.js';

/**
 * Wire contract shared by the api and the executor: one invocation's log lines (`POST /v1/logs`).
 * The executor spools them in the same write as the invocation's usage record, so they are as
 * durable as its bill; the api stores each (account, request id, seq) once.
 */

/** Lambda cuts a log event at 256 KB; so do we (in UTF-8 bytes, on a character boundary). */
export const MAX_LOG_LINE_BYTES = 256 * 1024;
/** Lines kept per invocation beyond which the rest is dropped and counted in one line. */
export const MAX_LOG_LINES_PER_INVOCATION = 10_000;
/** Invocations per `POST /v1/logs` batch. */
export const MAX_LOG_INVOCATIONS_PER_BATCH = 1_000;
/** Bytes of log text per batch the executor sends (the route's body limit is above it). */
export const MAX_LOG_BATCH_BYTES = 4 * 1024 * 1024;

export const LogLineSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    /** Epoch milliseconds, when the executor read the line's first byte. */
    timestamp: Type.Integer({ minimum: 0, maximum: 1e14 }),
    // Characters, not bytes: a 256 KB line is at most 256 Ki characters.
    message: Type.String({ maxLength: MAX_LOG_LINE_BYTES }),
  },
  { additionalProperties: false },
);
export type LogLine = Static<typeof LogLineSchema>;

export const InvocationLogsSchema = Type.Object(
  {
    requestId: Type.String({ pattern: UUID_PATTERN }),
    accountId: Type.String({ pattern: UUID_PATTERN }),
    functionName: Type.String({ minLength: 1, maxLength: 256, pattern: FUNCTION_ID_PATTERN }),
    // What the dispatch token signs (as in the usage event), so a platform key's lines are checked the same way.
    architecture: Type.Enum(ARCHITECTURES),
    memoryMb: Type.Integer({ minimum: 128, maximum: 10_240 }),
    ephemeralStorageMb: Type.Optional(Type.Integer({ minimum: 512, maximum: 10_240 })),
    dispatchToken: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9._-]+$' })),
    // Init output and the invocation's own are each capped (plus their drop line), then a few platform lines.
    lines: Type.Array(LogLineSchema, { maxItems: 2 * (MAX_LOG_LINES_PER_INVOCATION + 1) + 16 }),
  },
  { additionalProperties: false },
);
export type InvocationLogs = Static<typeof InvocationLogsSchema>;

export const LogBatchSchema = Type.Object(
  { invocations: Type.Array(InvocationLogsSchema, { minItems: 1, maxItems: MAX_LOG_INVOCATIONS_PER_BATCH }) },
  { additionalProperties: false },
);

export const LogIngestResultSchema = Type.Object({
  accepted: Type.Integer({ description: 'lines stored now' }),
  duplicates: Type.Integer({ description: 'lines stored before (a resend): not stored again' }),
  refused: Type.Integer({ description: 'invocations refused for good (another account, a bad dispatch token): dropped' }),
  // Optional: an older api does not send it.
  outOfRange: Type.Optional(
    Type.Integer({
      description:
        "lines refused for good for their timestamp (older than the account's retention or the api's maximum age, or ahead of its clock): dropped",
    }),
  ),
});
export type LogIngestResult = Static<typeof LogIngestResultSchema>;

/** A spool line holding one invocation's logs, beside its usage record (a usage event has no `kind`). */
export interface SpooledLogs extends InvocationLogs {
  kind: 'logs';
}

export const isSpooledLogs = (record: object): record is SpooledLogs => (record as { kind?: unknown }).kind === 'logs';
