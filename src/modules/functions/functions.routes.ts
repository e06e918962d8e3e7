import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../lib/errors.js';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import {
  CreateFunctionBody,
  CreateFunctionQuery,
  FunctionDto,
  FunctionListDto,
  ListFunctionsQuery,
  NameParams,
  UpdateCodeBody,
  UpdateConfigurationBody,
  VersionListDto,
  VersionQuery,
  toFunctionDto,
} from './functions.schemas.js';
import type { FunctionsService } from './functions.service.js';
import { decodeBase64Zip, MAX_ZIP_BYTES } from './functions.zip.js';

const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/octet-stream'];
/** A 50 MB zip in base64 inside JSON, with room for the settings. */
const JSON_BODY_LIMIT = Math.ceil((MAX_ZIP_BYTES * 4) / 3) + 64 * 1024;

/** A body schema per media type: JSON with a base64 zip, or the raw zip. */
const bodyFor = (json: object) => ({
  content: {
    'application/json': { schema: json },
    ...Object.fromEntries(ZIP_TYPES.map((t) => [t, { schema: { description: 'the zip itself' } }])),
  },
});

export function functionsRoutes(deps: { auth: Auth; accounts: AccountsService; functions: FunctionsService }): FastifyPluginAsyncTypebox {
  const { auth, accounts, functions } = deps;
  const account = (req: FastifyRequest) => accounts.actingAccount(principalOf(req), req.headers['x-account-id'] as string | undefined);

  return async (app) => {
    const tags = ['functions'];
    const onRequest = auth.require('account', 'admin');
    app.addContentTypeParser(ZIP_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    app.post(
      '/v1/functions',
      {
        onRequest,
        bodyLimit: JSON_BODY_LIMIT,
        schema: {
          tags,
          summary: 'Create a function: JSON with a base64 zipFile, or a raw application/zip body with the settings in the query string',
          querystring: CreateFunctionQuery,
          body: bodyFor(CreateFunctionBody),
          response: { 201: FunctionDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        const body = req.body as CreateFunctionBody | Buffer;
        const created = Buffer.isBuffer(body)
          ? await functions.create(await account(req), { query: req.query }, body)
          : await functions.create(await account(req), { json: withoutZip(body, req.query) }, decodeBase64Zip(body.zipFile));
        return reply.code(201).send(toFunctionDto(created));
      },
    );

    app.get(
      '/v1/functions',
      {
        onRequest,
        schema: {
          tags,
          summary: "The account's functions (latest versions), by name",
          querystring: ListFunctionsQuery,
          response: { 200: FunctionListDto, ...errorResponses },
        },
      },
      async (req) => {
        const list = await functions.list(await account(req), req.query.limit, req.query.after ?? null);
        return { functions: list.map(toFunctionDto), next: list.length === req.query.limit ? list.at(-1)!.name : null };
      },
    );

    app.get(
      '/v1/functions/:name',
      {
        onRequest,
        schema: {
          tags,
          summary: "A function's configuration (latest version, or ?version=N)",
          params: NameParams,
          querystring: VersionQuery,
          response: { 200: FunctionDto, ...errorResponses },
        },
      },
      async (req) => toFunctionDto(await functions.get(await account(req), req.params.name, req.query.version)),
    );

    app.get(
      '/v1/functions/:name/versions',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Every version of a function, oldest first',
          params: NameParams,
          response: { 200: VersionListDto, ...errorResponses },
        },
      },
      async (req) => ({ versions: (await functions.versions(await account(req), req.params.name)).map(toFunctionDto) }),
    );

    app.put(
      '/v1/functions/:name/code',
      {
        onRequest,
        bodyLimit: JSON_BODY_LIMIT,
        schema: {
          tags,
          summary: 'New code (JSON with zipFile, or a raw zip): makes a new version',
          params: NameParams,
          body: bodyFor(UpdateCodeBody),
          response: { 200: FunctionDto, ...errorResponses },
        },
      },
      async (req) => {
        const body = req.body as UpdateCodeBody | Buffer;
        const zip = Buffer.isBuffer(body) ? body : decodeBase64Zip(body.zipFile);
        return toFunctionDto(await functions.updateCode(await account(req), req.params.name, zip));
      },
    );

    app.patch(
      '/v1/functions/:name/configuration',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Change settings: makes a new version (environment is replaced whole)',
          params: NameParams,
          body: UpdateConfigurationBody,
          response: { 200: FunctionDto, ...errorResponses },
        },
      },
      async (req) => toFunctionDto(await functions.updateConfiguration(await account(req), req.params.name, req.body)),
    );

    app.delete(
      '/v1/functions/:name',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Delete a function, every version, and code no other function uses',
          params: NameParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await functions.remove(await account(req), req.params.name);
        return reply.code(204).send(null);
      },
    );
  };
}

/** Settings come from the JSON body; the same settings in the query string as well would be ambiguous. */
function withoutZip(body: CreateFunctionBody, query: object) {
  if (Object.keys(query).length > 0) throw errors.validation('query: with a JSON body, every setting goes in the body');
  const { zipFile: _zip, ...settings } = body;
  return settings;
}
