import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/**
 * Where `npm run build:console` writes the console: `console/dist` beside src/ in a checkout, and
 * `dist/console/dist` beside the compiled server (scripts/build.mjs copies it there), the same
 * three folders up from this file in both layouts.
 */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/**
 * The console's pages load only their own scripts and styles and talk only to this origin; the
 * printable invoice (the api's own HTML, opened from a blob) carries inline styles.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tally console not built</title></head>
<body><main><h1>The Tally console is not built</h1>
<p>Its files are missing from this installation. Build them with <code>npm run build:console</code>
(<code>npm start</code>, <code>npm test</code> and <code>npm run build</code> do it for you), then reload this page.</p>
<p>The API itself works: see <a href="/docs">/docs</a>.</p></main></body></html>
`;

function pageHeaders(reply: FastifyReply) {
  reply.header('content-security-policy', CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
}

/**
 * The web console at /console: the built single-page app (hash routes, so /console and its assets
 * are all there is). Without a build, every console path answers 503 saying how to build it, until
 * the build appears: the page says to build and reload, so no restart is needed.
 */
export function consoleRoutes(opts: { dir?: string } = {}): FastifyPluginAsync {
  const dir = opts.dir ?? DEFAULT_CONSOLE_DIR;
  const index = join(dir, 'index.html');
  return async (app) => {
    // Once seen, the build is taken as there (a rebuild replaces its files in place).
    let built = existsSync(index);
    app.addHook('onRequest', async (_req, reply) => {
      built ||= existsSync(index);
      if (built) return;
      pageHeaders(reply);
      return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    });
    const assets = join(dir, 'assets');
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/console/',
      schemaHide: true,
      index: 'index.html',
      redirect: false,
      // A missing build is the 503 above, not a warning at start.
      suppressWarning: true,
      // Built assets carry a content hash in their names: cached for good. The page itself never.
      setHeaders: (reply, path) => {
        reply.header('cache-control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache');
        if (path.endsWith('.html')) pageHeaders(reply);
      },
    });
    app.get('/console', { schema: { hide: true } }, (_req, reply) => reply.sendFile('index.html'));
  };
}
