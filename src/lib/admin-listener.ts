import http, { type IncomingMessage, type ServerResponse } from 'node:http';

/** What the admin listener serves: Prometheus metrics, the OpenAPI document and page, and health. */
const ADMIN_ONLY = /^\/(metrics|docs)(\/|\?|$)/;
const HEALTH = /^\/(healthz|readyz)(\?|$)/;
const FROM_ADMIN = Symbol('tally.admin-listener');

/** Whether a request asks for something only the admin listener serves. */
export const isAdminPath = (url: string) => ADMIN_ONLY.test(url);

/** Whether the admin listener serves this path at all (anything else is a 404 there). */
export const servedOnAdmin = (url: string) => ADMIN_ONLY.test(url) || HEALTH.test(url);

export const fromAdminListener = (req: IncomingMessage) => (req as IncomingMessage & { [FROM_ADMIN]?: boolean })[FROM_ADMIN] === true;

/**
 * A second HTTP server for the same app (same routes, hooks, request ids and error shape), meant for
 * loopback or a private network: the app, built with `adminListener: true`, serves /metrics and /docs
 * only to requests that came through it, and this server serves nothing else but health.
 */
export function createAdminServer(route: (req: IncomingMessage, res: ServerResponse) => void): http.Server {
  return http.createServer((req, res) => {
    (req as IncomingMessage & { [FROM_ADMIN]?: boolean })[FROM_ADMIN] = true;
    route(req, res);
  });
}
