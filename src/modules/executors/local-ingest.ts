import { ApiError } from '../../../executor/api-client.js';
import { LogBatchSchema, type InvocationLogs, type LogIngestResult } from '../../contracts/logs.js';
import { UsageBatchSchema, type IngestResult, type UsageEvent } from '../../contracts/usage.js';
import { describeValidation } from '../../lib/error-handler.js';
import { AppError, errors } from '../../lib/errors.js';
import { compileChecker } from '../../lib/validation.js';
import type { Auth, Principal } from '../accounts/auth.js';
import type { LogsService } from '../logs/logs.service.js';
import { batchSchemaErrors } from '../usage/usage.routes.js';
import type { UsageService } from '../usage/usage.service.js';

/** What the executor's reporter calls: `POST /v1/usage` and `POST /v1/logs`, as an api client has them. */
export interface Ingest {
  postUsage(events: UsageEvent[]): Promise<IngestResult>;
  postLogs(invocations: InvocationLogs[]): Promise<LogIngestResult>;
}

/**
 * What the two routes do once the key is known: the body checked against the same schema, the same
 * service call, failures thrown as the executor's HTTP client would have thrown the route's answer
 * (an `ApiError` with the status, code and details). Used on the api's thread (`localIngest`) and on
 * the ingest thread (`ingest-thread.ts`).
 */
export function ingestCalls(deps: { usage: Pick<UsageService, 'ingest'>; logs: Pick<LogsService, 'ingest'> }) {
  const checkUsage = compileChecker<{ events: UsageEvent[] }>(UsageBatchSchema);
  const checkLogs = compileChecker<{ invocations: InvocationLogs[] }>(LogBatchSchema);
  return {
    usage(principal: Principal, events: UsageEvent[]): Promise<IngestResult> {
      return asRoute('/v1/usage', () => {
        const checked = checkUsage({ events });
        if (!checked.ok) throw batchSchemaErrors(checked.errors, 'body');
        return deps.usage.ingest(principal, events);
      });
    },
    logs(principal: Principal, invocations: InvocationLogs[]): Promise<LogIngestResult> {
      return asRoute('/v1/logs', () => {
        const checked = checkLogs({ invocations });
        if (!checked.ok) {
          const { details, message } = describeValidation('body', checked.errors);
          throw errors.validation(message, details);
        }
        return deps.logs.ingest(principal, invocations);
      });
    },
  };
}

export type IngestCalls = ReturnType<typeof ingestCalls>;

/** The route's answer to a failure, as the executor's HTTP client would have thrown it. */
async function asRoute<T>(path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    throw new ApiError(err.statusCode, `POST ${path}: ${err.statusCode} ${err.code} ${err.message}`, err.code, err.details);
  }
}

/** As `auth.require('executor')`: a key that is unknown or revoked is a 401, another role a 403; as the executor's client throws them. */
export async function executorPrincipal(auth: Pick<Auth, 'verify'>, key: string, path: string): Promise<Principal> {
  const principal = await auth.verify(key);
  const refusal = !principal
    ? errors.unauthenticated('The API key is unknown or has been revoked')
    : principal.role !== 'executor'
      ? errors.forbidden(`This route needs a key with role executor; this key is ${principal.role}`)
      : null;
  if (refusal)
    throw new ApiError(refusal.statusCode, `POST ${path}: ${refusal.statusCode} ${refusal.code} ${refusal.message}`, refusal.code);
  return principal!;
}

/**
 * How the executor inside an api process (`npm start`) hands its usage and log lines to that same
 * api: what `POST /v1/usage` and `POST /v1/logs` do (the executor key checked, the body checked
 * against the same schema, the same service call, failures as the same status, code and details),
 * without the loopback request. That request cost the api thread a JSON encoding and parse of every
 * batch, undici's client and Fastify's request path: about 20 µs per invocation
 * (docs/performance.md, "The in-process executor's ingest"). Unlike the routes, it is never shed by
 * load shedding: the invocations it records already ran, and their usage should not wait. An
 * executor in a process of its own still speaks HTTP; so does this one for everything else
 * (registration, heartbeats, code, quarantine). `calls` runs the checks and the services: on this
 * thread (`ingestCalls`), or on the ingest thread (`ingest-thread.ts`), which `npm start` uses.
 */
export function localIngest(deps: { key: string; auth: Pick<Auth, 'verify'>; calls: IngestCalls }): Ingest {
  return {
    async postUsage(events) {
      return deps.calls.usage(await executorPrincipal(deps.auth, deps.key, '/v1/usage'), events);
    },
    async postLogs(invocations) {
      return deps.calls.logs(await executorPrincipal(deps.auth, deps.key, '/v1/logs'), invocations);
    },
  };
}
