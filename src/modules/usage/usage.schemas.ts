import { Type } from 'typebox';

const Counts = {
  requests: Type.Integer(),
  billedMs: Type.Integer({ description: 'billed milliseconds (cap and init applied)' }),
  gbSeconds: Type.String({ description: 'exact decimal: MB-ms / 1024 / 1000' }),
  errors: Type.Integer(),
  timeouts: Type.Integer(),
};

export const UsageQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'inclusive, rounded down to the hour; default: the start of the UTC month `to` ends in (this month without `to`)',
      }),
    ),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive, rounded up to the hour; default: now' })),
    granularity: Type.Enum(['hour', 'day', 'month'], { default: 'day' }),
    groupBy: Type.Optional(Type.Enum(['function', 'architecture'])),
    functionId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: false },
);

export const UsageAnswerDto = Type.Object({
  accountId: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  granularity: Type.String(),
  groupBy: Type.Union([Type.String(), Type.Null()]),
  buckets: Type.Array(
    Type.Object({
      start: Type.String({ format: 'date-time' }),
      functionId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      architecture: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      ...Counts,
    }),
  ),
  totals: Type.Object(Counts),
});
