import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../lib/clock.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { AccessKeysService } from './access-keys.service.js';
import { AwsError, awsErrorHandler, awsErrors } from './errors.js';
import type { LambdaContext, LambdaOperations } from './lambda.context.js';
import { asyncAndUrlOperations } from './lambda.async-urls.js';
import { eventSourceOperations } from './lambda.event-sources.js';
import { functionOperations } from './lambda.functions.js';
import { invokeOperations } from './lambda.invoke.js';
import { policyOperations } from './lambda.policy.js';
import { tagOperations } from './lambda.tags.js';
import { verifySigV4 } from './sigv4.js';

const OPERATIONS: LambdaOperations[] = [
  functionOperations,
  invokeOperations,
  asyncAndUrlOperations,
  eventSourceOperations,
  tagOperations,
  policyOperations,
];
/** The dated path prefixes of the Lambda REST API. */
const UNSERVED_PREFIXES = [
  '2015-03-31',
  '2016-08-19',
  '2017-03-31',
  '2017-10-31',
  '2018-10-31',
  '2019-09-25',
  '2019-09-30',
  '2020-04-22',
  '2020-06-30',
  '2021-10-31',
];

/**
 * The Lambda REST API (`/2015-03-31/...` and its later dated prefixes) on the same listener:
 * bodies stay raw bytes until the SigV4 signature over them is verified, errors are Lambda's, and
 * the routes stay out of the OpenAPI document (they are AWS's, not Tally's).
 */
export function lambdaRoutes(deps: {
  ctx: LambdaContext;
  accessKeys: AccessKeysService;
  clock: Clock;
  rateLimits: Pick<RateLimits, 'authBlockedFor' | 'authFailed'>;
  bodyLimit: number;
}): FastifyPluginAsync {
  const { ctx, accessKeys, clock, rateLimits } = deps;
  return async (app) => {
    app.decorateRequest('awsAccountId', null);
    app.setErrorHandler(awsErrorHandler);
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.bodyLimit }, (_req, body, done) => done(null, body));
    app.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
      route.bodyLimit ??= deps.bodyLimit;
    });
    app.addHook('onRequest', async (req) => {
      if (!req.headers.authorization) throw awsErrors.missingToken();
      if (rateLimits.authBlockedFor(req.ip) > 0) {
        throw new AwsError('TooManyRequestsException', 429, `Too many failed authentications from ${req.ip}`);
      }
    });
    app.addHook('preHandler', async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        const credential = await verifySigV4(
          { method: req.method, url: req.url, headers: req.headers, body },
          clock.now(),
          accessKeys.lookup,
        );
        req.awsAccountId = credential.accountId;
        // Postgres keeps no NUL in text: a name, marker or tag key holding one would be a failed query, a
        // 500 the SDKs retry (found by a review on 2026-12-07), as /v1's input hook refuses it.
        if (req.url.includes('%00')) throw awsErrors.invalidParameter('The request URL holds a NUL character (%00)');
      } catch (err) {
        if (err instanceof AwsError && err.statusCode === 403) await rateLimits.authFailed(req.ip, reply);
        throw err;
      }
    });
    for (const register of OPERATIONS) register(app, ctx);
    // Lambda's other operations (layers, code signing, provisioned concurrency), signed
    // like the rest, answer as Lambda answers an operation it does not know.
    for (const prefix of UNSERVED_PREFIXES) {
      app.all(`/${prefix}/*`, async (req) => {
        throw new AwsError(
          'UnknownOperationException',
          404,
          `Tally does not serve ${req.method} ${req.url.split('?')[0]} of the Lambda API`,
        );
      });
    }
  };
}
