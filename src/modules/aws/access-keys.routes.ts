import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { actorOf } from '../audit/audit.repository.js';
import type { AccessKeysService } from './access-keys.service.js';

const Params = Type.Object({ id: Type.String() });
const KeyParams = Type.Object({ id: Type.String(), accessKeyId: Type.String() });
const AccessKeyDto = Type.Object({
  accessKeyId: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const CreatedDto = Type.Object({
  accessKeyId: Type.String(),
  secretAccessKey: Type.String({ description: 'shown once' }),
  createdAt: Type.String({ format: 'date-time' }),
});

/** SigV4 access keys for the Lambda API: admin, or the account's own key. */
export function accessKeysRoutes(deps: {
  auth: Auth;
  accounts: AccountsService;
  accessKeys: AccessKeysService;
}): FastifyPluginAsyncTypebox {
  const { auth, accounts, accessKeys } = deps;
  return async (app) => {
    const tags = ['accounts'];

    app.post(
      '/v1/accounts/:id/access-keys',
      {
        onRequest: auth.require('admin', 'account'),
        schema: {
          tags,
          summary: 'Create an access key for the Lambda API (SigV4, service lambda, any region); the secret is shown once',
          params: Params,
          response: { 201: CreatedDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        await accounts.getAccount(principalOf(req), req.params.id);
        const k = await accessKeys.create(actorOf(principalOf(req)), req.params.id);
        return reply.code(201).send({ ...k, createdAt: k.createdAt.toISOString() });
      },
    );

    app.get(
      '/v1/accounts/:id/access-keys',
      {
        onRequest: auth.require('admin', 'account'),
        schema: {
          tags,
          summary: "An account's access keys, without their secrets",
          params: Params,
          response: { 200: Type.Object({ accessKeys: Type.Array(AccessKeyDto) }), ...errorResponses },
        },
      },
      async (req) => {
        await accounts.getAccount(principalOf(req), req.params.id);
        const keys = await accessKeys.list(req.params.id);
        return {
          accessKeys: keys.map((k) => ({
            accessKeyId: k.accessKeyId,
            createdAt: k.createdAt.toISOString(),
            revokedAt: k.revokedAt?.toISOString() ?? null,
          })),
        };
      },
    );

    app.delete(
      '/v1/accounts/:id/access-keys/:accessKeyId',
      {
        onRequest: auth.require('admin', 'account'),
        schema: { tags, summary: 'Revoke an access key', params: KeyParams, response: { 204: Type.Null(), ...errorResponses } },
      },
      async (req, reply) => {
        await accounts.getAccount(principalOf(req), req.params.id);
        await accessKeys.revoke(actorOf(principalOf(req)), req.params.id, req.params.accessKeyId);
        return reply.code(204).send(null);
      },
    );
  };
}
