import { Type } from 'typebox';
import { FUNCTION_NAME_PATTERN } from '../functions/functions.schemas.js';

const targetFields = {
  function: Type.String({ pattern: FUNCTION_NAME_PATTERN, description: 'a function of the account, invoked asynchronously' }),
  input: Type.Optional(Type.Unknown({ description: "the event (any JSON); absent: EventBridge's scheduled event" })),
};

const Target = Type.Object(
  {
    ...targetFields,
    qualifier: Type.Optional(
      Type.String({
        pattern: '^(\\$LATEST|[A-Za-z0-9_-]{1,128})$',
        description:
          'an alias or a published version number of the function (it must exist), resolved at every tick; absent or $LATEST: the latest version',
      }),
    ),
  },
  { additionalProperties: false },
);

const TargetDto = Type.Object(
  {
    ...targetFields,
    qualifier: Type.String({ description: 'the alias or published version the ticks run, or $LATEST' }),
  },
  { additionalProperties: false },
);

const FlexibleTimeWindow = Type.Object(
  {
    mode: Type.Enum(['OFF', 'FLEXIBLE']),
    maximumWindowInMinutes: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1440, description: 'FLEXIBLE: each tick runs within this many minutes after it' }),
    ),
  },
  { additionalProperties: false },
);

const settings = {
  expression: Type.String({ minLength: 1, maxLength: 256, description: 'rate(5 minutes), cron(0 12 * * ? *) or at(2026-12-24T18:00:00)' }),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone the expression is read in; default UTC' }),
  target: Target,
  enabled: Type.Boolean({ description: 'a disabled schedule does not fire; default true' }),
  flexibleTimeWindow: FlexibleTimeWindow,
};

export const ScheduleName = Type.String({ pattern: '^[0-9A-Za-z_.-]{1,64}$' });

export const CreateScheduleBody = Type.Object(
  {
    name: ScheduleName,
    expression: settings.expression,
    timezone: Type.Optional(settings.timezone),
    target: settings.target,
    enabled: Type.Optional(settings.enabled),
    flexibleTimeWindow: Type.Optional(settings.flexibleTimeWindow),
  },
  { additionalProperties: false },
);

export const UpdateScheduleBody = Type.Object(
  {
    expression: Type.Optional(settings.expression),
    timezone: Type.Optional(settings.timezone),
    target: Type.Optional(settings.target),
    enabled: Type.Optional(settings.enabled),
    flexibleTimeWindow: Type.Optional(settings.flexibleTimeWindow),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ScheduleDto = Type.Object({
  name: Type.String(),
  expression: Type.String(),
  timezone: Type.String(),
  target: TargetDto,
  enabled: Type.Boolean(),
  flexibleTimeWindow: FlexibleTimeWindow,
  nextFireAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'the next tick; null: disabled or no tick left',
  }),
  lastFiredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const ScheduleParams = Type.Object({ name: Type.String() });
export const ListSchedulesQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    after: Type.Optional(Type.String({ description: 'the last name of the previous page' })),
  },
  { additionalProperties: false },
);
