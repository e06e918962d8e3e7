import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, isStatementCancelled } from '../db/unavailable.js';
import { AppError, type ErrorCode } from './errors.js';

/** A statement the database cancelled (TALLY_DB_STATEMENT_TIMEOUT_MS): the request is not wrong, the database was too slow for it. */
export const STATEMENT_CANCELLED =
  'The database did not answer in time (a statement ran past its timeout and was cancelled); retry shortly';

interface Rendered {
  status: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
}

/** `/events/3/memoryMb` in the body reads as `events[3].memoryMb`; a query field as `query.from`. */
function fieldPath(context: string, pointer: string): string {
  const path = pointer
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('');
  if (context === 'body') return path.replace(/^\./, '') || 'body';
  return `${context === 'querystring' ? 'query' : context}${path}`;
}

type SchemaError = Pick<ErrorObject, 'instancePath' | 'keyword' | 'message' | 'params'>;

/** Schema errors as the details of a 400: each names its field as a path; the message names the first. */
export function describeValidation(context: string, errors: SchemaError[]) {
  const details = errors.map((v) => ({
    field: fieldPath(context, v.instancePath),
    message:
      v.keyword === 'enum' && Array.isArray(v.params?.allowedValues)
        ? `must be one of ${(v.params.allowedValues as unknown[]).join(', ')}`
        : (v.message ?? 'is invalid'),
    ...(v.params && 'additionalProperty' in v.params ? { unknownField: v.params.additionalProperty as unknown } : {}),
  }));
  const first = details[0]!;
  const message = `${first.field}${first.unknownField ? `.${String(first.unknownField)}` : ''}: ${first.message}`;
  return { details, message };
}

/** Maps Fastify's own errors (parsing, limits, validation) to our codes; anything unknown is a 500 with no detail. */
function render(err: FastifyError | AppError | Error): Rendered {
  if (err instanceof AppError) return { status: err.statusCode, code: err.code, message: err.message, details: err.details };
  const fe = err as FastifyError;
  if (fe.validation) {
    const { details, message } = describeValidation(fe.validationContext ?? 'body', fe.validation as SchemaError[]);
    return { status: 400, code: 'VALIDATION_FAILED', message, details };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than this route accepts' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: fe.message };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'INVALID_JSON', message: 'The body is not valid JSON' };
  }
  if (fe instanceof SyntaxError || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
    return { status: 400, code: 'INVALID_JSON', message: `The body is not valid JSON: ${fe.message}` };
  }
  if (isDatabaseUnavailable(err)) {
    return { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'The database cannot be reached right now; retry shortly', retryAfter: 1 };
  }
  if (isStatementCancelled(err)) {
    return { status: 503, code: 'SERVICE_UNAVAILABLE', message: STATEMENT_CANCELLED, retryAfter: 1 };
  }
  if (fe.statusCode === 429) return { status: 429, code: 'TOO_MANY_REQUESTS', message: fe.message };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: 'VALIDATION_FAILED', message: fe.message };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; the request id identifies it in the logs' };
}

export function errorHandler(err: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply) {
  const r = render(err);
  if (r.retryAfter !== undefined) request.log.warn({ err: err.message }, 'request failed: the database is unavailable or too slow');
  else if (r.status >= 500) request.log.error({ err }, 'request failed');
  else request.log.info({ code: r.code, status: r.status }, r.message);
  if (r.retryAfter !== undefined) reply.header('retry-after', String(r.retryAfter));
  return reply
    .code(r.status)
    .type('application/json; charset=utf-8')
    .send({
      error: { code: r.code, message: r.message, requestId: request.id, ...(r.details !== undefined ? { details: r.details } : {}) },
    });
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send({
    error: { code: 'ROUTE_NOT_FOUND', message: `Route ${request.method} ${request.url.split('?')[0]} not found`, requestId: request.id },
  });
}
