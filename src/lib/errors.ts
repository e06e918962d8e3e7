/** Every error code the api can answer with; clients may switch on these. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'INVALID_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ROUTE_NOT_FOUND'
  | 'ACCOUNT_NOT_FOUND'
  | 'KEY_NOT_FOUND'
  | 'ACCOUNT_REQUIRED'
  | 'UNKNOWN_ACCOUNT'
  | 'CONFLICT'
  | 'BUDGET_NOT_FOUND'
  | 'ALERT_NOT_FOUND'
  | 'BUDGET_EXCEEDED'
  | 'TOO_MANY_REQUESTS'
  | 'RATE_LIMITED'
  | 'OVERLOADED'
  | 'SERVICE_UNAVAILABLE'
  | 'FUNCTION_NOT_FOUND'
  | 'FUNCTION_EXISTS'
  | 'INVALID_ZIP'
  | 'INVALID_IMAGE'
  | 'IMAGE_DIGEST_MISMATCH'
  | 'CODE_TOO_LARGE'
  | 'HANDLER_NOT_FOUND'
  | 'CODE_NOT_FOUND'
  | 'EXECUTOR_NOT_FOUND'
  | 'EXECUTOR_FAILED'
  | 'EXECUTOR_KEY_IN_USE'
  | 'EXECUTOR_ID_IN_USE'
  | 'EXECUTOR_KEY_MISMATCH'
  | 'EXECUTOR_NOT_REGISTERED'
  | 'DISPATCH_TOKEN_INVALID'
  | 'QUARANTINE_ENTRY_NOT_FOUND'
  | 'QUARANTINE_ALREADY_REPLAYED'
  | 'INVOCATION_NOT_FOUND'
  | 'SCHEDULE_NOT_FOUND'
  | 'SCHEDULE_EXISTS'
  | 'FUNCTION_URL_NOT_FOUND'
  | 'INTERNAL_ERROR';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const errors = {
  validation: (message: string, details?: unknown) => new AppError('VALIDATION_FAILED', 400, message, details),
  unauthenticated: (message = 'A valid API key is required: Authorization: Bearer <key>') => new AppError('UNAUTHENTICATED', 401, message),
  forbidden: (message: string) => new AppError('FORBIDDEN', 403, message),
  accountNotFound: (id: string) => new AppError('ACCOUNT_NOT_FOUND', 404, `Account ${id} was not found`),
  keyNotFound: (id: string) => new AppError('KEY_NOT_FOUND', 404, `API key ${id} was not found`),
  accountRequired: () =>
    new AppError('ACCOUNT_REQUIRED', 400, 'An admin key must name the account to act for with the X-Account-Id header'),
  invoiceNotFound: (id: string) => new AppError('NOT_FOUND', 404, `Invoice ${id} was not found`),
  budgetNotFound: (id: string) => new AppError('BUDGET_NOT_FOUND', 404, `Budget ${id} was not found`),
  alertNotFound: (id: string) => new AppError('ALERT_NOT_FOUND', 404, `Alert ${id} was not found`),
  budgetExceeded: (message: string, budgetId: string) => new AppError('BUDGET_EXCEEDED', 402, message, { budgetId }),
  functionNotFound: (name: string) => new AppError('FUNCTION_NOT_FOUND', 404, `Function ${name} was not found`),
  /** The Lambda API's RevisionId named a version that is no longer the function's latest. */
  revisionMismatch: (name: string) =>
    new AppError('CONFLICT', 409, `The Revision Id provided does not match the latest Revision Id of ${name}.`, {
      reason: 'revision_mismatch',
    }),
  functionExists: (name: string) => new AppError('FUNCTION_EXISTS', 409, `A function named ${name} already exists in this account`),
  invalidZip: (message: string, details?: unknown) => new AppError('INVALID_ZIP', 400, `zipFile: ${message}`, details),
  codeTooLarge: (message: string) => new AppError('CODE_TOO_LARGE', 413, message),
  payloadTooLarge: (message: string) => new AppError('PAYLOAD_TOO_LARGE', 413, message),
  invalidImage: (message: string) => new AppError('INVALID_IMAGE', 400, `imageArchive: ${message}`),
  imageDigestMismatch: (message: string) => new AppError('IMAGE_DIGEST_MISMATCH', 400, `imageArchive: ${message}`),
  handlerNotFound: (message: string) => new AppError('HANDLER_NOT_FOUND', 400, message),
  codeNotFound: (sha256: string) => new AppError('CODE_NOT_FOUND', 404, `No function code with SHA-256 ${sha256}`),
  executorNotFound: (id: string) => new AppError('EXECUTOR_NOT_FOUND', 404, `Executor ${id} is not registered; register again`),
  tooManyRequests: (message: string, details?: unknown) => new AppError('TOO_MANY_REQUESTS', 429, message, details),
  /** An abuse limit: the caller must wait (the route sets Retry-After to the same seconds). */
  rateLimited: (message: string, retryAfterS: number) => new AppError('RATE_LIMITED', 429, message, { retryAfterSeconds: retryAfterS }),
  /** Load shedding: this api process is overloaded; another replica, or this one shortly, will answer. */
  overloaded: () => new AppError('OVERLOADED', 503, 'The api is overloaded; retry after the number of seconds in Retry-After'),
  noExecutor: () => new AppError('SERVICE_UNAVAILABLE', 503, 'No executor is available to run the function; try again shortly'),
  executorFailed: (message: string) => new AppError('EXECUTOR_FAILED', 502, message),
  executorKeyInUse: () =>
    new AppError(
      'EXECUTOR_KEY_IN_USE',
      409,
      'This executor key is bound to another live executor; give each executor its own key (POST /v1/keys)',
    ),
  executorIdInUse: (id: string) => new AppError('EXECUTOR_ID_IN_USE', 409, `Executor ${id} is live under another key`),
  executorKeyMismatch: (id: string) =>
    new AppError('EXECUTOR_KEY_MISMATCH', 403, `Executor ${id} is registered with another key; a key acts only for its own executor`),
  executorNotRegistered: () =>
    new AppError(
      'EXECUTOR_NOT_REGISTERED',
      403,
      'This platform executor key is not bound to a registered executor: register (POST /v1/executors/register) first',
    ),
  /** Refused usage events, every one listed in details by index, so the sender can resend the others. */
  usageRefused: (
    code: 'VALIDATION_FAILED' | 'FORBIDDEN' | 'DISPATCH_TOKEN_INVALID' | 'UNKNOWN_ACCOUNT',
    status: 400 | 403,
    message: string,
    details: unknown[],
  ) => new AppError(code, status, message, details),
  invocationNotFound: (id: string) => new AppError('INVOCATION_NOT_FOUND', 404, `Invocation ${id} was not found`),
  scheduleNotFound: (name: string) => new AppError('SCHEDULE_NOT_FOUND', 404, `Schedule ${name} was not found`),
  scheduleExists: (name: string) => new AppError('SCHEDULE_EXISTS', 409, `A schedule named ${name} already exists in this account`),
  functionUrlNotFound: (what: string) => new AppError('FUNCTION_URL_NOT_FOUND', 404, `${what} has no function URL`),
  quarantineEntryNotFound: (id: string) => new AppError('QUARANTINE_ENTRY_NOT_FOUND', 404, `Quarantine entry ${id} was not found`),
  quarantineAlreadyReplayed: (id: string, details: unknown) =>
    new AppError('QUARANTINE_ALREADY_REPLAYED', 409, `Quarantine entry ${id} was already replayed`, details),
};
