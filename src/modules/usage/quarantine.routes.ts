import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { QuarantineReportAnswerSchema, QuarantineReportSchema } from '../../contracts/usage.js';
import { errorResponses } from '../../lib/schemas.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import type { QuarantineService } from './quarantine.service.js';
import { IdParams, QuarantineListDto, QuarantineQuery, ReplayAnswerDto, ReplayBody, toEntryDto } from './quarantine.schemas.js';

export function quarantineRoutes(deps: { auth: Auth; quarantine: QuarantineService; bodyLimit: number }): FastifyPluginAsyncTypebox {
  const { auth, quarantine } = deps;
  return async (app) => {
    const tags = ['usage'];

    app.post(
      '/v1/usage/quarantine',
      {
        onRequest: auth.require('executor'),
        bodyLimit: deps.bodyLimit,
        schema: {
          tags,
          summary: 'An executor hands over usage events the api refused for good (executor key); stored once each, never billed here',
          body: QuarantineReportSchema,
          response: { 200: QuarantineReportAnswerSchema, ...errorResponses },
        },
      },
      async (req) => quarantine.report(principalOf(req), req.body.entries),
    );

    app.get(
      '/v1/usage/quarantine',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: 'Quarantined usage events, oldest first (admin)',
          querystring: QuarantineQuery,
          response: { 200: QuarantineListDto, ...errorResponses },
        },
      },
      async (req) => {
        const { accountId, invocationId, replayed, limit, after } = req.query;
        const page = await quarantine.list({
          accountId: accountId ?? null,
          invocationId: invocationId ?? null,
          replayed: replayed ?? null,
          limit,
          after: after ?? null,
        });
        return { entries: page.entries.map(toEntryDto), next: page.next };
      },
    );

    app.post(
      '/v1/usage/quarantine/:id/replay',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary:
            'Run a quarantined event through ingest, optionally corrected (admin; audited); ingest bills an invocation once however often it is replayed',
          params: IdParams,
          body: ReplayBody,
          response: { 200: ReplayAnswerDto, ...errorResponses },
        },
      },
      async (req) => quarantine.replay(principalOf(req), req.params.id, req.body),
    );
  };
}
