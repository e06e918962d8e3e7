import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { NameParams } from '../functions/functions.schemas.js';
import {
  EventInvokeConfigBody,
  EventInvokeConfigDto,
  EventInvokeConfigQuery,
  InvocationDto,
  InvocationListDto,
  InvocationListQuery,
} from './async.schemas.js';
import type { AsyncService } from './async.service.js';

/** Invocations (asynchronous and synchronous) and the event-invoke-config of functions: an account key, or an admin with X-Account-Id. */
export function asyncRoutes(deps: { auth: Auth; accounts: AccountsService; events: AsyncService }): FastifyPluginAsyncTypebox {
  const { auth, accounts, events } = deps;
  const onRequest = auth.require('account', 'admin');
  const account = (req: FastifyRequest) => accounts.actingAccount(principalOf(req), req.headers['x-account-id'] as string | undefined);
  return async (app) => {
    const tags = ['events'];

    app.get(
      '/v1/invocations/:requestId',
      {
        onRequest,
        schema: {
          tags,
          summary: 'One invocation: an asynchronous one by its request id (or an attempt of it), a synchronous one once its usage arrived',
          description:
            'An asynchronous invocation is kept for TALLY_RECORD_RETENTION_DAYS (30 by default) after it finished (and its destination delivery did); ' +
            'then 404 INVOCATION_NOT_FOUND by its request id. An invocation id of one of its runs is then answered from its usage, as a synchronous one.',
          params: Type.Object({ requestId: Type.String() }),
          response: { 200: InvocationDto, ...errorResponses },
        },
      },
      async (req) => events.describe(await account(req), req.params.requestId),
    );

    app.get(
      '/v1/functions/:name/invocations',
      {
        onRequest,
        schema: {
          tags,
          summary: "A function's asynchronous invocations, newest first, by status",
          description: 'Finished ones are listed for TALLY_RECORD_RETENTION_DAYS (30 by default) after they finished.',
          params: NameParams,
          querystring: InvocationListQuery,
          response: { 200: InvocationListDto, ...errorResponses },
        },
      },
      async (req) => events.list(await account(req), req.params.name, req.query),
    );

    app.get(
      '/v1/functions/:name/event-invoke-config',
      {
        onRequest,
        schema: {
          tags,
          summary:
            'Retries, age limit and destinations of the asynchronous invocations of the function, or of its alias or version (?qualifier=): the defaults until set',
          params: NameParams,
          querystring: EventInvokeConfigQuery,
          response: { 200: EventInvokeConfigDto, ...errorResponses },
        },
      },
      async (req) => events.getConfig(await account(req), req.params.name, req.query.qualifier),
    );

    app.get(
      '/v1/functions/:name/event-invoke-configs',
      {
        onRequest,
        schema: {
          tags,
          summary: "Every event-invoke-config set on the function: $LATEST's, then its versions', then its aliases'",
          params: NameParams,
          response: { 200: Type.Object({ configs: Type.Array(EventInvokeConfigDto) }), ...errorResponses },
        },
      },
      async (req) => ({ configs: await events.listConfigs(await account(req), req.params.name) }),
    );

    app.put(
      '/v1/functions/:name/event-invoke-config',
      {
        onRequest,
        schema: {
          tags,
          summary:
            'Replace the event-invoke-config of the function, or of its alias or version (?qualifier=); the answer carries its webhook signing secret when it was just made',
          params: NameParams,
          querystring: EventInvokeConfigQuery,
          body: EventInvokeConfigBody,
          response: { 200: EventInvokeConfigDto, ...errorResponses },
        },
      },
      async (req) => events.putConfig(await account(req), req.params.name, req.body, req.query.qualifier),
    );

    app.delete(
      '/v1/functions/:name/event-invoke-config',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Back to the defaults, no destinations, for the function or its alias or version (?qualifier=)',
          params: NameParams,
          querystring: EventInvokeConfigQuery,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await events.deleteConfig(await account(req), req.params.name, req.query.qualifier);
        return reply.code(204).send(null);
      },
    );
  };
}
