/**
 * Every operation's name in the API document, and the 4xx answers it has beyond the common four
 * (400, 401, 403, 404, which every authenticated route declares through `errorResponses`).
 *
 * The names are the contract generated clients are built on (`client.GET('/v1/functions')` is typed
 * by them, other generators name methods after them): once published, a name does not change.
 * Keyed by Fastify's route (`METHOD /path/:param`); a route missing here fails the OpenAPI test,
 * so a new route gets a chosen name rather than a made-up one.
 */
export interface OperationEntry {
  operationId: string;
  /** 4xx answers beyond 400/401/403/404 (each in the error shape). */
  more4xx?: number[];
  /** For routes that parse their body raw (so declare no body schema): the body as the document shows it, optional. */
  body?: object;
}

const op = (operationId: string, ...more4xx: number[]): OperationEntry => (more4xx.length ? { operationId, more4xx } : { operationId });

/** Failed authentications per address and expensive routes per key are limited (429 RATE_LIMITED). */
const LIMITED = 429;

export const OPERATIONS: Record<string, OperationEntry> = {
  // operations
  'GET /healthz': op('getHealth'),
  'GET /readyz': op('getReadiness'),
  'GET /metrics': op('getMetrics'),
  // accounts and keys
  'POST /v1/accounts': op('createAccount', LIMITED),
  'GET /v1/accounts': op('listAccounts', LIMITED),
  'GET /v1/accounts/:id': op('getAccount', LIMITED),
  'PATCH /v1/accounts/:id': op('updateAccount', LIMITED),
  'PUT /v1/accounts/:id/concurrency-limit': op('setAccountConcurrencyLimit', LIMITED),
  'POST /v1/accounts/:id/keys': op('createAccountKey', LIMITED),
  'GET /v1/accounts/:id/keys': op('listAccountKeys', LIMITED),
  'POST /v1/accounts/:id/access-keys': op('createAccessKey', LIMITED),
  'GET /v1/accounts/:id/access-keys': op('listAccessKeys', LIMITED),
  'DELETE /v1/accounts/:id/access-keys/:accessKeyId': op('deleteAccessKey', LIMITED),
  'POST /v1/keys': op('createPlatformKey', LIMITED),
  'GET /v1/keys': op('listPlatformKeys', LIMITED),
  'DELETE /v1/keys/:id': op('revokeKey', LIMITED),
  // usage
  'POST /v1/usage': op('ingestUsage', 413, LIMITED),
  'GET /v1/usage': op('getUsage', LIMITED),
  'POST /v1/usage/quarantine': op('quarantineUsage', 413, LIMITED),
  'GET /v1/usage/quarantine': op('listQuarantinedUsage', LIMITED),
  'POST /v1/usage/quarantine/:id/replay': op('replayQuarantinedUsage', 409, LIMITED),
  // pricing and billing
  'GET /v1/prices': op('listPrices', LIMITED),
  'POST /v1/prices': op('createPriceVersion', 409, LIMITED),
  'POST /v1/quote': op('quote', LIMITED),
  'GET /v1/invoices': op('listInvoices', LIMITED),
  'GET /v1/invoices/:id': op('getInvoice', LIMITED),
  'GET /v1/invoices/:id/lines/:lineId/usage': op('getInvoiceLineUsage', LIMITED),
  'POST /v1/invoices/run': op('runInvoices', 409, LIMITED),
  'POST /v1/invoices/:id/void': op('voidInvoice', 409, LIMITED),
  'GET /v1/cost/current': op('getCurrentCost', LIMITED),
  // budgets and alerts
  'POST /v1/budgets': op('createBudget', 409, LIMITED),
  'GET /v1/budgets': op('listBudgets', LIMITED),
  'GET /v1/budgets/:id': op('getBudget', LIMITED),
  'PATCH /v1/budgets/:id': op('updateBudget', LIMITED),
  'DELETE /v1/budgets/:id': op('deleteBudget', LIMITED),
  'GET /v1/alerts': op('listAlerts', LIMITED),
  'GET /v1/alerts/:id': op('getAlert', LIMITED),
  'POST /v1/alerts/:id/redeliver': op('redeliverAlert', 409, LIMITED),
  'GET /v1/audit': op('listAuditEvents', LIMITED),
  // functions
  'POST /v1/functions': op('createFunction', 409, 413, 415, LIMITED),
  'GET /v1/functions': op('listFunctions', LIMITED),
  'GET /v1/functions/:name': op('getFunction', LIMITED),
  'GET /v1/concurrency': op('getAccountConcurrency', LIMITED),
  'DELETE /v1/functions/:name': op('deleteFunction', LIMITED),
  'GET /v1/functions/:name/versions': op('listFunctionVersions', LIMITED),
  'PUT /v1/functions/:name/code': op('updateFunctionCode', 413, 415, LIMITED),
  'PATCH /v1/functions/:name/configuration': op('updateFunctionConfiguration', LIMITED),
  'POST /v1/functions/:name/invoke': {
    ...op('invokeFunction', 402, 413, LIMITED),
    body: { description: 'the event: any JSON value (absent: {})' },
  },
  'GET /v1/functions/:name/logs': op('getFunctionLogs', LIMITED),
  'POST /v1/functions/:name/published-versions': op('publishFunctionVersion', 409, LIMITED),
  'GET /v1/functions/:name/published-versions': op('listPublishedVersions', LIMITED),
  'PUT /v1/functions/:name/aliases/:alias': op('putFunctionAlias', 409, LIMITED),
  'GET /v1/functions/:name/aliases': op('listFunctionAliases', LIMITED),
  'GET /v1/functions/:name/aliases/:alias': op('getFunctionAlias', LIMITED),
  'DELETE /v1/functions/:name/aliases/:alias': op('deleteFunctionAlias', LIMITED),
  // events
  'GET /v1/invocations/:requestId': op('getInvocation', LIMITED),
  'GET /v1/functions/:name/invocations': op('listFunctionInvocations', LIMITED),
  'GET /v1/functions/:name/event-invoke-config': op('getEventInvokeConfig', LIMITED),
  'GET /v1/functions/:name/event-invoke-configs': op('listEventInvokeConfigs', LIMITED),
  'PUT /v1/functions/:name/event-invoke-config': op('putEventInvokeConfig', LIMITED),
  'DELETE /v1/functions/:name/event-invoke-config': op('deleteEventInvokeConfig', LIMITED),
  'POST /v1/schedules': op('createSchedule', 409, LIMITED),
  'GET /v1/schedules': op('listSchedules', LIMITED),
  'GET /v1/schedules/:name': op('getSchedule', LIMITED),
  'PATCH /v1/schedules/:name': op('updateSchedule', LIMITED),
  'DELETE /v1/schedules/:name': op('deleteSchedule', LIMITED),
  'GET /v1/schedules/:name/ticks': op('listScheduleTicks', LIMITED),
  'PUT /v1/functions/:name/url': op('putFunctionUrl', LIMITED),
  'GET /v1/functions/:name/url': op('getFunctionUrl', LIMITED),
  'DELETE /v1/functions/:name/url': op('deleteFunctionUrl', LIMITED),
  'GET /v1/functions/:name/urls': op('listFunctionUrls', LIMITED),
  'POST /v1/event-source-mappings': op('createEventSourceMapping', 409, LIMITED),
  'GET /v1/event-source-mappings': op('listEventSourceMappings', LIMITED),
  'GET /v1/event-source-mappings/:id': op('getEventSourceMapping', LIMITED),
  'PATCH /v1/event-source-mappings/:id': op('updateEventSourceMapping', 409, LIMITED),
  'DELETE /v1/event-source-mappings/:id': op('deleteEventSourceMapping', LIMITED),
  'POST /v1/event-source-mappings/:id/notifications': {
    operationId: 'postS3Notifications',
    more4xx: [413, LIMITED],
    body: { type: 'object', description: 'an S3 event notification ({ "Records": [...] }), passed through as received' },
  },
  // function logs
  'POST /v1/logs': op('ingestLogs', 413, LIMITED),
  'GET /v1/accounts/:id/log-retention': op('getLogRetention', LIMITED),
  'PUT /v1/accounts/:id/log-retention': op('setLogRetention', LIMITED),
  // executors (platform side)
  'POST /v1/executors/register': op('registerExecutor', 409, LIMITED),
  'POST /v1/executors/:id/heartbeat': op('heartbeatExecutor', LIMITED),
  'DELETE /v1/executors/:id': op('deregisterExecutor', LIMITED),
  'GET /v1/executors': op('listExecutors', LIMITED),
  'GET /v1/code/:sha256': op('getFunctionCode', LIMITED),
  'GET /v1/images/blobs/:digest': op('getImageBlob', LIMITED),
};

/**
 * Routes served but not part of this document: a function URL is the function's own HTTP endpoint;
 * the console is pages; the Lambda-compatible API is AWS's, for AWS's SDKs and CLI.
 */
export const UNDOCUMENTED = [/^\/url\//, /^\/console(\/|$)/, /^\/2015-03-31\//];
