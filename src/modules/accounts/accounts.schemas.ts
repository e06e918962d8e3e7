import { Type } from 'typebox';
import { Uuid } from '../../lib/schemas.js';
import type { Account, ApiKey } from './accounts.repository.js';

export const AccountDto = Type.Object({
  id: Uuid,
  name: Type.String(),
  freeTier: Type.Boolean(),
  concurrencyLimit: Type.Union([Type.Integer(), Type.Null()], {
    description:
      "most invocations of the account at once, set by the operator; null: the deployment's default (TALLY_ACCOUNT_CONCURRENCY). GET /v1/concurrency has the figures in effect",
  }),
  createdAt: Type.String({ format: 'date-time' }),
});

export const CreateAccountBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    freeTier: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

export const UpdateAccountBody = Type.Object(
  {
    freeTier: Type.Boolean(),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'why: written to the audit log' }),
  },
  { additionalProperties: false },
);

export const SetConcurrencyLimitBody = Type.Object(
  {
    limit: Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()], {
      description: "most invocations of the account at once; null: back to the deployment's default (TALLY_ACCOUNT_CONCURRENCY)",
    }),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'why: written to the audit log' }),
  },
  { additionalProperties: false },
);

export const KeyDto = Type.Object({
  id: Uuid,
  accountId: Type.Union([Uuid, Type.Null()]),
  role: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
  label: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const CreatedKeyDto = Type.Intersect([
  KeyDto,
  Type.Object({ key: Type.String({ description: 'The key itself: shown this once, stored only as a hash' }) }),
]);

export const CreateAccountKeyBody = Type.Object(
  {
    role: Type.Enum(['account', 'executor']),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const CreatePlatformKeyBody = Type.Object(
  {
    role: Type.Enum(['executor', 'admin']),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String() });

export const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    after: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const toAccountDto = (a: Account) => ({ ...a, createdAt: a.createdAt.toISOString() });
export const toKeyDto = (k: ApiKey) => ({
  ...k,
  createdAt: k.createdAt.toISOString(),
  revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
});
