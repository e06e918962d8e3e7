import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifySchemaValidationError } from 'fastify';
import { IngestResultSchema, UsageBatchSchema } from '../../contracts/usage.js';
import { toCsv, wantsCsv } from '../../lib/csv.js';
import { describeValidation } from '../../lib/error-handler.js';
import { errors } from '../../lib/errors.js';
import { errorResponses } from '../../lib/schemas.js';
import { allErrorsValidatorCompiler } from '../../lib/validation.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { UsageAnswerDto, UsageQuery } from './usage.schemas.js';
import type { UsageAnswer, UsageService } from './usage.service.js';

function usageCsv(answer: UsageAnswer): string {
  return toCsv(
    ['start', 'function_id', 'architecture', 'requests', 'billed_ms', 'gb_seconds', 'errors', 'timeouts'],
    answer.buckets.map((b) => [b.start, b.functionId, b.architecture, b.requests, b.billedMs, b.gbSeconds, b.errors, b.timeouts]),
  );
}

const EVENT_PATH = /^\/events\/(\d+)(?:\/|$)/;

/**
 * A batch's schema errors, every bad event named: each detail carries the event's index when the
 * error is inside one, so that an executor can resend the good events and quarantine the bad ones.
 */
export function batchSchemaErrors(
  validation: Pick<FastifySchemaValidationError, 'instancePath' | 'keyword' | 'message' | 'params'>[],
  context: string,
): Error {
  const { details, message } = describeValidation(context, validation);
  return errors.validation(
    message,
    details.map((d, i) => {
      const index = EVENT_PATH.exec(validation[i]!.instancePath)?.[1];
      return index === undefined ? d : { index: Number(index), ...d };
    }),
  );
}

export function usageRoutes(deps: {
  auth: Auth;
  usage: UsageService;
  accounts: AccountsService;
  bodyLimit: number;
}): FastifyPluginAsyncTypebox {
  const { auth, usage, accounts } = deps;
  return async (app) => {
    const tags = ['usage'];

    app.post(
      '/v1/usage',
      {
        onRequest: auth.require('executor'),
        bodyLimit: deps.bodyLimit,
        validatorCompiler: allErrorsValidatorCompiler(),
        schemaErrorFormatter: batchSchemaErrors,
        schema: {
          tags,
          summary: 'Ingest a batch of 1 to 10,000 usage events (executor key); idempotent on the invocation id',
          body: UsageBatchSchema,
          response: { 200: IngestResultSchema, ...errorResponses },
        },
      },
      async (req) => usage.ingest(principalOf(req), req.body.events),
    );

    app.get(
      '/v1/usage',
      {
        onRequest: auth.require('account', 'admin'),
        schema: {
          tags,
          summary: 'Usage per hour, day or month from the rollups; Accept: text/csv for CSV',
          querystring: UsageQuery,
          response: { 200: UsageAnswerDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        const accountId = await accounts.actingAccount(principalOf(req), req.headers['x-account-id'] as string | undefined);
        const answer = await usage.query({
          accountId,
          from: req.query.from,
          to: req.query.to,
          granularity: req.query.granularity,
          groupBy: req.query.groupBy ?? null,
          functionId: req.query.functionId ?? null,
        });
        if (wantsCsv(req.headers.accept)) return reply.type('text/csv; charset=utf-8').send(usageCsv(answer));
        return answer;
      },
    );
  };
}
