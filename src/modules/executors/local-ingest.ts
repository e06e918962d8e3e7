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

/**
 * How the executor inside an api process (`npm start`) hands its usage and log lines to that same
 * api: what `POST /v1/usage` and `POST /v1/logs` do (the executor key checked, the body checked
 * against the same schema, the same service call, failures as the same status, code and details),
 * without the loopback request. That request cost the api thread a JSON encoding and parse of every
 * batch, undici's client and Fastify's request path: about 20 µs per invocation
 * (docs/performance.md, "The in-process executor's ingest"). Unlike the routes, it is never shed by
 * load shedding: the invocations it records already ran, and their usage should not wait. An
 * executor in a process of its own still speaks HTTP; so does this one for everything else
 * (registration, heartbeats, code, quarantine).
 */
export function localIngest(deps: {
  key: string;
  auth: Pick<Auth, 'verify'>;
  usage: Pick<UsageService, 'ingest'>;
  logs: Pick<LogsService, 'ingest'>;
}) {
  const checkUsage = compileChecker<{ events: UsageEvent[] }>(UsageBatchSchema);
  const checkLogs = compileChecker<{ invocations: InvocationLogs[] }>(LogBatchSchema);

  /** As `auth.require('executor')`: a key that is unknown or revoked is a 401, another role a 403. */
  async function executor(): Promise<Principal> {
    const principal = await deps.auth.verify(deps.key);
    if (!principal) throw errors.unauthenticated('The API key is unknown or has been revoked');
    if (principal.role !== 'executor') throw errors.forbidden(`This route needs a key with role executor; this key is ${principal.role}`);
    return principal;
  }

  /** The route's answer to a failure, as the executor's HTTP client would have thrown it. */
  async function asRoute<T>(path: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      throw new ApiError(err.statusCode, `POST ${path}: ${err.statusCode} ${err.code} ${err.message}`, err.code, err.details);
    }
  }

  return {
    postUsage(events: UsageEvent[]): Promise<IngestResult> {
      return asRoute('/v1/usage', async () => {
        const principal = await executor();
        const checked = checkUsage({ events });
        if (!checked.ok) throw batchSchemaErrors(checked.errors, 'body');
        return deps.usage.ingest(principal, events);
      });
    },

    postLogs(invocations: InvocationLogs[]): Promise<LogIngestResult> {
      return asRoute('/v1/logs', async () => {
        const principal = await executor();
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
