import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.js';
import { appliedMigrations } from '../../db/migrate.js';
import type { Metrics } from '../../lib/metrics.js';
import type { ExecutorsService } from '../executors/executors.service.js';

/** The Prometheus text exposition format. */
const metricsText = {
  description: 'Prometheus metrics',
  content: { 'text/plain': { schema: { type: 'string' } } },
};

export function healthRoutes(deps: {
  db: Db;
  metrics: Metrics;
  executors: Pick<ExecutorsService, 'unsandboxed'>;
  expectedMigrations: number;
  /** True once the process has begun to stop: not ready, so that a load balancer sends it nothing more. */
  draining?: () => boolean;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['operations'];
    const Status = Type.Object({
      status: Type.String(),
      detail: Type.Optional(Type.String()),
      sandbox: Type.Optional(
        Type.Union([Type.Literal('on'), Type.Literal('off')], {
          description: "'off' when a live executor runs functions unisolated (TALLY_SANDBOX=off): never with untrusted code",
        }),
      ),
    });

    app.get('/healthz', { schema: { tags, summary: 'The process is up', response: { 200: Status } } }, async () => ({ status: 'ok' }));

    app.get(
      '/readyz',
      {
        schema: {
          tags,
          summary: 'The database answers and every migration is applied',
          response: {
            200: Status,
            // Not ready (its own answer), or shed by an overloaded process (the error shape, 503 OVERLOADED).
            503: Type.Union([Status, Type.Ref('ErrorBody')]),
          },
        },
      },
      async (_req, reply) => {
        if (deps.draining?.()) return reply.code(503).send({ status: 'not ready', detail: 'shutting down' });
        try {
          const applied = await appliedMigrations(deps.db);
          if (applied < deps.expectedMigrations) {
            return reply.code(503).send({ status: 'not ready', detail: `${deps.expectedMigrations - applied} migrations pending` });
          }
          // Ready either way: an unsandboxed executor is a deliberate developer switch, said out loud.
          const { unsandboxed } = await deps.executors.unsandboxed();
          if (unsandboxed.length > 0) {
            return {
              status: 'ready',
              sandbox: 'off' as const,
              detail: `functions run UNSANDBOXED on executor ${unsandboxed.join(', ')} (TALLY_SANDBOX=off)`,
            };
          }
          return { status: 'ready', sandbox: 'on' as const };
        } catch {
          return reply.code(503).send({ status: 'not ready', detail: 'the database does not answer' });
        }
      },
    );

    app.get('/metrics', { schema: { tags, summary: 'Prometheus metrics', response: { 200: metricsText } } }, async (_req, reply) => {
      reply.type(deps.metrics.registry.contentType);
      return deps.metrics.exposition ? deps.metrics.exposition() : deps.metrics.registry.metrics();
    });
  };
}
