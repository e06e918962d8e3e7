import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Transform } from 'node:stream';
import type { FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../lib/errors.js';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import {
  CreateFunctionBody,
  CreateFunctionQuery,
  ConcurrencyDto,
  FunctionDto,
  FunctionListDto,
  ListFunctionsQuery,
  NameParams,
  UpdateCodeBody,
  UpdateConfigurationBody,
  ListVersionsQuery,
  VersionListDto,
  VersionQuery,
  toFunctionDto,
} from './functions.schemas.js';
import type { FunctionPackage, FunctionsService } from './functions.service.js';
import { decodeBase64Zip, strictBase64 } from './functions.zip.js';

const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/octet-stream'];
/** A container image archive (OCI layout or docker save), sent raw. */
const TAR_TYPES = ['application/x-tar'];
/** A package of `bytes` in base64 inside JSON, with room for the settings. */
const jsonLimit = (bytes: number) => Math.ceil((bytes * 4) / 3) + 64 * 1024;

/** A body schema per media type: JSON with a base64 package, or the raw zip or tar. */
const bodyFor = (json: object) => ({
  content: {
    'application/json': { schema: json },
    ...Object.fromEntries(ZIP_TYPES.map((t) => [t, { schema: { description: 'the zip itself' } }])),
    ...Object.fromEntries(TAR_TYPES.map((t) => [t, { schema: { description: 'the image archive itself' } }])),
  },
});

const mediaType = (req: FastifyRequest) =>
  String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();

/** A raw body is a zip, or with a tar media type an image archive. */
function rawPackage(req: FastifyRequest, body: Buffer): FunctionPackage {
  return TAR_TYPES.includes(mediaType(req)) ? { image: body } : { zip: body };
}

/**
 * The route's body limit is the largest package as base64 JSON; a raw body is held to its own kind's limit
 * as it arrives (by its Content-Length at once), so a raw zip is not read into memory far past 50 MB first.
 */
function rawLimit(limits: FunctionsService['limits']): preParsingAsyncHookHandler {
  return async (req, _reply, payload) => {
    const type = mediaType(req);
    const raw = ZIP_TYPES.includes(type) ? { what: 'zip', limit: limits.maxZipBytes } : null;
    const found = raw ?? (TAR_TYPES.includes(type) ? { what: 'image archive', limit: limits.maxImageBytes } : null);
    if (!found) return payload;
    const field = found.what === 'zip' ? 'zipFile' : 'imageArchive';
    const tooLarge = () => errors.codeTooLarge(`${field}: the ${found.what} is over its limit of ${found.limit} bytes`);
    if (Number(req.headers['content-length']) > found.limit) throw tooLarge();
    let seen = 0;
    return payload.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          seen += chunk.length;
          done(seen > found.limit ? tooLarge() : null, chunk);
        },
      }),
    );
  };
}

/** A JSON body carries exactly one package: zipFile or imageArchive. */
function jsonPackage(body: { zipFile?: string; imageArchive?: string }): FunctionPackage {
  if ((body.zipFile === undefined) === (body.imageArchive === undefined)) {
    throw errors.validation('zipFile, imageArchive: send exactly one (a zip, or a container image archive)');
  }
  if (body.zipFile !== undefined) return { zip: decodeBase64Zip(body.zipFile) };
  const image = strictBase64(body.imageArchive!);
  if (!image) throw errors.invalidImage('is not valid base64');
  return { image };
}

export function functionsRoutes(deps: { auth: Auth; accounts: AccountsService; functions: FunctionsService }): FastifyPluginAsyncTypebox {
  const { auth, accounts, functions } = deps;
  const account = (req: FastifyRequest) => accounts.actingAccount(principalOf(req), req.headers['x-account-id'] as string | undefined);

  return async (app) => {
    const tags = ['functions'];
    const onRequest = auth.require('account', 'admin');
    app.addContentTypeParser([...ZIP_TYPES, ...TAR_TYPES], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    // One limit per route for every media type: the larger of a zip and an image archive, as JSON.
    const bodyLimit = Math.max(jsonLimit(functions.limits.maxZipBytes), jsonLimit(functions.limits.maxImageBytes));
    const preParsing = rawLimit(functions.limits);

    app.post(
      '/v1/functions',
      {
        onRequest,
        bodyLimit,
        preParsing,
        schema: {
          tags,
          summary:
            'Create a function: JSON with a base64 zipFile (or imageArchive with packageType Image), or a raw application/zip (or application/x-tar) body with the settings in the query string',
          querystring: CreateFunctionQuery,
          body: bodyFor(CreateFunctionBody),
          response: { 201: FunctionDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        const body = req.body as CreateFunctionBody | Buffer;
        const created = Buffer.isBuffer(body)
          ? await functions.create(await account(req), { query: req.query }, rawPackage(req, body))
          : await functions.create(await account(req), { json: withoutPackage(body, req.query) }, jsonPackage(body));
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
      '/v1/concurrency',
      {
        onRequest,
        schema: {
          tags,
          summary: "The account's concurrency: its limit, what its functions reserve, and what the others share",
          response: { 200: ConcurrencyDto, ...errorResponses },
        },
      },
      async (req) => functions.concurrency(await account(req)),
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
          summary: "A function's versions, oldest first, a page at a time",
          params: NameParams,
          querystring: ListVersionsQuery,
          response: { 200: VersionListDto, ...errorResponses },
        },
      },
      async (req) => {
        const page = await functions.versionsPage(await account(req), req.params.name, req.query.limit, req.query.after ?? 0);
        return { versions: page.versions.map(toFunctionDto), next: page.next };
      },
    );

    app.put(
      '/v1/functions/:name/code',
      {
        onRequest,
        bodyLimit,
        preParsing,
        schema: {
          tags,
          summary: 'New code (JSON with zipFile or imageArchive, or a raw zip or tar): makes a new version',
          params: NameParams,
          body: bodyFor(UpdateCodeBody),
          response: { 200: FunctionDto, ...errorResponses },
        },
      },
      async (req) => {
        const body = req.body as UpdateCodeBody | Buffer;
        const pkg = Buffer.isBuffer(body) ? rawPackage(req, body) : jsonPackage(body);
        return toFunctionDto(await functions.updateCode(await account(req), req.params.name, pkg));
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
function withoutPackage(body: CreateFunctionBody, query: object) {
  if (Object.keys(query).length > 0) throw errors.validation('query: with a JSON body, every setting goes in the body');
  const { zipFile: _zip, imageArchive: _image, ...settings } = body;
  return settings;
}
