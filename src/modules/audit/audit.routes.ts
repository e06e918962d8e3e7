import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, Uuid } from '../../lib/schemas.js';
import type { Auth } from '../accounts/auth.js';
import type { AuditService } from './audit.service.js';

const AuditPageDto = Type.Object({
  entries: Type.Array(
    Type.Object({
      id: Type.String(),
      at: Type.String({ format: 'date-time' }),
      actor: Type.String(),
      action: Type.String(),
      accountId: Type.Union([Type.String(), Type.Null()]),
      subject: Type.Union([Type.String(), Type.Null()]),
      reason: Type.Union([Type.String(), Type.Null()]),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  ),
  nextBeforeId: Type.Union([Type.String(), Type.Null()], { description: 'pass as beforeId for the next page' }),
});

export function auditRoutes(deps: { auth: Auth; audit: AuditService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/audit',
      {
        onRequest: deps.auth.require('admin'),
        schema: {
          tags: ['audit'],
          summary: 'The append-only log of every change that affects money (admin), newest first',
          querystring: Type.Object(
            {
              accountId: Type.Optional(Uuid),
              action: Type.Optional(Type.String()),
              limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
              beforeId: Type.Optional(Type.String({ pattern: '^[0-9]+$', maxLength: 40 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: AuditPageDto, ...errorResponses },
        },
      },
      async (req) =>
        deps.audit.list({
          accountId: req.query.accountId ?? null,
          action: req.query.action ?? null,
          limit: req.query.limit,
          beforeId: req.query.beforeId ?? null,
        }),
    );
  };
}
