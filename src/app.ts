import { randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from './db/database.js';
import type { Clock } from './lib/clock.js';
import { errorHandler, notFoundHandler } from './lib/error-handler.js';
import type { Logger } from './lib/logger.js';
import { RequestLog } from './lib/request-log.js';
import { fromAdminListener, isAdminRoute, servedOnAdmin } from './lib/admin-listener.js';
import type { OnCacheRead } from './lib/fresh-cache.js';
import { createMetrics, instrumentInvoiceRuns, registerBacklogMetrics, type Metrics } from './lib/metrics.js';
import { createOutboundHttp, type OutboundOptions } from './lib/outbound-http.js';
import { ErrorBody } from './lib/schemas.js';
import { validatorCompiler } from './lib/validation.js';
import { refuseUnstorableInput } from './lib/storable-input.js';
import { createAccountsRepository } from './modules/accounts/accounts.repository.js';
import { accountsRoutes } from './modules/accounts/accounts.routes.js';
import { createAccountsService } from './modules/accounts/accounts.service.js';
import { createAuth, type AuthOptions } from './modules/accounts/auth.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { createAuditService } from './modules/audit/audit.service.js';
import { createAsyncRepository } from './modules/async/async.repository.js';
import { asyncRoutes } from './modules/async/async.routes.js';
import { createAsyncService, type AsyncOptions } from './modules/async/async.service.js';
import { createAlertsRepository } from './modules/budgets/alerts.repository.js';
import { createAlertsService } from './modules/budgets/alerts.service.js';
import { createBudgetEvaluator } from './modules/budgets/budgets.evaluator.js';
import { createBudgetsRepository } from './modules/budgets/budgets.repository.js';
import { budgetsRoutes } from './modules/budgets/budgets.routes.js';
import { createBudgetsService } from './modules/budgets/budgets.service.js';
import { createExecutorClient } from './modules/executors/executors.client.js';
import { createExecutorsRepository } from './modules/executors/executors.repository.js';
import { executorsRoutes } from './modules/executors/executors.routes.js';
import { createExecutorsService, type ExecutorsOptions } from './modules/executors/executors.service.js';
import { createFunctionsRepository } from './modules/functions/functions.repository.js';
import { createImagesRepository } from './modules/functions/images.repository.js';
import { functionsRoutes } from './modules/functions/functions.routes.js';
import { createFunctionsService, type FunctionsServiceOptions } from './modules/functions/functions.service.js';
import { invokeRoutes } from './modules/functions/invoke.routes.js';
import { createInvokeService } from './modules/functions/invoke.service.js';
import { createBacklogRepository } from './modules/health/backlog.repository.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { createConcurrency, type ConcurrencyOptions } from './modules/limits/concurrency.js';
import { createConcurrencyRepository } from './modules/limits/concurrency.repository.js';
import { installLoadShedding, type LoadSheddingOptions } from './modules/limits/load-shedding.js';
import { createRateLimits, type RateLimitOptions } from './modules/limits/rate-limits.js';
import { createRateLimitsRepository } from './modules/limits/rate-limits.repository.js';
import { createInvoicesRepository } from './modules/invoices/invoices.repository.js';
import { invoicesRoutes } from './modules/invoices/invoices.routes.js';
import { createInvoicesService } from './modules/invoices/invoices.service.js';
import { createPricingRepository } from './modules/pricing/pricing.repository.js';
import { pricingRoutes } from './modules/pricing/pricing.routes.js';
import { createPricingService } from './modules/pricing/pricing.service.js';
import { createSourcesRepository } from './modules/sources/sources.repository.js';
import { sourcesRoutes } from './modules/sources/sources.routes.js';
import { type BrokerAddressOptions, createBrokerAddressCheck } from './modules/sources/broker-address.js';
import { createSourcesService } from './modules/sources/sources.service.js';
import { createSecretsRepository } from './modules/secrets/secrets.repository.js';
import { createSecretsService } from './modules/secrets/secrets.service.js';
import { createRetentionRepository } from './modules/retention/retention.repository.js';
import { createRetentionService } from './modules/retention/retention.service.js';
import { createSchedulesRepository } from './modules/schedules/schedules.repository.js';
import { schedulesRoutes } from './modules/schedules/schedules.routes.js';
import { createSchedulesService } from './modules/schedules/schedules.service.js';
import { createUrlsRepository } from './modules/urls/urls.repository.js';
import { urlsRoutes } from './modules/urls/urls.routes.js';
import { createUrlsService } from './modules/urls/urls.service.js';
import { createUsageRepository } from './modules/usage/usage.repository.js';
import { createLogsRepository } from './modules/logs/logs.repository.js';
import { logsRoutes } from './modules/logs/logs.routes.js';
import { createLogsService } from './modules/logs/logs.service.js';
import { createQuarantineRepository } from './modules/usage/quarantine.repository.js';
import { quarantineRoutes } from './modules/usage/quarantine.routes.js';
import { createQuarantineService } from './modules/usage/quarantine.service.js';
import { usageRoutes } from './modules/usage/usage.routes.js';
import { createUsageService } from './modules/usage/usage.service.js';
import { DEFAULT_BILLING_LOOKBACK_MONTHS } from './config.js';
import { DEFAULT_REGION } from './lib/arns.js';
import { createSecretBox, type SecretBox } from './lib/secret-box.js';
import { consoleRoutes } from './modules/console/console.routes.js';
import { swaggerOptions } from './openapi/swagger-options.js';
import { createVersionsRepository } from './modules/functions/versions.repository.js';
import { versionsRoutes } from './modules/functions/versions.routes.js';
import { createVersionsService } from './modules/functions/versions.service.js';
import { createAccessKeysRepository } from './modules/aws/access-keys.repository.js';
import { accessKeysRoutes } from './modules/aws/access-keys.routes.js';
import { createAccessKeysService } from './modules/aws/access-keys.service.js';
import { createAwsSettingsRepository } from './modules/aws/aws-settings.repository.js';
import { lambdaRoutes } from './modules/aws/lambda.routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** `draining`: set when the process begins to stop (server.ts); /readyz then answers 503. */
    lifecycle: { draining: boolean };
  }
}

export interface AppDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  adminKey: string | null;
  bodyLimitBytes?: number;
  expectedMigrations?: number;
  metrics?: Metrics;
  /** /metrics and /docs only through the admin listener (createAdminServer); the public one answers 404. */
  adminListener?: boolean;
  /**
   * Functions and invoke routing: cache TTL, zip limits, executor liveness, per-account concurrency,
   * and whether executors in other processes are reached over invoke streams (default) or HTTP.
   */
  functions?: FunctionsServiceOptions & { executors?: ExecutorsOptions; invokeStreams?: boolean };
  /** Usage older than this many months (before the current one) is refused: it could no longer be billed. Default 12. */
  billingLookbackMonths?: number;
  /** Invoice runs: accounts priced and written per transaction (default 1,000). */
  invoices?: { runPageSize?: number };
  /** Concurrency leases shared by the replicas: lease lifetime and renewal period. */
  concurrency?: ConcurrencyOptions;
  /** Abuse limits: failed authentications per address, expensive routes per key and address (absent: none). */
  rateLimits?: RateLimitOptions;
  /** Load shedding: when this process answers 503 OVERLOADED instead of queueing (absent: never). */
  loadShedding?: LoadSheddingOptions;
  /** Behind a load balancer: whose X-Forwarded-For names the client (its address is what limits count). */
  trustProxy?: boolean | string;
  /** Verified-key cache: how often revocations are polled. */
  auth?: AuthOptions;
  /** Tenants' webhooks: whether they may reach private addresses (TALLY_ALLOW_PRIVATE_WEBHOOKS), and the resolver (tests). */
  webhooks?: OutboundOptions;
  /** Broker URLs: the platform's own endpoints (its database server, the api's listeners) no mapping may name. */
  brokers?: BrokerAddressOptions;
  /** The base URL function URLs are named under (TALLY_PUBLIC_URL); absent: the request's own host. */
  publicUrl?: string | null;
  /** Asynchronous invocation: the retry delay base (TALLY_ASYNC_RETRY_BASE_MS) and the claim lease. */
  events?: AsyncOptions;
  /**
   * Whether the start opens every sealed value and loads the dispatch-token secret (default: yes). Only
   * the API document's build says no: its stand-in database holds no secret (src/openapi/document.ts).
   */
  secretsAtStart?: boolean;
  /** Seals secrets stored for reading back (SigV4 secrets, broker URLs, the dispatch-token secret, webhook signing secrets); absent: a random key for this process only. */
  secretBox?: SecretBox;
  /** Function logs: how often a follower (SSE) looks for new lines, and how many one account may open in this process. */
  logs?: { followPollMs?: number; maxFollowersPerAccount?: number; maxAgeDays?: number };
  /** The built web console served at /console (default: console/dist beside the code). */
  consoleDir?: string;
  /** The region every ARN Tally writes names (TALLY_REGION, default us-east-1): the Lambda API's, destination records', mappings' and their records'. */
  aws?: { region?: string };
}

/**
 * The secret box of apps given none (tests, embedding): one random key per process, so that apps built
 * in one process on one database open each other's sealed values, as replicas sharing TALLY_SECRET_KEY do.
 */
const UNCONFIGURED_SECRET_BOX = createSecretBox(randomBytes(32));

/** Every service, wired from the dependencies; the app serves them and server.ts schedules jobs on them. */
export function buildServices(deps: AppDeps) {
  const metrics = deps.metrics ?? createMetrics();
  const region = deps.aws?.region ?? DEFAULT_REGION;
  const onCacheRead: OnCacheRead = (cache, read) => metrics.cacheReads.inc({ cache, read });
  const accountsRepo = createAccountsRepository(deps.db);
  const rateLimits = createRateLimits({
    repo: createRateLimitsRepository(deps.db),
    log: deps.logger.child({ module: 'limits' }),
    options: deps.rateLimits,
  });
  const auth = createAuth({ repo: accountsRepo, adminKey: deps.adminKey, limits: rateLimits, options: deps.auth, onCacheRead });
  const audit = createAuditService({ repo: createAuditRepository(deps.db) });
  const functions = createFunctionsService({
    repo: createFunctionsRepository(deps.db),
    images: createImagesRepository(deps.db),
    options: { ...deps.functions, region },
    onCacheRead,
  });
  const accounts = createAccountsService({ db: deps.db, repo: accountsRepo, auth, audit, clock: deps.clock, limits: functions });
  const pricing = createPricingService({ db: deps.db, repo: createPricingRepository(deps.db), audit, clock: deps.clock });
  const invoices = instrumentInvoiceRuns(
    createInvoicesService({
      db: deps.db,
      repo: createInvoicesRepository(deps.db),
      pricing,
      audit,
      accounts,
      clock: deps.clock,
      log: deps.logger.child({ module: 'invoices' }),
      runPageSize: deps.invoices?.runPageSize,
    }),
    metrics,
  );
  const secretBox = deps.secretBox ?? UNCONFIGURED_SECRET_BOX;
  const budgetsRepo = createBudgetsRepository(deps.db);
  const alertsRepo = createAlertsRepository(deps.db);
  const budgetsLog = deps.logger.child({ module: 'budgets' });
  const outbound = createOutboundHttp(deps.webhooks);
  const budgets = createBudgetsService({
    db: deps.db,
    repo: budgetsRepo,
    alerts: alertsRepo,
    evaluator: createBudgetEvaluator({
      db: deps.db,
      repo: budgetsRepo,
      alerts: alertsRepo,
      invoices,
      clock: deps.clock,
      log: budgetsLog,
      registry: metrics.registry,
    }),
    outbound,
    audit,
    secretBox,
    clock: deps.clock,
    log: budgetsLog,
  });
  const alerts = createAlertsService({
    db: deps.db,
    repo: alertsRepo,
    budgets: budgetsRepo,
    outbound,
    secretBox,
    clock: deps.clock,
    log: budgetsLog,
    registry: metrics.registry,
  });
  const executors = createExecutorsService({
    repo: createExecutorsRepository(deps.db),
    secretBox,
    log: deps.logger.child({ module: 'executors' }),
    accounts,
    auth,
    options: deps.functions?.executors,
  });
  const usageLog = deps.logger.child({ module: 'usage' });
  const usage = createUsageService({
    repo: createUsageRepository(deps.db),
    accounts: accountsRepo,
    clock: deps.clock,
    metrics,
    log: usageLog,
    onIngested: budgets.onIngested,
    dispatch: executors,
    billing: { catalogStart: pricing.catalogStart, lookbackMonths: deps.billingLookbackMonths ?? DEFAULT_BILLING_LOOKBACK_MONTHS },
  });
  const quarantine = createQuarantineService({
    db: deps.db,
    repo: createQuarantineRepository(deps.db),
    usage,
    executors,
    audit,
    metrics,
    log: usageLog,
  });
  const executorClient = createExecutorClient({ streams: deps.functions?.invokeStreams });
  const concurrency = createConcurrency({
    repo: createConcurrencyRepository(deps.db),
    log: deps.logger.child({ module: 'concurrency' }),
    options: deps.concurrency,
  });
  const invoke = createInvokeService({
    functions,
    executors,
    client: executorClient,
    log: deps.logger.child({ module: 'invoke' }),
    concurrency,
    admit: (accountId, fn) => budgets.assertNotCapped(accountId, fn),
  });
  const versions = createVersionsService({ repo: createVersionsRepository(deps.db), functions, clock: deps.clock, onCacheRead });
  const events = createAsyncService({
    repo: createAsyncRepository(deps.db),
    functions,
    versions,
    invoke,
    budgets,
    usage,
    outbound,
    secretBox,
    clock: deps.clock,
    log: deps.logger.child({ module: 'async' }),
    region,
    options: deps.events,
  });
  const schedules = createSchedulesService({
    repo: createSchedulesRepository(deps.db),
    events,
    functions,
    versions,
    clock: deps.clock,
    log: deps.logger.child({ module: 'schedules' }),
    region,
  });
  const accessKeys = createAccessKeysService({
    db: deps.db,
    repo: createAccessKeysRepository(deps.db),
    audit,
    secretBox,
    auth,
    clock: deps.clock,
    onCacheRead,
  });
  const urls = createUrlsService({
    repo: createUrlsRepository(deps.db),
    functions,
    versions,
    invoke,
    auth,
    accessKeys,
    limits: rateLimits,
    clock: deps.clock,
    onCacheRead,
    publicUrl: deps.publicUrl ?? null,
  });
  const logs = createLogsService({
    repo: createLogsRepository(deps.db),
    dispatch: executors,
    clock: deps.clock,
    log: deps.logger.child({ module: 'logs' }),
    maxAgeDays: deps.logs?.maxAgeDays,
  });
  const sources = createSourcesService({
    repo: createSourcesRepository(deps.db),
    functions,
    versions,
    events,
    outbound,
    brokerAddress: createBrokerAddressCheck(deps.brokers),
    secretBox,
    clock: deps.clock,
    region,
  });
  const retention = createRetentionService({ repo: createRetentionRepository(deps.db), clock: deps.clock });
  const secrets = createSecretsService({
    repo: createSecretsRepository(deps.db),
    secretBox,
    log: deps.logger.child({ module: 'secrets' }),
  });
  return {
    secrets,
    retention,
    logs,
    versions,
    accessKeys,
    metrics,
    secretBox,
    concurrency,
    rateLimits,
    auth,
    accounts,
    usage,
    quarantine,
    pricing,
    invoices,
    audit,
    budgets,
    alerts,
    functions,
    executors,
    executorClient,
    invoke,
    events,
    schedules,
    urls,
    sources,
  };
}

export type Services = ReturnType<typeof buildServices>;

const REQUEST_ID = /^[\w.:-]{1,100}$/;
/** Accounts, keys, budgets, quotes (100 workloads), executor registrations: a few KB at most. */
const SMALL_BODY_LIMIT = 64 * 1024;

/** Builds the whole api from its dependencies; reads no environment, opens no connection, listens nowhere. */
export async function buildApp(deps: AppDeps, services = buildServices(deps)) {
  const metrics = services.metrics;
  registerBacklogMetrics(metrics.registry, createBacklogRepository(deps.db).read);
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new RequestLog(),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Routes that take more say so (usage batches, function code, events); the rest are small JSON.
    bodyLimit: SMALL_BODY_LIMIT,
    return503OnClosing: true,
    // The start's secrets pass (an onReady hook) reads every sealed value: on a large deployment that is
    // more than Fastify's default 10 s, and a start that times out would time out again at every start.
    pluginTimeout: 300_000,
    trustProxy: deps.trustProxy ?? false,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler());
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  if (deps.adminListener) {
    app.addHook('onRequest', async (req, reply) => {
      const route = req.routeOptions.url;
      if (fromAdminListener(req.raw) ? !servedOnAdmin(route) : isAdminRoute(route)) return notFoundHandler(req, reply);
    });
  }
  app.decorateRequest('principal', null);
  app.addSchema(ErrorBody);
  app.addHook('preValidation', refuseUnstorableInput);
  // Once closing, answers in flight end their keep-alive connection: a client holding it open
  // would otherwise keep a stopping process alive.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpRequestSeconds.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, swaggerOptions({ publicUrl: deps.publicUrl }));
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await installLoadShedding(app, deps.loadShedding);
  await services.rateLimits.install(app);

  const { auth, accounts, usage, quarantine, pricing, invoices, audit, budgets, alerts, functions, executors, executorClient, invoke } =
    services;
  if (deps.secretsAtStart !== false) {
    // Every sealed value opens (and one sealed with a previous TALLY_SECRET_KEY is sealed again) or the start fails.
    app.addHook('onReady', async () => void (await services.secrets.rotate()));
    // The dispatch-token secret is read (made, on a fresh database) before the first invocation needs it.
    app.addHook('onReady', () => executors.loadSecrets());
  }
  // Revocations made on other replicas reach this one through the polled key revision.
  app.addHook('onReady', () => auth.start());
  // Each closing step says so when it is slow: a shutdown whose "http" step (app.close) sometimes overran its
  // share in CI named no culprit (test/integration/build.test.ts); the next one will.
  const timedStop = (name: string, stop: () => Promise<unknown> | undefined) => async () => {
    const slow = setTimeout(() => deps.logger.warn({ hook: name }, 'closing: still waiting after 2 s'), 2_000);
    slow.unref();
    try {
      await stop();
    } finally {
      clearTimeout(slow);
    }
  };
  app.addHook(
    'onClose',
    timedStop('key revision polling', async () => auth.stop()),
  );
  // Concurrency leases are renewed while the process serves, and given back when it stops.
  app.addHook('onReady', async () => services.concurrency.start());
  app.addHook(
    'onClose',
    timedStop('concurrency leases', () => services.concurrency.stop()),
  );
  app.addHook(
    'onClose',
    timedStop('executor connections', async () => executorClient.close()),
  );
  // Pending debounced budget evaluations finish (or are dropped) before the database goes away.
  app.addHook(
    'onClose',
    timedStop('budget evaluations', () => budgets.stop()),
  );

  const lifecycle = { draining: false };
  app.decorate('lifecycle', lifecycle);
  await app.register(
    healthRoutes({ db: deps.db, metrics, executors, expectedMigrations: deps.expectedMigrations ?? 0, draining: () => lifecycle.draining }),
  );
  await app.register(accountsRoutes({ auth, accounts }));
  const usageBodyLimit = deps.bodyLimitBytes ?? 16 * 1024 * 1024;
  await app.register(usageRoutes({ auth, usage, accounts, bodyLimit: usageBodyLimit }));
  await app.register(quarantineRoutes({ auth, quarantine, bodyLimit: usageBodyLimit }));
  await app.register(pricingRoutes({ auth, pricing }));
  await app.register(invoicesRoutes({ auth, invoices, accounts, budgets }));
  await app.register(budgetsRoutes({ auth, accounts, budgets, alerts }));
  await app.register(auditRoutes({ auth, audit }));
  await app.register(functionsRoutes({ auth, accounts, functions }));
  await app.register(invokeRoutes({ auth, accounts, invoke, events: services.events, versions: services.versions }));
  await app.register(asyncRoutes({ auth, accounts, events: services.events }));
  await app.register(schedulesRoutes({ auth, accounts, schedules: services.schedules }));
  await app.register(urlsRoutes({ auth, accounts, urls: services.urls, publicUrl: deps.publicUrl ?? null }));
  await app.register(
    sourcesRoutes({ auth, accounts, sources: services.sources, publicUrl: deps.publicUrl ?? null, limits: services.rateLimits }),
  );
  await app.register(executorsRoutes({ auth, executors, functions }));
  await app.register(logsRoutes({ auth, accounts, logs: services.logs, ...deps.logs }));
  await app.register(consoleRoutes({ dir: deps.consoleDir }));
  await app.register(versionsRoutes({ auth, accounts, versions: services.versions }));
  await app.register(accessKeysRoutes({ auth, accounts, accessKeys: services.accessKeys }));
  await app.register(
    lambdaRoutes({
      ctx: {
        functions,
        versions: services.versions,
        invoke,
        events: services.events,
        urls: services.urls,
        sources: services.sources,
        settings: createAwsSettingsRepository(deps.db),
        region: deps.aws?.region ?? DEFAULT_REGION,
        publicUrl: deps.publicUrl ?? null,
      },
      accessKeys: services.accessKeys,
      clock: deps.clock,
      rateLimits: services.rateLimits,
      // CreateFunction carries the zip base64-encoded in its JSON.
      bodyLimit: Math.ceil(functions.limits.maxZipBytes / 3) * 4 + 1024 * 1024,
    }),
  );
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
