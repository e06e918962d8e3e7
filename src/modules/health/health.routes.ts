import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../../db/database.js';
import type { Metrics } from '../../lib/metrics.js';

export function healthRoutes(deps: { db: Db; metrics: Metrics; expectedMigrations: number }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['operations'];
    const Status = Type.Object({ status: Type.String(), detail: Type.Optional(Type.String()) });

    app.get('/healthz', { schema: { tags, summary: 'The process is up', response: { 200: Status } } }, async () => ({ status: 'ok' }));

    app.get('/readyz', {
      schema: { tags, summary: 'The database answers and every migration is applied', response: { 200: Status, 503: Status } },
    }, async (_req, reply) => {
      try {
        const { rows } = await sql<{ n: string }>`select count(*)::text as n from kysely_migration`.execute(deps.db);
        const applied = Number(rows[0]?.n ?? 0);
        if (applied < deps.expectedMigrations) {
          return reply.code(503).send({ status: 'not ready', detail: `${deps.expectedMigrations - applied} migrations pending` });
        }
        return { status: 'ready' };
      } catch {
        return reply.code(503).send({ status: 'not ready', detail: 'the database does not answer' });
      }
    });

    app.get('/metrics', { schema: { tags, summary: 'Prometheus metrics', hide: false } }, async (_req, reply) => {
      reply.type(deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });
  };
}
