import { Type, type Static } from 'typebox';

/** Wire contract shared by the api and the executor: the usage event (docs/architecture.md, step 5). */
export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];
export const INVOCATION_STATUSES = ['success', 'error', 'timeout'] as const;
export type InvocationStatus = (typeof INVOCATION_STATUSES)[number];

export const MAX_BILLED_DURATION_MS = 900_000;
export const MAX_BILLED_INIT_MS = 10_000;
export const MAX_EVENTS_PER_BATCH = 10_000;

/** A plain RFC 4122 text uuid: ajv's "uuid" format also lets `urn:uuid:` through, which Postgres refuses. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const UUID = new RegExp(UUID_PATTERN);
/** The one uuid check, for ids that arrive outside a validated schema (path segments, headers, files). */
export const isUuid = (text: string): boolean => UUID.test(text);
/** Letters, digits and a few separators: no control characters (Postgres refuses NUL) and no lone surrogates. */
export const FUNCTION_ID_PATTERN = '^[\\p{L}\\p{N}._:/@+=#-]+$';

export const UsageEventSchema = Type.Object(
  {
    invocationId: Type.String({ pattern: UUID_PATTERN }),
    accountId: Type.String({ pattern: UUID_PATTERN }),
    functionId: Type.String({ minLength: 1, maxLength: 256, pattern: FUNCTION_ID_PATTERN }),
    architecture: Type.Enum(ARCHITECTURES),
    memoryMb: Type.Integer({ minimum: 128, maximum: 10_240 }),
    // Any finite duration is accepted and clamped when billed; absurd values (or JSON's 1e999) are refused.
    durationMs: Type.Number({ minimum: 0, maximum: 1e12 }),
    startedAt: Type.String({ format: 'date-time' }),
    status: Type.Enum(INVOCATION_STATUSES),
    initDurationMs: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
    maxMemoryUsedMb: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    ephemeralStorageMb: Type.Optional(Type.Integer({ minimum: 512, maximum: 10_240 })),
    dispatchToken: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        pattern: '^[A-Za-z0-9._-]+$',
        description: 'signed by the api when it dispatched the invocation; required with a platform-wide executor key',
      }),
    ),
  },
  { additionalProperties: false },
);
export type UsageEvent = Static<typeof UsageEventSchema>;

export const UsageBatchSchema = Type.Object(
  { events: Type.Array(UsageEventSchema, { minItems: 1, maxItems: MAX_EVENTS_PER_BATCH }) },
  { additionalProperties: false },
);
export type UsageBatch = Static<typeof UsageBatchSchema>;

export const IngestResultSchema = Type.Object({
  accepted: Type.Integer({ description: 'events stored and counted now' }),
  duplicates: Type.Integer({ description: 'replays of events already counted (same content; startedAt may differ)' }),
  conflicts: Type.Integer({ description: 'known invocation ids whose content differs: never counted twice' }),
  conflictIds: Type.Array(Type.String(), { description: 'the first 100 conflicting invocation ids' }),
});
export type IngestResult = Static<typeof IngestResultSchema>;

/**
 * One refused event in the `details` of a 400 or 403 answer to `POST /v1/usage`: every refused event
 * is listed, so an executor can resend the others at once and quarantine only these. Entries carry
 * at least `index`; most also `field`, `reason` (a code) and `message`.
 */
export interface UsageRefusal {
  index: number;
  field?: string;
  reason?: string;
  message?: string;
  accountId?: string;
}

/** Most events in one quarantine report. */
export const MAX_QUARANTINE_ENTRIES = 10_000;

/**
 * `POST /v1/usage/quarantine` (executor key): events the api refused for good, as the executor holds
 * them, each with the api's reason. Stored once per (account, invocation, content); never billed here.
 */
export const QuarantineReportSchema = Type.Object(
  {
    entries: Type.Array(
      Type.Object(
        {
          event: Type.Unknown({ description: 'the refused event, exactly as sent (it may not be a valid event)' }),
          reason: Type.String({ minLength: 1, maxLength: 2000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_QUARANTINE_ENTRIES },
    ),
  },
  { additionalProperties: false },
);
export type QuarantineReport = Static<typeof QuarantineReportSchema>;

export const QuarantineReportAnswerSchema = Type.Object({
  stored: Type.Integer({ description: 'entries stored now' }),
  duplicates: Type.Integer({ description: 'entries already stored (a report sent again)' }),
});
export type QuarantineReportAnswer = Static<typeof QuarantineReportAnswerSchema>;
