import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../lib/errors.js';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { CreateMappingBody, ListMappingsQuery, MappingDto, MappingParams, UpdateMappingBody } from './sources.schemas.js';
import type { SourcesService } from './sources.service.js';

/** A notification body may be up to 256 KB; a little more is read so that the service names the limit. */
const NOTIFICATION_BODY_LIMIT = 256 * 1024 + 1024;

/** Event source mappings of an account (an account key, or an admin with X-Account-Id), and the s3-webhook intake (its own token). */
export function sourcesRoutes(deps: {
  auth: Auth;
  accounts: AccountsService;
  sources: SourcesService;
  publicUrl: string | null;
  limits: Pick<RateLimits, 'authenticated'>;
}): FastifyPluginAsyncTypebox {
  const { auth, accounts, sources } = deps;
  const onRequest = auth.require('account', 'admin');
  const account = (req: FastifyRequest) => accounts.actingAccount(principalOf(req), req.headers['x-account-id'] as string | undefined);
  const base = (req: FastifyRequest) => deps.publicUrl ?? `${req.protocol}://${req.host}`;
  /** The s3-webhook's path becomes a full URL on this api's public address. */
  const withEndpoint = <T extends { endpointPath?: string }>(req: FastifyRequest, dto: T) => {
    const { endpointPath, ...rest } = dto;
    return endpointPath ? { ...rest, endpoint: base(req) + endpointPath } : rest;
  };
  return async (app) => {
    const tags = ['events'];

    app.post(
      '/v1/event-source-mappings',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Create an event source mapping: a queue, topic or stream polled into the function, or an S3 notification webhook',
          body: CreateMappingBody,
          response: { 201: MappingDto, ...errorResponses },
        },
      },
      async (req, reply) => reply.code(201).send(withEndpoint(req, await sources.create(await account(req), req.body))),
    );

    app.get(
      '/v1/event-source-mappings',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Event source mappings, by id',
          querystring: ListMappingsQuery,
          response: {
            200: Type.Object({ eventSourceMappings: Type.Array(MappingDto), next: Type.Union([Type.String(), Type.Null()]) }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const r = await sources.list(await account(req), req.query);
        return { ...r, eventSourceMappings: r.eventSourceMappings.map((m) => withEndpoint(req, m)) };
      },
    );

    app.get(
      '/v1/event-source-mappings/:id',
      {
        onRequest,
        schema: {
          tags,
          summary: 'One mapping, with its state, last processing result and lag',
          params: MappingParams,
          response: { 200: MappingDto, ...errorResponses },
        },
      },
      async (req) => withEndpoint(req, await sources.get(await account(req), req.params.id)),
    );

    app.patch(
      '/v1/event-source-mappings/:id',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Change a mapping: its function or alias, batching, retries, failure destination, or enable/disable it',
          params: MappingParams,
          body: UpdateMappingBody,
          response: { 200: MappingDto, ...errorResponses },
        },
      },
      async (req) => withEndpoint(req, await sources.update(await account(req), req.params.id, req.body)),
    );

    app.delete(
      '/v1/event-source-mappings/:id',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Delete a mapping (answers it, in state Deleting)',
          params: MappingParams,
          response: { 202: MappingDto, ...errorResponses },
        },
      },
      async (req, reply) => reply.code(202).send(withEndpoint(req, await sources.remove(await account(req), req.params.id))),
    );

    await app.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: NOTIFICATION_BODY_LIMIT }, (_req, body, done) => done(null, body));
      raw.post(
        '/v1/event-source-mappings/:id/notifications',
        {
          schema: {
            tags,
            summary: 'S3 event notifications (MinIO, Ceph RGW, Garage) for an s3-webhook mapping: Authorization: Bearer <its token>',
            params: MappingParams,
            response: { 202: Type.Object({ requestId: Type.String() }), ...errorResponses },
          },
        },
        async (req, reply) => {
          const h = req.headers.authorization;
          const token = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : null;
          const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          // Wrong tokens count as failed authentications of the address, as wrong keys do (docs/sources.md).
          const mapping = await deps.limits.authenticated(
            req.ip,
            reply,
            () => sources.webhookMapping((req.params as { id: string }).id, token),
            () => errors.unauthenticated('A valid s3-webhook token is required: Authorization: Bearer <token>'),
          );
          return reply.code(202).send(await sources.notify(mapping, body));
        },
      );
    });
  };
}
