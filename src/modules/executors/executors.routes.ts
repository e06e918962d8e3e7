import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { HeartbeatBody, RegisterExecutorAnswer, RegisterExecutorBody } from '../../contracts/executor.js';
import { binary, errorResponses } from '../../lib/schemas.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import type { FunctionsService } from '../functions/functions.service.js';
import type { ExecutorsService } from './executors.service.js';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ExecutorDto = Type.Object({
  id: Type.String(),
  url: Type.String(),
  capacity: Type.Integer(),
  instances: Type.Integer(),
  busy: Type.Integer(),
  sandbox: Type.Union([Type.Literal('on'), Type.Literal('off')], {
    description: "'off': this executor runs functions unisolated (TALLY_SANDBOX=off)",
  }),
  startedAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
});

export function executorsRoutes(deps: { auth: Auth; executors: ExecutorsService; functions: FunctionsService }): FastifyPluginAsyncTypebox {
  const { auth, executors, functions } = deps;
  return async (app) => {
    const tags = ['executors'];
    const onRequest = auth.require('executor');

    app.post(
      '/v1/executors/register',
      {
        onRequest,
        schema: {
          tags,
          summary: 'An executor announces itself (platform executor key); it gets work while it heartbeats',
          body: RegisterExecutorBody,
          response: { 200: RegisterExecutorAnswer, ...errorResponses },
        },
      },
      async (req) => executors.register(principalOf(req), req.body),
    );

    app.post(
      '/v1/executors/:id/heartbeat',
      {
        onRequest,
        logLevel: 'warn',
        schema: {
          tags,
          summary: 'An executor is alive, with its load; 404 means register again',
          params: IdParams,
          body: HeartbeatBody,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await executors.heartbeat(principalOf(req), req.params.id, req.body);
        return reply.code(204).send(null);
      },
    );

    app.delete(
      '/v1/executors/:id',
      {
        onRequest: auth.require('executor', 'admin'),
        schema: {
          tags,
          summary:
            'With its own key: an executor leaves (graceful shutdown) and gets no more work. With an admin key: the executor is removed and its key revoked',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await executors.deregister(principalOf(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/executors',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: 'Registered executors and their last reported load (admin)',
          response: { 200: Type.Object({ executors: Type.Array(ExecutorDto) }), ...errorResponses },
        },
      },
      async () => ({
        executors: (await executors.list()).map((e) => ({
          id: e.id,
          url: e.url,
          capacity: e.capacity,
          instances: e.instances,
          busy: e.busy,
          sandbox: e.sandbox,
          startedAt: e.startedAt.toISOString(),
          lastSeenAt: e.lastSeenAt.toISOString(),
        })),
      }),
    );

    // A platform key fetches code and image blobs only once bound to its executor (a key that never registered gets none).
    const boundPlatformKey = async (req: FastifyRequest) => {
      const { accountId, keyId } = principalOf(req);
      if (accountId === null && keyId !== null) await executors.requireBoundKey(keyId);
    };

    app.get(
      '/v1/code/:sha256',
      {
        onRequest,
        preHandler: boundPlatformKey,
        schema: {
          tags,
          summary: "A function's zip by its SHA-256 (executor key)",
          params: Type.Object({ sha256: Type.String() }),
          response: { 200: binary('application/zip', 'the zip'), ...errorResponses },
        },
      },
      async (req, reply) => {
        const zip = await functions.code(principalOf(req), req.params.sha256);
        // A tenant's code, answered to a key: `private`, so a proxy or CDN in front of the api keeps none of it
        // (`public` let a shared cache store it and hand it to requests without a key).
        return reply
          .type('application/zip')
          .header('etag', `"${req.params.sha256}"`)
          .header('cache-control', 'private, max-age=31536000, immutable')
          .send(zip);
      },
    );

    app.get(
      '/v1/images/blobs/:digest',
      {
        onRequest,
        preHandler: boundPlatformKey,
        schema: {
          tags,
          summary: "A container image's blob (manifest, config or layer) by its digest, streamed (executor key)",
          params: Type.Object({ digest: Type.String() }),
          response: { 200: binary('application/octet-stream', 'the blob'), ...errorResponses },
        },
      },
      async (req, reply) => {
        const blob = await functions.imageBlob(principalOf(req), req.params.digest);
        return reply
          .type('application/octet-stream')
          .header('content-length', blob.bytes)
          .header('cache-control', 'private, max-age=31536000, immutable')
          .send(Readable.from(blob.chunks));
      },
    );
  };
}
