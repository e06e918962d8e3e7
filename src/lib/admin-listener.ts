import http, { type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * What the admin listener serves: Prometheus metrics, the OpenAPI document and page, and health. Told by
 * the route the router matched (its pattern, `req.routeOptions.url`), never by the URL as sent: the router
 * decodes `/%6detrics`, drops a `#fragment` and reads the absolute form `http://host/metrics`, all
 * /metrics, which a test of the raw URL let through on the public listener (found by review).
 */
const ADMIN_ONLY = /^\/(metrics|docs)(\/|$)/;
const HEALTH = /^\/(healthz|readyz)$/;
const FROM_ADMIN = Symbol('tally.admin-listener');

/** Whether a route (its pattern as registered; undefined: none matched) is one only the admin listener serves. */
export const isAdminRoute = (route: string | undefined) => route !== undefined && ADMIN_ONLY.test(route);

/** Whether the admin listener serves this route at all (anything else, and no route, is a 404 there). */
export const servedOnAdmin = (route: string | undefined) => route !== undefined && (ADMIN_ONLY.test(route) || HEALTH.test(route));

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
