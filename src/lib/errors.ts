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
  | 'SERVICE_UNAVAILABLE'
  | 'FUNCTION_NOT_FOUND'
  | 'FUNCTION_EXISTS'
  | 'INVALID_ZIP'
  | 'CODE_TOO_LARGE'
  | 'HANDLER_NOT_FOUND'
  | 'CODE_NOT_FOUND'
  | 'EXECUTOR_NOT_FOUND'
  | 'EXECUTOR_FAILED'
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
  unauthenticated: (message = 'A valid API key is required: Authorization: Bearer <key>') =>
    new AppError('UNAUTHENTICATED', 401, message),
  forbidden: (message: string) => new AppError('FORBIDDEN', 403, message),
  accountNotFound: (id: string) => new AppError('ACCOUNT_NOT_FOUND', 404, `Account ${id} was not found`),
  keyNotFound: (id: string) => new AppError('KEY_NOT_FOUND', 404, `API key ${id} was not found`),
  accountRequired: () =>
    new AppError('ACCOUNT_REQUIRED', 400, 'An admin key must name the account to act for with the X-Account-Id header'),
  invoiceNotFound: (id: string) => new AppError('NOT_FOUND', 404, `Invoice ${id} was not found`),
  budgetNotFound: (id: string) => new AppError('BUDGET_NOT_FOUND', 404, `Budget ${id} was not found`),
  alertNotFound: (id: string) => new AppError('ALERT_NOT_FOUND', 404, `Alert ${id} was not found`),
  budgetExceeded: (message: string, budgetId: string) => new AppError('BUDGET_EXCEEDED', 402, message, { budgetId }),
  unknownAccounts: (details: { index: number; accountId: string }[]) =>
    new AppError(
      'UNKNOWN_ACCOUNT',
      400,
      `events[${details[0]!.index}].accountId: account ${details[0]!.accountId} does not exist`,
      details,
    ),
  functionNotFound: (name: string) => new AppError('FUNCTION_NOT_FOUND', 404, `Function ${name} was not found`),
  functionExists: (name: string) => new AppError('FUNCTION_EXISTS', 409, `A function named ${name} already exists in this account`),
  invalidZip: (message: string, details?: unknown) => new AppError('INVALID_ZIP', 400, `zipFile: ${message}`, details),
  codeTooLarge: (message: string) => new AppError('CODE_TOO_LARGE', 413, message),
  handlerNotFound: (message: string) => new AppError('HANDLER_NOT_FOUND', 400, message),
  codeNotFound: (sha256: string) => new AppError('CODE_NOT_FOUND', 404, `No function code with SHA-256 ${sha256}`),
  executorNotFound: (id: string) => new AppError('EXECUTOR_NOT_FOUND', 404, `Executor ${id} is not registered; register again`),
  tooManyRequests: (message: string, details?: unknown) => new AppError('TOO_MANY_REQUESTS', 429, message, details),
  noExecutor: () => new AppError('SERVICE_UNAVAILABLE', 503, 'No executor is available to run the function; try again shortly'),
  executorFailed: (message: string) => new AppError('EXECUTOR_FAILED', 502, message),
};
