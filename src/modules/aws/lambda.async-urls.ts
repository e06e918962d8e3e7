import type { FastifyRequest } from 'fastify';
import { describeValidation } from '../../lib/error-handler.js';
import { compileChecker } from '../../lib/validation.js';
import { EventInvokeConfigBody } from '../async/async.schemas.js';
import { qualifierName } from '../async/config-qualifier.js';
import { ALIAS_NAME, storedQualifier } from '../functions/versions.service.js';
import type { Cors } from '../urls/urls.repository.js';
import { CorsSchema } from '../urls/urls.routes.js';
import { AwsError, awsErrors } from './errors.js';
import { callerOf, jsonBody, type LambdaOperations, sendJson } from './lambda.context.js';
import { type ArnContext, functionArn, lambdaTime, parseFunctionName } from './shapes.js';

const checkConfig = compileChecker<EventInvokeConfigBody>(EventInvokeConfigBody);
const checkCors = compileChecker<Cors>(CorsSchema);

type TallyDest = { type: 'function'; function: string } | { type: 'webhook'; url: string };
type AwsInvokeConfig = {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } };
};

/** A function ARN of this account becomes a function destination; an http(s) URL, Tally's signed webhook. */
export function toDest(caller: ArnContext, field: string, arn: string | undefined): TallyDest | undefined {
  if (!arn) return undefined;
  if (/^https?:\/\//.test(arn)) return { type: 'webhook', url: arn };
  if (/^arn:aws:lambda:/.test(arn)) {
    // Another account's or region's function is the request's bad value, as Lambda words it, not the configured function missing.
    try {
      return { type: 'function', function: parseFunctionName(arn, caller).name };
    } catch (err) {
      throw err instanceof AwsError && err.type === 'ResourceNotFoundException'
        ? awsErrors.invalidParameter(`The destination ARN ${arn} is invalid.`)
        : err;
    }
  }
  throw awsErrors.invalidParameter(`${field}: Tally delivers to a Lambda function ARN or an https webhook URL, not ${arn}`);
}

export const fromDest = (caller: ArnContext, d: TallyDest | undefined) =>
  d ? { Destination: d.type === 'function' ? functionArn(caller, d.function) : d.url } : undefined;

/** Lambda's CORS names and Tally's are the same words in another case. */
const CORS_FIELDS = [
  ['AllowCredentials', 'allowCredentials'],
  ['AllowHeaders', 'allowHeaders'],
  ['AllowMethods', 'allowMethods'],
  ['AllowOrigins', 'allowOrigins'],
  ['ExposeHeaders', 'exposeHeaders'],
  ['MaxAge', 'maxAge'],
] as const;

function toCors(aws: unknown): Cors | undefined {
  if (aws === undefined || aws === null) return undefined;
  const src = aws as Record<string, unknown>;
  const cors = Object.fromEntries(CORS_FIELDS.filter(([a]) => src[a] !== undefined).map(([a, t]) => [t, src[a]]));
  const r = checkCors(cors);
  if (!r.ok) throw awsErrors.invalidParameter(`Cors.${describeValidation('body', r.errors).message}`);
  return r.value;
}

const fromCors = (cors: Cors | undefined) =>
  cors ? Object.fromEntries(CORS_FIELDS.filter(([, t]) => cors[t] !== undefined).map(([a, t]) => [a, cors[t]])) : undefined;

/** Lambda's AWS_IAM (signed callers) is Tally's TALLY_KEY (an account key): both refuse anonymous callers. */
function toAuthType(v: unknown): 'NONE' | 'TALLY_KEY' {
  if (v === 'NONE') return 'NONE';
  if (v === 'AWS_IAM') return 'TALLY_KEY';
  throw awsErrors.invalidParameter('AuthType: NONE or AWS_IAM');
}

/** Event-invoke configuration and function URLs: the async and urls services, as /v1 uses them. */
export const asyncAndUrlOperations: LambdaOperations = (app, ctx) => {
  const { events, urls } = ctx;
  /** The function and the qualifier (`Qualifier`, or `f:qualifier` in the name; the two must agree) a request names. */
  const configTarget = (req: FastifyRequest, caller: ArnContext) => {
    const q = req.query as { Qualifier?: string };
    return parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller, q.Qualifier || undefined);
  };
  const qualifiedArn = (caller: ArnContext, t: { name: string; qualifier?: string }) =>
    functionArn(caller, t.name, qualifierName(storedQualifier(t.qualifier)));
  /** Lambda's answer to a Get, Update or Delete of a configuration that is not there (nor its function or alias). */
  const noConfig = (caller: ArnContext, t: { name: string; qualifier?: string }) =>
    awsErrors.notFound(`The function ${qualifiedArn(caller, t)} doesn't have an EventInvokeConfig`);
  /** The service's 404s (no such function, alias or version; no configuration) as `answer`. */
  const notFoundAs = (answer: () => Error) => (err: unknown) => {
    const code = (err as { code?: string }).code;
    throw code === 'FUNCTION_NOT_FOUND' || code === 'NOT_FOUND' ? answer() : err;
  };

  async function invokeConfig(caller: ArnContext, t: { name: string; qualifier?: string }) {
    const c = await events.getConfig(caller.accountId, t.name, t.qualifier).catch(notFoundAs(() => noConfig(caller, t)));
    if (c.lastModified === null) throw noConfig(caller, t);
    return c;
  }
  type Config = Awaited<ReturnType<typeof invokeConfig>>;
  const invokeConfigShape = (caller: ArnContext, c: Config) => ({
    FunctionArn: functionArn(caller, c.functionName, c.qualifier),
    // Only the limits that were set, as Lambda answers: a default shown as set is a change to Terraform on every plan.
    ...(c.set.maximumRetryAttempts ? { MaximumRetryAttempts: c.maximumRetryAttempts } : {}),
    ...(c.set.maximumEventAgeS ? { MaximumEventAgeInSeconds: c.maximumEventAgeS } : {}),
    // Lambda sends this timestamp as epoch seconds.
    LastModified: c.lastModified ? Date.parse(c.lastModified) / 1000 : undefined,
    DestinationConfig: {
      ...(c.destinations.onSuccess ? { OnSuccess: fromDest(caller, c.destinations.onSuccess) } : {}),
      ...(c.destinations.onFailure ? { OnFailure: fromDest(caller, c.destinations.onFailure) } : {}),
    },
  });

  /**
   * Put replaces the configuration; Update (POST) changes only the fields it names, and only a configuration
   * that exists. Both as Lambda answers them (LocalStack's AWS-validated tests): no field at all is refused, an
   * alias or version that does not exist is "The function doesn't exist." (404), nothing written.
   */
  async function writeConfig(req: FastifyRequest, merge: boolean) {
    const caller = callerOf(req, ctx);
    const t = configTarget(req, caller);
    const b = jsonBody<AwsInvokeConfig>(req);
    if (b.MaximumRetryAttempts === undefined && b.MaximumEventAgeInSeconds === undefined && b.DestinationConfig === undefined) {
      throw awsErrors.invalidParameter('You must specify at least one of error handling or destination setting.');
    }
    const functionMissing = () => awsErrors.notFound("The function doesn't exist.");
    const current = merge ? await events.getConfig(caller.accountId, t.name, t.qualifier).catch(notFoundAs(functionMissing)) : null;
    if (current?.lastModified === null) throw noConfig(caller, t);
    const dc = b.DestinationConfig;
    const onSuccess = dc?.OnSuccess
      ? toDest(caller, 'DestinationConfig.OnSuccess', dc.OnSuccess.Destination)
      : current?.destinations.onSuccess;
    const onFailure = dc?.OnFailure
      ? toDest(caller, 'DestinationConfig.OnFailure', dc.OnFailure.Destination)
      : current?.destinations.onFailure;
    // Lambda refuses the function itself (any version or alias of it) as its destination: each run would queue the
    // next, and an event ran, billed each time, until the destination chain's depth limit (17 runs for one event).
    for (const given of [dc?.OnSuccess && onSuccess, dc?.OnFailure && onFailure]) {
      if (given && given.type === 'function' && given.function === t.name)
        throw awsErrors.invalidParameter("You can't specify the function as a destination for itself.");
    }
    const input = {
      ...(b.MaximumRetryAttempts !== undefined
        ? { maximumRetryAttempts: b.MaximumRetryAttempts }
        : current?.set.maximumRetryAttempts
          ? { maximumRetryAttempts: current.maximumRetryAttempts }
          : {}),
      ...(b.MaximumEventAgeInSeconds !== undefined
        ? { maximumEventAgeS: b.MaximumEventAgeInSeconds }
        : current?.set.maximumEventAgeS
          ? { maximumEventAgeS: current.maximumEventAgeS }
          : {}),
      destinations: { ...(onSuccess ? { onSuccess } : {}), ...(onFailure ? { onFailure } : {}) },
    };
    const r = checkConfig(input);
    if (!r.ok) throw awsErrors.invalidParameter(describeValidation('body', r.errors).message);
    const written = await events.putConfig(caller.accountId, t.name, r.value, t.qualifier).catch(notFoundAs(functionMissing));
    return invokeConfigShape(caller, written);
  }

  const configPath = '/2019-09-25/functions/:FunctionName/event-invoke-config';
  app.put(configPath, async (req, reply) => sendJson(reply, 200, await writeConfig(req, false)));
  app.post(configPath, async (req, reply) => sendJson(reply, 200, await writeConfig(req, true)));
  app.get(configPath, async (req, reply) => {
    const caller = callerOf(req, ctx);
    return sendJson(reply, 200, invokeConfigShape(caller, await invokeConfig(caller, configTarget(req, caller))));
  });
  app.delete(configPath, async (req, reply) => {
    const caller = callerOf(req, ctx);
    const t = configTarget(req, caller);
    await events.deleteConfig(caller.accountId, t.name, t.qualifier).catch(notFoundAs(() => noConfig(caller, t)));
    return reply.code(204).send();
  });
  /** Every configuration of the function ($LATEST's, its versions', its aliases'), in pages ordered by FunctionArn, as Lambda pages them. */
  app.get(`${configPath}/list`, async (req, reply) => {
    const caller = callerOf(req, ctx);
    const q = req.query as { Marker?: string; MaxItems?: string };
    const max = q.MaxItems === undefined ? 50 : Number(q.MaxItems);
    if (!Number.isInteger(max) || max < 1 || max > 50) throw awsErrors.invalidParameter('MaxItems: an integer from 1 to 50');
    const { name } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller);
    const all = (
      await events.listConfigs(caller.accountId, name).catch(notFoundAs(() => awsErrors.notFound("The function doesn't exist.")))
    )
      .map((c) => invokeConfigShape(caller, c))
      .sort((x, y) => (x.FunctionArn < y.FunctionArn ? -1 : 1));
    const after = q.Marker === undefined ? all : all.filter((c) => c.FunctionArn > q.Marker!);
    const page = after.slice(0, max);
    const more = after.length > max;
    return sendJson(reply, 200, { FunctionEventInvokeConfigs: page, ...(more ? { NextMarker: page[page.length - 1]!.FunctionArn } : {}) });
  });

  // Function URLs: the function's own (no qualifier) and its aliases' (Qualifier=live).
  const base = (req: FastifyRequest) => ctx.publicUrl ?? `${req.protocol}://${req.host}`;
  /**
   * The function and the alias a URL request names. `$LATEST` and a version number are refused with
   * Lambda's own answer (a ValidationException, even for `$LATEST`, which its documentation allows).
   */
  const urlTarget = (req: FastifyRequest, caller: ArnContext) => {
    const q = req.query as { Qualifier?: string };
    const target = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller, q.Qualifier);
    if (target.qualifier !== undefined && !ALIAS_NAME.test(target.qualifier)) {
      throw awsErrors.validation(
        `1 validation error detected: Value '${target.qualifier}' at 'qualifier' failed to satisfy constraint: ` +
          'Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)',
      );
    }
    return target;
  };
  const urlShape = (caller: ArnContext, u: Awaited<ReturnType<typeof urls.get>>) => ({
    FunctionUrl: u.url,
    FunctionArn: functionArn(caller, u.functionName, u.qualifier ?? undefined),
    AuthType: u.authType === 'TALLY_KEY' ? 'AWS_IAM' : 'NONE',
    ...(u.cors ? { Cors: fromCors(u.cors) } : {}),
    CreationTime: lambdaTime(new Date(u.createdAt)),
    LastModifiedTime: lambdaTime(new Date(u.lastModified)),
    InvokeMode: 'BUFFERED',
  });
  const exists = (caller: ArnContext, t: { name: string; qualifier?: string }, req: FastifyRequest) =>
    urls.get(caller.accountId, t.name, t.qualifier, base(req)).then(
      () => true,
      (err: unknown) => {
        if ((err as { code?: string }).code === 'FUNCTION_URL_NOT_FOUND') return false;
        throw err;
      },
    );
  const checkMode = (b: Record<string, unknown>) => {
    if (b.InvokeMode !== undefined && b.InvokeMode !== 'BUFFERED') throw awsErrors.invalidParameter('InvokeMode: only BUFFERED');
  };

  const urlPath = '/2021-10-31/functions/:FunctionName/url';
  app.post(urlPath, async (req, reply) => {
    const caller = callerOf(req, ctx);
    const t = urlTarget(req, caller);
    const b = jsonBody(req);
    checkMode(b);
    if (await exists(caller, t, req))
      throw awsErrors.conflict(
        `Failed to create function url config for [functionArn = ${functionArn(caller, t.name, t.qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
      );
    const settings = { authType: toAuthType(b.AuthType), cors: toCors(b.Cors) };
    return sendJson(reply, 201, urlShape(caller, await urls.put(caller.accountId, t.name, t.qualifier, settings, base(req))));
  });
  app.put(urlPath, async (req, reply) => {
    const caller = callerOf(req, ctx);
    const t = urlTarget(req, caller);
    const b = jsonBody(req);
    checkMode(b);
    const current = await urls.get(caller.accountId, t.name, t.qualifier, base(req));
    const authType = b.AuthType === undefined ? current.authType : toAuthType(b.AuthType);
    const cors = b.Cors === undefined ? current.cors : toCors(b.Cors);
    const u = await urls.put(caller.accountId, t.name, t.qualifier, { authType, ...(cors ? { cors } : {}) }, base(req));
    return sendJson(reply, 200, urlShape(caller, u));
  });
  app.get(urlPath, async (req, reply) => {
    const caller = callerOf(req, ctx);
    const t = urlTarget(req, caller);
    return sendJson(reply, 200, urlShape(caller, await urls.get(caller.accountId, t.name, t.qualifier, base(req))));
  });
  app.delete(urlPath, async (req, reply) => {
    const caller = callerOf(req, ctx);
    const t = urlTarget(req, caller);
    await urls.remove(caller.accountId, t.name, t.qualifier);
    return reply.code(204).send();
  });
  /** All of the function's URLs, in pages ordered by FunctionArn; the marker is the last ARN of the page before. */
  app.get('/2021-10-31/functions/:FunctionName/urls', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const q = req.query as { Marker?: string; MaxItems?: string };
    const max = q.MaxItems === undefined ? 50 : Number(q.MaxItems);
    if (!Number.isInteger(max) || max < 1 || max > 50) throw awsErrors.invalidParameter('MaxItems: an integer from 1 to 50');
    const { name } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller);
    const all = (await urls.list(caller.accountId, name, base(req)))
      .map((u) => urlShape(caller, u))
      .sort((x, y) => (x.FunctionArn < y.FunctionArn ? -1 : 1));
    const after = q.Marker === undefined ? all : all.filter((c) => c.FunctionArn > q.Marker!);
    const page = after.slice(0, max);
    const more = after.length > max;
    return sendJson(reply, 200, { FunctionUrlConfigs: page, ...(more ? { NextMarker: page[page.length - 1]!.FunctionArn } : {}) });
  });
};
