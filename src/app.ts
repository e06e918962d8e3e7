import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from './db/database.js';
import type { Clock } from './lib/clock.js';
import { errorHandler, notFoundHandler } from './lib/error-handler.js';
import type { Logger } from './lib/logger.js';
import { createMetrics, type Metrics } from './lib/metrics.js';
import { ErrorBody } from './lib/schemas.js';
import { validatorCompiler } from './lib/validation.js';
import { createAccountsRepository } from './modules/accounts/accounts.repository.js';
import { accountsRoutes } from './modules/accounts/accounts.routes.js';
import { createAccountsService } from './modules/accounts/accounts.service.js';
import { createAuth } from './modules/accounts/auth.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { createUsageRepository } from './modules/usage/usage.repository.js';
import { usageRoutes } from './modules/usage/usage.routes.js';
import { createUsageService } from './modules/usage/usage.service.js';

export interface AppDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  adminKey: string | null;
  bodyLimitBytes?: number;
  expectedMigrations?: number;
  metrics?: Metrics;
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Builds the whole api from its dependencies; reads no environment, opens no connection, listens nowhere. */
export async function buildApp(deps: AppDeps) {
  const metrics = deps.metrics ?? createMetrics();
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler());
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.decorateRequest('principal', null);
  app.addSchema(ErrorBody);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpRequestSeconds.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Tally', version: '0.1.0', description: 'Serverless functions with exact pay-per-use metering and billing' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const accountsRepo = createAccountsRepository(deps.db);
  const auth = createAuth({ repo: accountsRepo, adminKey: deps.adminKey });
  const accounts = createAccountsService({ repo: accountsRepo, auth, clock: deps.clock });
  const usage = createUsageService({
    repo: createUsageRepository(deps.db),
    accounts: accountsRepo,
    clock: deps.clock,
    metrics,
    log: deps.logger.child({ module: 'usage' }),
  });

  await app.register(healthRoutes({ db: deps.db, metrics, expectedMigrations: deps.expectedMigrations ?? 0 }));
  await app.register(accountsRoutes({ auth, accounts }));
  await app.register(usageRoutes({ auth, usage, accounts, bodyLimit: deps.bodyLimitBytes ?? 16 * 1024 * 1024 }));
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
