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
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE'
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
  unknownAccounts: (details: { index: number; accountId: string }[]) =>
    new AppError(
      'UNKNOWN_ACCOUNT',
      400,
      `events[${details[0]!.index}].accountId: account ${details[0]!.accountId} does not exist`,
      details,
    ),
};
