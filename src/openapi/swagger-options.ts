import type { SwaggerOptions } from '@fastify/swagger';
import { errorExample, successExamples } from './examples.js';
import { OPERATIONS, UNDOCUMENTED } from './operations.js';

/** Where a local `npm start` listens: the document's server when no public URL is configured. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:3000';

const ERROR_REF = { $ref: 'ErrorBody#' };
const OPTIONAL_BODY = new Set(
  Object.values(OPERATIONS)
    .filter((e) => e.body)
    .map((e) => e.operationId),
);

/** `METHOD /path/:param` for each method of a route (an `all` route has several). */
export const routeKeys = (method: string | string[], url: string) => (Array.isArray(method) ? method : [method]).map((m) => `${m} ${url}`);

/**
 * The @fastify/swagger options of the API document (`/docs/json`): named operations, every 4xx
 * answer in the error shape with an example, a server, and shared schemas named by their `$id`.
 * The document is the contract of the generated client in src/client, so it is linted in the tests.
 */
export function swaggerOptions(opts: { publicUrl?: string | null } = {}): SwaggerOptions {
  return {
    openapi: {
      info: {
        title: 'Tally',
        version: '0.1.0',
        description: 'Serverless functions with exact pay-per-use metering and billing',
      },
      servers: [{ url: opts.publicUrl ?? DEFAULT_SERVER_URL, description: 'this Tally api' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: ({ schema, url, route }) => {
      if (UNDOCUMENTED.some((re) => re.test(url))) return { schema: { ...schema, hide: true }, url };
      const entry = routeKeys(route.method, url)
        .map((k) => OPERATIONS[k])
        .find(Boolean);
      if (!entry || !schema) return { schema, url };
      const response = { ...(schema.response as Record<string, unknown> | undefined) };
      for (const status of entry.more4xx ?? []) response[status] ??= ERROR_REF;
      const body = schema.body ?? entry.body;
      return { schema: { ...schema, operationId: entry.operationId, response, ...(body ? { body } : {}) }, url };
    },
    transformObject: (doc) => {
      if (!('openapiObject' in doc)) return doc.swaggerObject;
      finish(doc.openapiObject as OpenApiDocument);
      return doc.openapiObject;
    },
  };
}

interface MediaType {
  schema?: unknown;
  example?: unknown;
}
interface Operation {
  operationId?: string;
  parameters?: { in: string; required?: boolean; schema?: { default?: unknown } }[];
  responses?: Record<string, { content?: Record<string, MediaType> }>;
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
}
interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
}

/**
 * Each 4xx answer gets an example of the error shape for its status; main operations a success
 * example. A query parameter with a default is optional to the caller (the schema must list it as
 * required for the validator to fill the default in).
 */
function finish(doc: OpenApiDocument): void {
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      for (const p of op.parameters ?? []) if (p.in === 'query' && p.schema?.default !== undefined) p.required = false;
      if (op.requestBody && OPTIONAL_BODY.has(op.operationId ?? '')) op.requestBody.required = false;
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (!json) continue;
        if (status.startsWith('4')) json.example ??= errorExample(Number(status));
      }
      const examples = op.operationId ? successExamples[op.operationId] : undefined;
      if (!examples) continue;
      const requestJson = op.requestBody?.content?.['application/json'];
      if (examples.request !== undefined && requestJson) requestJson.example = examples.request;
      for (const [status, example] of Object.entries(examples.responses)) {
        const json = op.responses?.[status]?.content?.['application/json'];
        if (json) json.example = example;
      }
    }
  }
}
