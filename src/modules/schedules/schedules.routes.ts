import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { CreateScheduleBody, ListSchedulesQuery, ScheduleDto, ScheduleParams, UpdateScheduleBody } from './schedules.schemas.js';
import type { SchedulesService } from './schedules.service.js';

/** Schedules of an account: an account key, or an admin with X-Account-Id. */
export function schedulesRoutes(deps: { auth: Auth; accounts: AccountsService; schedules: SchedulesService }): FastifyPluginAsyncTypebox {
  const { auth, accounts, schedules } = deps;
  const onRequest = auth.require('account', 'admin');
  const account = (req: FastifyRequest) => accounts.actingAccount(principalOf(req), req.headers['x-account-id'] as string | undefined);
  return async (app) => {
    const tags = ['events'];

    app.post(
      '/v1/schedules',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Create a schedule: each tick invokes the target asynchronously',
          body: CreateScheduleBody,
          response: { 201: ScheduleDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { name, ...input } = req.body;
        return reply.code(201).send(await schedules.create(await account(req), name, input));
      },
    );

    app.get(
      '/v1/schedules',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Schedules by name, with their next and last fire times',
          querystring: ListSchedulesQuery,
          response: {
            200: Type.Object({ schedules: Type.Array(ScheduleDto), next: Type.Union([Type.String(), Type.Null()]) }),
            ...errorResponses,
          },
        },
      },
      async (req) => schedules.list(await account(req), req.query.limit, req.query.after ?? null),
    );

    app.get(
      '/v1/schedules/:name',
      { onRequest, schema: { tags, summary: 'One schedule', params: ScheduleParams, response: { 200: ScheduleDto, ...errorResponses } } },
      async (req) => schedules.get(await account(req), req.params.name),
    );

    app.get(
      '/v1/schedules/:name/ticks',
      {
        onRequest,
        schema: {
          tags,
          summary: 'The ticks a schedule fired, newest first, with the asynchronous invocation each queued',
          description: 'Ticks are kept for TALLY_RECORD_RETENTION_DAYS (30 by default).',
          params: ScheduleParams,
          querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false }),
          response: {
            200: Type.Object({ ticks: Type.Array(Type.Object({ tick: Type.String(), firedAt: Type.String(), requestId: Type.String() })) }),
            ...errorResponses,
          },
        },
      },
      async (req) => ({ ticks: await schedules.ticks(await account(req), req.params.name, req.query.limit) }),
    );

    app.patch(
      '/v1/schedules/:name',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Change a schedule (enable, disable, expression, target...)',
          params: ScheduleParams,
          body: UpdateScheduleBody,
          response: { 200: ScheduleDto, ...errorResponses },
        },
      },
      async (req) => schedules.update(await account(req), req.params.name, req.body),
    );

    app.delete(
      '/v1/schedules/:name',
      {
        onRequest,
        schema: { tags, summary: 'Delete a schedule', params: ScheduleParams, response: { 204: Type.Null(), ...errorResponses } },
      },
      async (req, reply) => {
        await schedules.remove(await account(req), req.params.name);
        return reply.code(204).send(null);
      },
    );
  };
}
