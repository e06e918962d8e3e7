import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, isStatementCancelled } from '../../db/unavailable.js';
import { STATEMENT_CANCELLED } from '../../lib/error-handler.js';
import { AppError, type ErrorCode } from '../../lib/errors.js';

/** An error as the Lambda API names it: the type travels in x-amzn-ErrorType and the body. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

export const awsErrors = {
  missingToken: () => new AwsError('MissingAuthenticationTokenException', 403, 'Missing Authentication Token'),
  unrecognizedClient: () => new AwsError('UnrecognizedClientException', 403, 'The security token included in the request is invalid.'),
  invalidSignature: (message = 'The request signature we calculated does not match the signature you provided.') =>
    new AwsError('InvalidSignatureException', 403, message),
  invalidParameter: (message: string) => new AwsError('InvalidParameterValueException', 400, message),
  /** A request field outside its pattern, as Lambda's request validation answers it (before any look-up). */
  validation: (message: string) => new AwsError('ValidationException', 400, message),
  notFound: (message: string) => new AwsError('ResourceNotFoundException', 404, message),
  conflict: (message: string) => new AwsError('ResourceConflictException', 409, message),
  requestTooLarge: (message: string) => new AwsError('RequestTooLargeException', 413, message),
};

/** Tally's error codes as Lambda's error types; anything unlisted is a ServiceException. */
const TYPES: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'InvalidParameterValueException',
  INVALID_JSON: 'InvalidRequestContentException',
  INVALID_ZIP: 'InvalidParameterValueException',
  INVALID_IMAGE: 'InvalidParameterValueException',
  IMAGE_DIGEST_MISMATCH: 'InvalidParameterValueException',
  HANDLER_NOT_FOUND: 'InvalidParameterValueException',
  CODE_TOO_LARGE: 'CodeStorageExceededException',
  PAYLOAD_TOO_LARGE: 'RequestTooLargeException',
  UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaTypeException',
  NOT_FOUND: 'ResourceNotFoundException',
  FUNCTION_NOT_FOUND: 'ResourceNotFoundException',
  FUNCTION_URL_NOT_FOUND: 'ResourceNotFoundException',
  ROUTE_NOT_FOUND: 'ResourceNotFoundException',
  FUNCTION_EXISTS: 'ResourceConflictException',
  CONFLICT: 'ResourceConflictException',
  TOO_MANY_REQUESTS: 'TooManyRequestsException',
  RATE_LIMITED: 'TooManyRequestsException',
  OVERLOADED: 'TooManyRequestsException',
  // A hard budget cap: Lambda has no such refusal; the closest is an account-level throttle.
  BUDGET_EXCEEDED: 'TooManyRequestsException',
  FORBIDDEN: 'AccessDeniedException',
  UNAUTHENTICATED: 'UnrecognizedClientException',
  SERVICE_UNAVAILABLE: 'ServiceException',
  EXECUTOR_FAILED: 'ServiceException',
};

/** Status codes where Lambda's differs from Tally's for the same refusal. */
const STATUS: Partial<Record<string, number>> = {
  TooManyRequestsException: 429,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  ServiceException: 500,
};

function toAws(err: FastifyError | AppError | AwsError | Error): AwsError {
  if (err instanceof AwsError) return err;
  if (err instanceof AppError) {
    const type = TYPES[err.code] ?? (err.statusCode >= 500 ? 'ServiceException' : 'InvalidParameterValueException');
    const reason = (err.details as { reason?: string } | undefined)?.reason;
    if (err.code === 'CONFLICT' && reason === 'revision_mismatch') return new AwsError('PreconditionFailedException', 412, err.message);
    return new AwsError(type, STATUS[type] ?? err.statusCode, err.message);
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return awsErrors.requestTooLarge('Request must be smaller than the limit for this operation');
  if (fe.validation) return awsErrors.invalidParameter(fe.message);
  if (isDatabaseUnavailable(err)) return new AwsError('ServiceException', 503, 'The database cannot be reached right now; retry shortly');
  if (isStatementCancelled(err)) return new AwsError('ServiceException', 503, STATEMENT_CANCELLED);
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return awsErrors.invalidParameter(fe.message);
  return new AwsError('ServiceException', 500, 'Something went wrong on our side; the request id identifies it in the logs');
}

/** Lambda's REST error: x-amzn-ErrorType, and `{ Type, Message, message }` (botocore and the SDK read either). */
export function awsErrorHandler(err: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply) {
  const e = toAws(err);
  if (e.statusCode >= 500) request.log.error({ err }, 'Lambda API request failed');
  else request.log.info({ type: e.type, status: e.statusCode }, e.message);
  return reply
    .code(e.statusCode)
    .header('x-amzn-errortype', e.type)
    .header('x-amzn-requestid', request.id)
    .type('application/json')
    .send({ Type: e.statusCode >= 500 ? 'Service' : 'User', message: e.message, Message: e.message });
}
