import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.js';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { NameParams } from '../functions/functions.schemas.js';
import { MAX_URL_PAYLOAD_BYTES } from './http-event.js';
import type { Cors } from './urls.repository.js';
import type { UrlsService } from './urls.service.js';

export const CorsSchema = Type.Object(
  {
    allowOrigins: Type.Optional(Type.Array(Type.String({ maxLength: 253 }), { maxItems: 100, description: 'origins, or *' })),
    allowMethods: Type.Optional(Type.Array(Type.String({ pattern: '^([A-Z]{1,10}|\\*)$' }), { maxItems: 10 })),
    allowHeaders: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 100 })),
    exposeHeaders: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 100 })),
    maxAge: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    allowCredentials: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const UrlDto = Type.Object({
  url: Type.String({ description: '<api base>/url/<urlId>/: every method and sub-path invokes the function' }),
  urlId: Type.String(),
  functionName: Type.String(),
  qualifier: Type.Union([Type.String(), Type.Null()], {
    description: "the alias whose version the URL runs; null: the function's own URL, which runs its latest version",
  }),
  authType: Type.Enum(['NONE', 'TALLY_KEY']),
  cors: Type.Optional(CorsSchema),
  createdAt: Type.String({ format: 'date-time' }),
  lastModified: Type.String({ format: 'date-time' }),
});

const UrlQuery = Type.Object(
  {
    qualifier: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "an alias of the function (not a version, nor $LATEST); absent: the function's own URL",
      }),
    ),
  },
  { additionalProperties: false },
);

/** The origin to allow for this request, when CORS is configured and the origin is among the allowed. */
function allowedOrigin(cors: Cors | null, origin: string | undefined): string | null {
  if (!cors || !origin) return null;
  const origins = cors.allowOrigins ?? [];
  if (origins.includes(origin)) return origin;
  return origins.includes('*') ? (cors.allowCredentials ? origin : '*') : null;
}

/** Whether the CORS headers depend on the Origin: an origin named, or `*` echoed as the origin (with credentials). */
function variesByOrigin(cors: Cors): boolean {
  const origins = cors.allowOrigins ?? [];
  return origins.some((o) => o !== '*') || (origins.includes('*') && cors.allowCredentials === true);
}

/** The CSP every function URL answer carries (docs/events.md): scripts and forms run, as an origin of their own. */
export const FUNCTION_URL_SANDBOX =
  'sandbox allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals allow-downloads';

/** Managing a function's URL (account key), and the URL itself (`/url/<id>/...`, any method, its own auth). */
export function urlsRoutes(deps: {
  auth: Auth;
  accounts: AccountsService;
  urls: UrlsService;
  publicUrl: string | null;
}): FastifyPluginAsyncTypebox {
  const { auth, accounts, urls } = deps;
  const onRequest = auth.require('account', 'admin');
  const account = (req: FastifyRequest) => accounts.actingAccount(principalOf(req), req.headers['x-account-id'] as string | undefined);
  const base = (req: FastifyRequest) => deps.publicUrl ?? `${req.protocol}://${req.host}`;
  const tags = ['events'];

  return async (app) => {
    app.put(
      '/v1/functions/:name/url',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Give the function, or its alias (?qualifier=), a URL (or change its auth and CORS; the URL stays)',
          params: NameParams,
          querystring: UrlQuery,
          body: Type.Object(
            { authType: Type.Enum(['NONE', 'TALLY_KEY']), cors: Type.Optional(CorsSchema) },
            { additionalProperties: false },
          ),
          response: { 200: UrlDto, ...errorResponses },
        },
      },
      async (req) => urls.put(await account(req), req.params.name, req.query.qualifier, req.body, base(req)),
    );
    app.get(
      '/v1/functions/:name/url',
      {
        onRequest,
        schema: {
          tags,
          summary: "The function's URL, or its alias's (?qualifier=)",
          params: NameParams,
          querystring: UrlQuery,
          response: { 200: UrlDto, ...errorResponses },
        },
      },
      async (req) => urls.get(await account(req), req.params.name, req.query.qualifier, base(req)),
    );
    app.get(
      '/v1/functions/:name/urls',
      {
        onRequest,
        schema: {
          tags,
          summary: "Every URL of the function: its own, then its aliases'",
          params: NameParams,
          response: { 200: Type.Object({ urls: Type.Array(UrlDto) }), ...errorResponses },
        },
      },
      async (req) => ({ urls: await urls.list(await account(req), req.params.name, base(req)) }),
    );
    app.delete(
      '/v1/functions/:name/url',
      {
        onRequest,
        schema: {
          tags,
          summary: "Remove the function's URL, or its alias's (?qualifier=)",
          params: NameParams,
          querystring: UrlQuery,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await urls.remove(await account(req), req.params.name, req.query.qualifier);
        return reply.code(204).send(null);
      },
    );

    // The URL itself: the body stays raw bytes (any content type), up to Lambda's 6 MB.
    await app.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_URL_PAYLOAD_BYTES }, (_req, body, done) => done(null, body));
      // Fastify refuses a content type it cannot read ("json", "", a list) with a 415 before any handler; Lambda
      // hands any body to the function. The body is read as bytes under a stand-in type, and the type as sent is
      // put back for what follows (a signature may cover it); the event takes it from the raw headers.
      const sentTypes = new WeakMap<FastifyRequest, string>();
      raw.addHook('preParsing', async (req) => {
        if (Number(req.headers['content-length']) > MAX_URL_PAYLOAD_BYTES) {
          throw new AppError(
            'PAYLOAD_TOO_LARGE',
            413,
            `The request body is larger than ${MAX_URL_PAYLOAD_BYTES} bytes, a function URL's limit`,
          );
        }
        const sent = req.raw.headers['content-type'];
        if (sent !== undefined) {
          sentTypes.set(req, sent);
          req.raw.headers['content-type'] = 'application/octet-stream';
        }
      });
      raw.addHook('preValidation', async (req) => {
        const sent = sentTypes.get(req);
        if (sent !== undefined) req.raw.headers['content-type'] = sent;
      });
      const handler = async (req: FastifyRequest<{ Params: { urlId: string } }>, reply: FastifyReply) => {
        const u = await urls.lookup(req.params.urlId);
        const origin = allowedOrigin(u.cors, req.headers.origin);
        if (req.method === 'OPTIONS' && u.cors && req.headers['access-control-request-method']) {
          // A CORS preflight is answered here, from the configuration; the function is not invoked.
          if (origin) {
            reply.header('access-control-allow-origin', origin);
            if (u.cors.allowMethods?.length) reply.header('access-control-allow-methods', u.cors.allowMethods.join(','));
            if (u.cors.allowHeaders?.length) reply.header('access-control-allow-headers', u.cors.allowHeaders.join(','));
            if (u.cors.maxAge !== undefined) reply.header('access-control-max-age', String(u.cors.maxAge));
            if (u.cors.allowCredentials) reply.header('access-control-allow-credentials', 'true');
            if (origin !== '*') reply.header('vary', 'Origin');
          }
          return reply.code(200).send();
        }
        await urls.authorize(u, req, reply);
        // What follows the id as the client wrote it (an id sent percent-encoded is longer than the decoded one).
        const afterId = req.url.slice('/url/'.length).search(/[/?]/);
        const out = await urls.handle(u, {
          method: req.method,
          rawPathAndQuery: afterId < 0 ? '' : req.url.slice('/url/'.length + afterId),
          rawHeaders: req.raw.rawHeaders,
          body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          sourceIp: req.ip,
          forwarded: {
            proto: req.protocol,
            port: String(req.port ?? (req.protocol === 'https' ? 443 : 80)),
            viaProxy: req.ip !== req.socket.remoteAddress,
          },
        });
        for (const [k, v] of Object.entries(out.headers)) if (k !== 'content-security-policy') reply.header(k, v);
        // A function URL shares the api's origin with the console, and its answer is another tenant's
        // content: a sandboxed page is an origin of its own, so nothing it runs can read the console's
        // storage or pages, or register a service worker that sees the console's requests (and keys).
        // A policy of the function's own is sent too; the browser enforces both.
        const theirs = out.headers['content-security-policy'];
        reply.header('content-security-policy', theirs ? [FUNCTION_URL_SANDBOX, theirs] : FUNCTION_URL_SANDBOX);
        if (out.cookies.length) reply.header('set-cookie', out.cookies);
        // The CORS headers depend on the request's Origin unless every origin is answered alike (`*`, without
        // credentials): a cache in front must keep one answer per origin, as the preflight already says.
        if (u.cors && variesByOrigin(u.cors)) {
          const theirVary = out.headers.vary;
          reply.header('vary', theirVary ? `${theirVary}, Origin` : 'Origin');
        }
        if (origin && u.cors) {
          reply.header('access-control-allow-origin', origin);
          if (u.cors.allowCredentials) reply.header('access-control-allow-credentials', 'true');
          if (u.cors.exposeHeaders?.length) reply.header('access-control-expose-headers', u.cors.exposeHeaders.join(','));
        }
        return reply.code(out.statusCode).send(out.body);
      };
      const schema = {
        tags,
        summary: 'A function URL: any method and sub-path invokes the function with a payload format 2.0 event',
        params: Type.Object({ urlId: Type.String(), '*': Type.Optional(Type.String()) }),
      };
      raw.all('/url/:urlId', { schema, bodyLimit: MAX_URL_PAYLOAD_BYTES }, handler);
      raw.all('/url/:urlId/*', { schema, bodyLimit: MAX_URL_PAYLOAD_BYTES }, handler);
    });
  };
}
