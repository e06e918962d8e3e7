/**
 * Routes of the round 2 contracts that the CLI and the console call but this branch's API document
 * does not hold yet, typed by hand from the contract. Once the route is merged and `npm run openapi`
 * generates it into schema.d.ts, delete its entry here (the generated one then types the calls).
 */
import type { components } from './schema.js';

export interface LogEvent {
  timestamp: string;
  requestId: string | null;
  message: string;
}

export interface PendingPaths {
  '/v1/functions/{name}/logs': {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    get: {
      parameters: {
        query?: { from?: string; to?: string; requestId?: string; filter?: string; limit?: number; cursor?: string };
        header?: never;
        path: { name: string };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: { 'application/json': { events: LogEvent[]; nextCursor: string | null } };
        };
        400: { headers: { [name: string]: unknown }; content: { 'application/json': components['schemas']['ErrorBody'] } };
        401: { headers: { [name: string]: unknown }; content: { 'application/json': components['schemas']['ErrorBody'] } };
        403: { headers: { [name: string]: unknown }; content: { 'application/json': components['schemas']['ErrorBody'] } };
        404: { headers: { [name: string]: unknown }; content: { 'application/json': components['schemas']['ErrorBody'] } };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
