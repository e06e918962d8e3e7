import { Type } from 'typebox';
import { IngestResultSchema, UsageEventSchema } from '../../contracts/usage.js';
import { Uuid } from '../../lib/schemas.js';
import type { QuarantineEntry } from './quarantine.repository.js';

export const QuarantineQuery = Type.Object(
  {
    accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    invocationId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    replayed: Type.Optional(Type.Boolean({ description: 'true: only replayed entries; false: only those still waiting' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    after: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "the previous page's `next` (an entry id, as earlier releases answered, is still taken)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const QuarantineEntryDto = Type.Object({
  id: Uuid,
  accountId: Type.String({ description: "the event's accountId when it was readable, else empty" }),
  invocationId: Type.String({ description: "the event's invocationId when it was readable, else empty" }),
  event: Type.Unknown({ description: 'the refused event exactly as the executor held it' }),
  reason: Type.String({ description: 'why the api refused it' }),
  executorId: Type.Union([Uuid, Type.Null()]),
  keyId: Type.Union([Uuid, Type.Null()], { description: 'the key that reported it: an executor key, or an account-scoped one' }),
  receivedAt: Type.String({ format: 'date-time' }),
  replayedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  replayedBy: Type.Union([Type.String(), Type.Null()]),
  replayOutcome: Type.Union([Type.Enum(['accepted', 'duplicate', 'conflict']), Type.Null()]),
});

export const QuarantineListDto = Type.Object({
  entries: Type.Array(QuarantineEntryDto),
  next: Type.Union([Type.String(), Type.Null()], {
    description: 'pass as `after` for the next page: where this page ended, which holds even once retention removed its last entry',
  }),
});

/** Any usage field but the dispatch token (an admin's replay needs none). */
const Corrections = Type.Object(Type.Partial(Type.Omit(UsageEventSchema, ['dispatchToken'])).properties, { additionalProperties: false });

export const ReplayBody = Type.Object(
  {
    set: Type.Optional(Corrections),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'why: written to the audit log' }),
  },
  { additionalProperties: false },
);

export const ReplayAnswerDto = Type.Object({
  id: Uuid,
  outcome: Type.Enum(['accepted', 'duplicate', 'conflict'], {
    description: 'accepted: billed now; duplicate: already billed; conflict: another content was billed',
  }),
  event: Type.Unknown({ description: 'the event as ingested' }),
  result: IngestResultSchema,
});

export const IdParams = Type.Object({ id: Uuid });

export const toEntryDto = (e: QuarantineEntry) => ({
  ...e,
  receivedAt: e.receivedAt.toISOString(),
  replayedAt: e.replayedAt ? e.replayedAt.toISOString() : null,
});
