import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unstorable } from '../../lib/storable-input.js';
import type { AsyncService } from '../async/async.service.js';
import type { FunctionsService } from '../functions/functions.service.js';
import type { InvokeService } from '../functions/invoke.service.js';
import type { VersionsService } from '../functions/versions.service.js';
import type { SourcesService } from '../sources/sources.service.js';
import type { UrlsService } from '../urls/urls.service.js';
import type { AwsSettingsRepository } from './aws-settings.repository.js';
import { AwsError, awsErrors } from './errors.js';
import type { ArnContext } from './shapes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The account a verified SigV4 signature speaks for (Lambda API routes only). */
    awsAccountId: string | null;
  }
}

/** What every group of Lambda operations is given: the same services /v1 uses, and the ARN region. */
export interface LambdaContext {
  functions: FunctionsService;
  versions: VersionsService;
  invoke: InvokeService;
  events: AsyncService;
  urls: UrlsService;
  sources: SourcesService;
  settings: AwsSettingsRepository;
  region: string;
  publicUrl: string | null;
}

/**
 * One group of Lambda operations (functions, invoke, async and URLs, event source mappings): it registers its routes on the signed, AWS-error-rendering scope below.
 */
export type LambdaOperations = (app: FastifyInstance, ctx: LambdaContext) => void;

/** The signing key's account, and the region its ARNs name. */
export function callerOf(req: FastifyRequest, ctx: LambdaContext): ArnContext {
  if (!req.awsAccountId) throw awsErrors.missingToken();
  return { accountId: req.awsAccountId, region: ctx.region };
}

/** A JSON request body (the bytes were kept raw for the signature). */
export function jsonBody<T = Record<string, unknown>>(req: FastifyRequest): T {
  const raw = req.body as Buffer | undefined;
  if (!raw || raw.length === 0) return {} as T;
  let body: T;
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as T;
  } catch {
    throw new AwsError('InvalidRequestContentException', 400, 'Could not parse request body into json: the body is not a JSON object');
  }
  // As /v1's input hook: a NUL Postgres cannot keep, or nesting past 64 levels, is the caller's error, not a 500.
  const found = unstorable(body);
  if (found) throw awsErrors.invalidParameter(`${found.field.replace(/^body\.?/, '') || 'body'} ${found.reason}`);
  return body;
}

export const sendJson = (reply: FastifyReply, status: number, body: unknown) =>
  reply.code(status).type('application/json').send(JSON.stringify(body));
