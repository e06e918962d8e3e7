import type { FastifyRequest } from 'fastify';
import { errors } from './errors.js';

/** Text Postgres can keep: a NUL becomes U+FFFD, as the executor does with log lines. */
export const storableText = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text);

/** Deeper than any body a /v1 route takes; a schedule's free-form input included. */
export const MAX_BODY_DEPTH = 64;

/**
 * Routes whose bodies are not checked here: usage and log batches are checked by their own schemas
 * and services (the hot paths, where a walk of every event would cost), a quarantine report keeps
 * events exactly as sent, and an invocation's payload is the function's, passed on as it came.
 */
const EXEMPT = new Set(['POST /v1/usage', 'POST /v1/logs', 'POST /v1/usage/quarantine', 'POST /v1/functions/:name/invoke']);

/** The first place in a parsed JSON body Postgres could not keep (a NUL), or nesting past MAX_BODY_DEPTH. */
export function unstorable(value: unknown, path = 'body', depth = 0): { field: string; reason: string } | null {
  if (typeof value === 'string') return value.includes('\u0000') ? { field: path, reason: 'holds a NUL character' } : null;
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_BODY_DEPTH) return { field: path, reason: `nests deeper than ${MAX_BODY_DEPTH} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorable(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000')) return { field: path, reason: 'has a key holding a NUL character' };
    const found = unstorable(inner, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * A preValidation hook for the /v1 routes: a NUL character in the URL (`%00`) or in a JSON body is a
 * 400 naming where, before any handler runs. Postgres keeps no NUL in text, so each such value was a
 * failed query and a 500 (found by a review on 2026-12-07, on a dozen routes); and a body nested
 * thousands deep made JSON.stringify overflow its stack.
 */
export async function refuseUnstorableInput(req: FastifyRequest): Promise<void> {
  if (!req.url.startsWith('/v1/')) return;
  if (req.url.includes('%00')) throw errors.validation('The URL holds a NUL character (%00)', [{ field: 'url' }]);
  if (EXEMPT.has(`${req.method} ${req.routeOptions.url}`)) return;
  const body = req.body;
  if (body === null || typeof body !== 'object' || Buffer.isBuffer(body)) return;
  const found = unstorable(body);
  if (found) throw errors.validation(`${found.field} ${found.reason}`, [{ field: found.field }]);
}
