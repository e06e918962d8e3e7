import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { NameParams } from './functions.schemas.js';
import type { FunctionAlias } from './versions.repository.js';
import { LATEST, type VersionsService } from './versions.service.js';

const Description = Type.String({ maxLength: 256 });
const PublishedDto = Type.Object({
  version: Type.Integer(),
  description: Type.String(),
  publishedAt: Type.String({ format: 'date-time' }),
});
const Routing = Type.Object(
  {
    version: Type.Integer({ minimum: 1, description: 'another published version' }),
    weight: Type.Number({ minimum: 0, maximum: 1, description: 'the share of invocations it gets, 0.0 to 1.0' }),
  },
  {
    additionalProperties: false,
    description: "a weighted alias (Lambda's RoutingConfig): each invocation goes to this version with this probability",
  },
);
const AliasDto = Type.Object({
  name: Type.String(),
  version: Type.Union([Type.Integer(), Type.Literal(LATEST)], { description: 'a published version, or $LATEST' }),
  routing: Type.Union([Routing, Type.Null()]),
  description: Type.String(),
  revisionId: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastModified: Type.String({ format: 'date-time' }),
});
const AliasParams = Type.Object({ name: Type.String(), alias: Type.String() });
const AliasBody = Type.Object(
  {
    version: Type.Union([Type.Integer({ minimum: 1 }), Type.Literal(LATEST)]),
    description: Type.Optional(Description),
    routing: Type.Optional(Type.Union([Routing, Type.Null()], { description: 'null removes it; absent keeps it' })),
  },
  { additionalProperties: false },
);

const aliasDto = (a: FunctionAlias) => ({
  name: a.name,
  version: a.version ?? LATEST,
  routing: a.routing,
  description: a.description,
  revisionId: a.revisionId,
  createdAt: a.createdAt.toISOString(),
  lastModified: a.updatedAt.toISOString(),
});

/** Published versions and aliases under /v1 (the Lambda API serves the same through its own shapes). */
export function versionsRoutes(deps: { auth: Auth; accounts: AccountsService; versions: VersionsService }): FastifyPluginAsyncTypebox {
  const { auth, accounts, versions } = deps;
  const account = (req: FastifyRequest) => accounts.actingAccount(principalOf(req), req.headers['x-account-id'] as string | undefined);
  return async (app) => {
    const tags = ['functions'];
    const onRequest = auth.require('account', 'admin');

    app.post(
      '/v1/functions/:name/published-versions',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Publish the latest version (again: the same version), so aliases may name it',
          params: NameParams,
          body: Type.Optional(Type.Object({ description: Type.Optional(Description) }, { additionalProperties: false })),
          response: { 201: PublishedDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { published } = await versions.publish(await account(req), req.params.name, { description: req.body?.description });
        return reply.code(201).send({ ...published, publishedAt: published.publishedAt.toISOString() });
      },
    );

    app.get(
      '/v1/functions/:name/published-versions',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Published versions, oldest first',
          params: NameParams,
          response: { 200: Type.Object({ versions: Type.Array(PublishedDto) }), ...errorResponses },
        },
      },
      async (req) => ({
        versions: (await versions.listPublished(await account(req), req.params.name)).map(({ published: p }) => ({
          ...p,
          publishedAt: p.publishedAt.toISOString(),
        })),
      }),
    );

    app.put(
      '/v1/functions/:name/aliases/:alias',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Create or move an alias; invoke it with ?alias=<name>',
          params: AliasParams,
          body: AliasBody,
          response: { 200: AliasDto, ...errorResponses },
        },
      },
      async (req) => {
        const accountId = await account(req);
        const r = req.body.routing;
        const input = {
          version: String(req.body.version),
          description: req.body.description,
          routing: r === undefined || r === null ? r : { version: String(r.version), weight: r.weight },
        };
        return aliasDto(await versions.putAlias(accountId, req.params.name, req.params.alias, input));
      },
    );

    app.get(
      '/v1/functions/:name/aliases',
      {
        onRequest,
        schema: {
          tags,
          summary: "A function's aliases, by name",
          params: NameParams,
          response: { 200: Type.Object({ aliases: Type.Array(AliasDto) }), ...errorResponses },
        },
      },
      async (req) => ({
        aliases: (await versions.listAliases(await account(req), req.params.name, { limit: 10_000, after: null })).map(aliasDto),
      }),
    );

    app.get(
      '/v1/functions/:name/aliases/:alias',
      { onRequest, schema: { tags, summary: 'One alias', params: AliasParams, response: { 200: AliasDto, ...errorResponses } } },
      async (req) => aliasDto(await versions.getAlias(await account(req), req.params.name, req.params.alias)),
    );

    app.delete(
      '/v1/functions/:name/aliases/:alias',
      { onRequest, schema: { tags, summary: 'Delete an alias', params: AliasParams, response: { 204: Type.Null(), ...errorResponses } } },
      async (req, reply) => {
        await versions.removeAlias(await account(req), req.params.name, req.params.alias);
        return reply.code(204).send(null);
      },
    );
  };
}
