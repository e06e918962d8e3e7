import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { MAX_SYNC_PAYLOAD_BYTES } from '../../contracts/executor.js';
import { AppError } from '../../lib/errors.js';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { MAX_ASYNC_PAYLOAD_BYTES, type AsyncService } from '../async/async.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { InvokeQuery, NameParams } from './functions.schemas.js';
import type { InvokeResult, InvokeService } from './invoke.service.js';
import type { VersionsService } from './versions.service.js';

const EMPTY_EVENT = Buffer.from('{}');

const InvocationTypeHeader = Type.Object({
  'x-tally-invocation-type': Type.Optional(
    Type.Enum(['RequestResponse', 'Event', 'DryRun'], {
      description: 'RequestResponse (default): wait for the result; Event: queue it (202); DryRun: only check (204)',
    }),
  ),
});

/** Lambda refuses an event that is not JSON before anything runs. */
export function eventOf(body: unknown): Buffer {
  if (!Buffer.isBuffer(body) || body.length === 0) return EMPTY_EVENT;
  try {
    JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('INVALID_JSON', 400, 'The event (the request body) is not valid JSON');
  }
  return body;
}

function send(reply: FastifyReply, r: InvokeResult) {
  reply.header('x-tally-request-id', r.requestId);
  reply.header('x-tally-executed-version', String(r.version));
  reply.header('x-tally-billed-duration-ms', r.billedDurationMs);
  if (r.initDurationMs !== null) reply.header('x-tally-init-duration-ms', r.initDurationMs);
  if (r.status !== 'success') {
    // Lambda's FunctionError value; the error JSON is the body, and the status stays 200.
    reply.header('x-tally-function-error', 'Unhandled');
    reply.header('x-tally-error-type', r.errorType ?? (r.status === 'timeout' ? 'Sandbox.Timedout' : 'Unhandled'));
  }
  if (r.logResult !== null) reply.header('x-tally-log-result', r.logResult);
  return reply.type('application/json').send(r.payload);
}

/** Its own plugin: the event stays raw bytes (any content type), up to Lambda's 6 MB. */
export function invokeRoutes(deps: {
  auth: Auth;
  accounts: AccountsService;
  invoke: InvokeService;
  events: AsyncService;
  versions: Pick<VersionsService, 'resolve'>;
}): FastifyPluginAsyncTypebox {
  const { auth, accounts, invoke, events, versions } = deps;
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.addHook('preParsing', async (req) => {
      if (Number(req.headers['content-length']) > MAX_SYNC_PAYLOAD_BYTES) {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          413,
          `The event is larger than ${MAX_SYNC_PAYLOAD_BYTES} bytes, the limit for a synchronous invocation`,
        );
      }
    });

    app.post(
      '/v1/functions/:name/invoke',
      {
        onRequest: auth.require('account', 'admin'),
        bodyLimit: MAX_SYNC_PAYLOAD_BYTES,
        schema: {
          tags: ['functions'],
          summary:
            "Run a function: synchronously (the answer is the function's result, X-Tally-* headers), or queued with X-Tally-Invocation-Type: Event (202)",
          params: NameParams,
          querystring: InvokeQuery,
          headers: InvocationTypeHeader,
          response: {
            200: Type.Unknown({ description: "the function's result, or its error JSON with X-Tally-Function-Error" }),
            202: Type.Object({ requestId: Type.String({ description: 'the queued event; GET /v1/invocations/:requestId' }) }),
            204: Type.Null({ description: 'DryRun: the function exists and may be invoked' }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const accountId = await accounts.actingAccount(principalOf(req), req.headers['x-account-id'] as string | undefined);
        const type = req.headers['x-tally-invocation-type'];
        const alias = req.query.alias;
        const version = alias === undefined ? req.query.version : (await versions.resolve(accountId, req.params.name, alias)).version;
        // What the caller named, which the function's ARN ends with (the version that runs is `version`).
        const qualifier = alias ?? (req.query.version !== undefined ? String(req.query.version) : undefined);
        if (type === 'DryRun') {
          await events.dryRun(accountId, req.params.name);
          return reply.code(204).send(null);
        }
        if (type === 'Event') {
          const event = eventOf(req.body);
          if (event.length > MAX_ASYNC_PAYLOAD_BYTES) {
            throw new AppError(
              'PAYLOAD_TOO_LARGE',
              413,
              `The event is ${event.length} bytes; an asynchronous invocation takes at most ${MAX_ASYNC_PAYLOAD_BYTES} bytes`,
            );
          }
          const queued = await events.enqueue(accountId, req.params.name, event, version, qualifier);
          return reply.code(202).header('x-tally-request-id', queued.requestId).send(queued);
        }
        const result = await invoke.invoke(accountId, req.params.name, eventOf(req.body), {
          version,
          ...(qualifier !== undefined ? { qualifier } : {}),
          logTail: req.query.log === 'tail',
        });
        return send(reply, result);
      },
    );
  };
}
