import { Type, type Static } from 'typebox';
import { FUNCTION_NAME_PATTERN } from '../functions/functions.schemas.js';

export const Dest = Type.Union(
  [
    Type.Object(
      { type: Type.Literal('function'), function: Type.String({ pattern: FUNCTION_NAME_PATTERN }) },
      { additionalProperties: false, description: 'another function of the account, invoked asynchronously with the record as its event' },
    ),
    Type.Object(
      { type: Type.Literal('webhook'), url: Type.String({ pattern: '^https?://', maxLength: 2048 }) },
      { additionalProperties: false, description: 'a URL the record is POSTed to, signed as budget alerts are' },
    ),
  ],
  { description: 'where the destination record goes' },
);

export const EventInvokeConfigBody = Type.Object(
  {
    maximumRetryAttempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 2, description: 'retries after a function error; default 2' })),
    maximumEventAgeS: Type.Optional(
      Type.Integer({ minimum: 60, maximum: 21_600, description: 'seconds an event may wait before it is dropped; default 21600' }),
    ),
    destinations: Type.Optional(
      Type.Object({ onSuccess: Type.Optional(Dest), onFailure: Type.Optional(Dest) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type EventInvokeConfigBody = Static<typeof EventInvokeConfigBody>;

export const EventInvokeConfigQuery = Type.Object(
  {
    qualifier: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'an alias or published version of the function, or $LATEST (the default): each has its own configuration',
      }),
    ),
  },
  { additionalProperties: false },
);

export const EventInvokeConfigDto = Type.Object({
  functionName: Type.String(),
  qualifier: Type.String({
    description: "what the configuration belongs to: $LATEST (the unqualified function's), a version number or an alias",
  }),
  maximumRetryAttempts: Type.Integer(),
  maximumEventAgeS: Type.Integer(),
  destinations: Type.Object({ onSuccess: Type.Optional(Dest), onFailure: Type.Optional(Dest) }),
  lastModified: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null: the defaults, never set' }),
  webhookSecret: Type.Optional(
    Type.String({ description: 'the webhook signing secret of this configuration: shown once, when first made' }),
  ),
});

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'expired'] as const;

export const InvocationDto = Type.Object({
  requestId: Type.String(),
  functionName: Type.String(),
  type: Type.Enum(['sync', 'async']),
  status: Type.Enum(STATUSES),
  attempts: Type.Integer({ description: 'runs that ended (success, function error or timeout)' }),
  lastError: Type.Optional(Type.String()),
  source: Type.Optional(Type.Enum(['api', 'schedule', 'destination', 'event-source'])),
  throttles: Type.Optional(
    Type.Integer({ description: 'times it was refused before running (429, 5xx) and retried without using an attempt' }),
  ),
  queuedAt: Type.Optional(Type.String({ format: 'date-time' })),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  nextAttemptAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  finishedAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  invocationIds: Type.Optional(Type.Array(Type.String(), { description: "each run's invocation id, as its usage record names it" })),
  destination: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  destinationDelivery: Type.Optional(
    Type.Object({
      status: Type.String(),
      attempts: Type.Integer(),
      deliveredAt: Type.Union([Type.String(), Type.Null()]),
      lastError: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export const InvocationListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(STATUSES)),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    before: Type.Optional(Type.String({ format: 'uuid', description: 'the last requestId of the previous page' })),
  },
  { additionalProperties: false },
);

export const InvocationListDto = Type.Object({
  invocations: Type.Array(
    Type.Object({
      requestId: Type.String(),
      status: Type.Enum(STATUSES),
      source: Type.Enum(['api', 'schedule', 'destination', 'event-source']),
      attempts: Type.Integer(),
      lastError: Type.Optional(Type.String()),
      queuedAt: Type.String({ format: 'date-time' }),
      finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
  ),
  next: Type.Union([Type.String(), Type.Null()], { description: 'pass as `before` for the next page' }),
});
