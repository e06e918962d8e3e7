/**
 * The typed Tally client, shared by the `tally` CLI and the web console: its request and answer
 * types are generated from the API document (schema.d.ts, `npm run openapi`), so a route and its
 * callers cannot drift apart without the type check failing. Runs in Node.js 20 and in browsers:
 * nothing here may import a Node.js module.
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { PendingPaths } from './pending.js';
import type { components, operations, paths as generatedPaths } from './schema.js';

export type { LogEvent } from './pending.js';
/** Every route: generated from the API document, plus contract routes not merged yet (pending.ts). */
export type paths = generatedPaths & PendingPaths;
export type { components, operations };
/** The API's named shapes (`Schemas['ErrorBody']`). */
export type Schemas = components['schemas'];
/** Every 4xx and 5xx answer: `{ error: { code, message, requestId, details? } }`. */
export type ApiError = Schemas['ErrorBody'];
export type TallyClient = Client<paths>;

export interface TallyClientOptions {
  /** The api's base URL, e.g. `http://127.0.0.1:3000` (a trailing slash is ignored). */
  baseUrl: string;
  /** An account, admin or executor key; sent as `Authorization: Bearer <key>`. */
  key?: string | null;
  /** Another fetch (tests, progress reporting); default: the global one. */
  fetch?: ClientOptions['fetch'];
}

export function createTallyClient(opts: TallyClientOptions): TallyClient {
  return createClient<paths>({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    headers: opts.key ? { authorization: `Bearer ${opts.key}` } : {},
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
}

/** Whether an answer's body is the API's error shape (a proxy in between may answer otherwise). */
export function isApiError(body: unknown): body is ApiError {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const e = (body as { error: unknown }).error;
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';
}
