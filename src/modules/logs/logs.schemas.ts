import { Type } from 'typebox';
import { UUID_PATTERN } from '../../contracts/usage.js';

export const FunctionLogsParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }) });

export const LogsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive; default: as far back as the retention keeps' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive; default: now (ignored when following)' })),
    requestId: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: "one invocation's lines" })),
    filter: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'lines containing this text (case-sensitive, as CloudWatch terms)' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 100, description: 'lines per page' }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const LogEventDto = Type.Object({
  timestamp: Type.String({ format: 'date-time', description: 'when the executor read the line (ms)' }),
  requestId: Type.String(),
  message: Type.String({ description: 'the line, without its newline; cut at 256 KB' }),
});

export const LogsPageDto = Type.Object({
  events: Type.Array(LogEventDto),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
});

export const AccountParams = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) });

export const LogRetentionBody = Type.Object(
  { days: Type.Integer({ minimum: 1, maximum: 3653, description: 'days lines are kept (1 to 3653)' }) },
  { additionalProperties: false },
);

export const LogRetentionDto = Type.Object({
  accountId: Type.String(),
  days: Type.Integer(),
  isDefault: Type.Boolean({ description: 'true while the account has not set its own (30 days)' }),
});
