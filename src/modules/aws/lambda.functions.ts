import type { FastifyRequest } from 'fastify';
import { describeValidation } from '../../lib/error-handler.js';
import { AppError } from '../../lib/errors.js';
import { compileChecker } from '../../lib/validation.js';
import type { FunctionConfig } from '../functions/functions.repository.js';
import {
  CreateFunctionBody,
  UpdateConfigurationBody,
  type CreateFunctionBody as CreateBody,
  type UpdateConfigurationBody as UpdateBody,
} from '../functions/functions.schemas.js';
import { decodeBase64Zip } from '../functions/functions.zip.js';
import { LATEST, type RoutingInput, VERSION_NUMBER } from '../functions/versions.service.js';
import type { FunctionAlias } from '../functions/versions.repository.js';
import { NO_AWS_SETTINGS } from './aws-settings.repository.js';
import { AwsError, awsErrors } from './errors.js';
import { addTags, checkTags } from './lambda.tags.js';
import { callerOf, jsonBody, type LambdaOperations, sendJson } from './lambda.context.js';
import { type ArnContext, functionArn, functionConfiguration, parseFunctionName, revisionId } from './shapes.js';

const checkCreate = compileChecker<CreateBody>(CreateFunctionBody);
const checkUpdate = compileChecker<UpdateBody>(UpdateConfigurationBody);

/** Tally's own schema decides what is valid; its first complaint becomes Lambda's error. */
function validated<T>(
  check: (v: unknown) => { ok: true; value: T } | { ok: false; errors: Parameters<typeof describeValidation>[1] },
  v: unknown,
): T {
  const r = check(v);
  if (r.ok) return r.value;
  throw awsErrors.invalidParameter(describeValidation('body', r.errors).message);
}

type AwsBody = Record<string, unknown> & {
  Runtime?: string;
  Handler?: string;
  Timeout?: number;
  MemorySize?: number;
  Environment?: { Variables?: Record<string, string> };
  EphemeralStorage?: { Size?: number };
  Architectures?: string[];
  ImageConfig?: { EntryPoint?: string[]; Command?: string[]; WorkingDirectory?: string };
};

/** The settings Lambda and Tally share, in Tally's names (only those the request carries). */
function tallySettings(b: AwsBody): UpdateBody {
  if (b.Architectures !== undefined && (!Array.isArray(b.Architectures) || b.Architectures.length !== 1)) {
    throw awsErrors.invalidParameter('Architectures: exactly one of x86_64 or arm64');
  }
  const ic = b.ImageConfig;
  return {
    ...(b.Runtime !== undefined ? { runtime: b.Runtime as UpdateBody['runtime'] } : {}),
    ...(b.Handler !== undefined ? { handler: b.Handler } : {}),
    ...(b.Timeout !== undefined ? { timeoutS: b.Timeout } : {}),
    ...(b.MemorySize !== undefined ? { memoryMb: b.MemorySize } : {}),
    ...(b.Environment !== undefined ? { environment: b.Environment.Variables ?? {} } : {}),
    ...(b.EphemeralStorage?.Size !== undefined ? { ephemeralStorageMb: b.EphemeralStorage.Size } : {}),
    ...(b.Architectures !== undefined ? { architecture: b.Architectures[0] as UpdateBody['architecture'] } : {}),
    ...(ic !== undefined
      ? {
          imageConfig: {
            ...(ic.EntryPoint ? { entryPoint: ic.EntryPoint } : {}),
            ...(ic.Command ? { command: ic.Command } : {}),
            ...(ic.WorkingDirectory ? { workingDirectory: ic.WorkingDirectory } : {}),
          },
        }
      : {}),
  };
}

function stringField(b: Record<string, unknown>, field: string, max: number): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > max) throw awsErrors.invalidParameter(`${field}: a string of at most ${max} characters`);
  return v;
}

function codeOf(code: unknown): Buffer {
  const c = (code ?? {}) as Record<string, unknown>;
  if (typeof c.ZipFile === 'string' && c.ZipFile.length > 0) return decodeBase64Zip(c.ZipFile);
  if (c.ImageUri !== undefined) {
    throw awsErrors.invalidParameter(
      'Code.ImageUri: Tally has no registry to pull from; create image functions through /v1 with the image archive',
    );
  }
  if (c.S3Bucket !== undefined) throw awsErrors.invalidParameter('Code.S3Bucket: not supported; send the zip as ZipFile');
  throw awsErrors.invalidParameter('Code.ZipFile: the deployment package (a zip) is required');
}

const maxItems = (raw: unknown, fallback: number, max: number) => {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw awsErrors.invalidParameter(`MaxItems: an integer from 1 to ${max}`);
  return n;
};

export const functionOperations: LambdaOperations = (app, ctx) => {
  const { functions, versions, settings } = ctx;

  /** The function and the version a request names (Qualifier in the name or the query). */
  async function target(req: FastifyRequest, caller: ArnContext) {
    const params = req.params as { FunctionName: string };
    const q = req.query as { Qualifier?: string };
    const { name, qualifier } = parseFunctionName(params.FunctionName, caller, q.Qualifier);
    // A weighted alias is shown as its own version, as Lambda shows it; only invocations draw between the two.
    const resolved = await versions.resolve(caller.accountId, name, qualifier, { route: false });
    const config = await functions.get(caller.accountId, name, resolved.version);
    return { name, qualifier, config, shownVersion: resolved.executedVersion };
  }

  /** A published version's own description (set when it was published), or undefined for $LATEST. */
  async function versionDescription(caller: ArnContext, c: FunctionConfig, shownVersion: string): Promise<string | undefined> {
    if (shownVersion === LATEST) return undefined;
    return (await versions.published(caller.accountId, c.id, Number(shownVersion)))?.description;
  }

  async function configuration(caller: ArnContext, c: FunctionConfig, version: string, description?: string) {
    const s = await settings.get(caller.accountId, c.id);
    const shape = functionConfiguration(caller, c, s, version);
    return description === undefined ? shape : { ...shape, Description: description };
  }

  /**
   * The version a RevisionId names, when it is `c`'s; undefined without one. The change that follows passes it
   * on, to be made only while that version is still the latest (a check here alone would let two calls with the
   * same RevisionId both pass it before either wrote).
   */
  const checkRevision = (c: FunctionConfig, given: unknown): number | undefined => {
    if (given === undefined) return undefined;
    if (given !== revisionId(c.id, c.version)) {
      throw new AwsError('PreconditionFailedException', 412, 'The Revision Id provided does not match the latest Revision Id.');
    }
    return c.version;
  };

  /** The function's own description, which a version published without one keeps (Lambda's versions are snapshots). */
  const functionDescription = async (caller: ArnContext, c: FunctionConfig) => (await settings.get(caller.accountId, c.id)).description;

  async function publishIf(caller: ArnContext, name: string, publish: unknown, c: FunctionConfig) {
    if (publish !== true) return configuration(caller, c, LATEST);
    const { config, published } = await versions.publish(caller.accountId, name, { description: await functionDescription(caller, c) });
    return configuration(caller, config, String(published.version), published.description);
  }

  app.post('/2015-03-31/functions', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const b = jsonBody<AwsBody>(req);
    const name = stringField(b, 'FunctionName', 64);
    if (!name) throw awsErrors.invalidParameter('FunctionName is required');
    const role = stringField(b, 'Role', 2048) ?? null;
    const description = stringField(b, 'Description', 256) ?? '';
    const json = validated(checkCreate, { name, ...tallySettings(b), ...(b.PackageType ? { packageType: b.PackageType } : {}) });
    const tags = checkTags(b.Tags);
    const config = await functions.create(caller.accountId, { json }, { zip: codeOf(b.Code) });
    await settings.put(caller.accountId, config.id, { role, description, runtime: b.Runtime ?? null });
    await addTags(ctx, caller.accountId, config.id, tags);
    return sendJson(reply, 201, await publishIf(caller, name, b.Publish, config));
  });

  const list = async (req: FastifyRequest) => {
    const caller = callerOf(req, ctx);
    const q = req.query as { Marker?: string; MaxItems?: string };
    const limit = maxItems(q.MaxItems, 50, 10_000);
    const page = await functions.list(caller.accountId, limit, q.Marker ?? null);
    const extra = await settings.many(
      caller.accountId,
      page.map((c) => c.id),
    );
    return {
      Functions: page.map((c) => functionConfiguration(caller, c, extra.get(c.id) ?? NO_AWS_SETTINGS, LATEST)),
      ...(page.length === limit ? { NextMarker: page[page.length - 1]!.name } : {}),
    };
  };
  app.get('/2015-03-31/functions', async (req, reply) => sendJson(reply, 200, await list(req)));
  app.get('/2015-03-31/functions/', async (req, reply) => sendJson(reply, 200, await list(req)));

  // GetAccountSettings: the account's limits and what it uses. Tally sets no total code storage limit,
  // so AccountLimit.TotalCodeSize is left out (the SDKs read a missing member as unset).
  const accountSettings = async (req: FastifyRequest) => {
    const caller = callerOf(req, ctx);
    const [concurrency, usage] = await Promise.all([functions.concurrency(caller.accountId), functions.usage(caller.accountId)]);
    return {
      AccountLimit: {
        CodeSizeZipped: functions.limits.maxZipBytes,
        CodeSizeUnzipped: functions.limits.maxUnzippedBytes,
        ConcurrentExecutions: concurrency.limit,
        UnreservedConcurrentExecutions: concurrency.unreserved,
      },
      AccountUsage: { FunctionCount: usage.functions, TotalCodeSize: usage.codeBytes },
    };
  };
  app.get('/2016-08-19/account-settings', async (req, reply) => sendJson(reply, 200, await accountSettings(req)));
  app.get('/2016-08-19/account-settings/', async (req, reply) => sendJson(reply, 200, await accountSettings(req)));

  app.get('/2015-03-31/functions/:FunctionName', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const t = await target(req, caller);
    const shown = t.qualifier && t.qualifier !== LATEST ? t.qualifier : LATEST;
    const c = await configuration(caller, t.config, t.shownVersion, await versionDescription(caller, t.config, t.shownVersion));
    const latest = t.config.version === t.config.latestVersion ? t.config : await functions.get(caller.accountId, t.name);
    return sendJson(reply, 200, {
      Configuration: { ...c, FunctionArn: functionArn(caller, t.name, shown === LATEST ? undefined : shown) },
      Code: { RepositoryType: t.config.packageType === 'Zip' ? 'S3' : 'ECR' },
      Tags: await settings.tags(caller.accountId, t.config.id),
      ...(latest.reservedConcurrency !== null ? { Concurrency: { ReservedConcurrentExecutions: latest.reservedConcurrency } } : {}),
    });
  });

  app.get('/2015-03-31/functions/:FunctionName/configuration', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const t = await target(req, caller);
    const c = await configuration(caller, t.config, t.shownVersion, await versionDescription(caller, t.config, t.shownVersion));
    const shown = t.qualifier && t.qualifier !== LATEST ? t.qualifier : undefined;
    return sendJson(reply, 200, { ...c, FunctionArn: functionArn(caller, t.name, shown) });
  });

  app.put('/2015-03-31/functions/:FunctionName/code', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const { name } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller);
    const b = jsonBody(req);
    const current = await functions.get(caller.accountId, name);
    const ifLatest = checkRevision(current, b.RevisionId);
    if (b.Architectures !== undefined && JSON.stringify(b.Architectures) !== JSON.stringify([current.architecture])) {
      throw awsErrors.invalidParameter("Architectures: a function's architecture is changed by UpdateFunctionConfiguration in Tally");
    }
    if (b.DryRun === true) return sendJson(reply, 200, await configuration(caller, current, LATEST));
    const config = await functions.updateCode(
      caller.accountId,
      name,
      { zip: codeOf({ ZipFile: b.ZipFile, ImageUri: b.ImageUri, S3Bucket: b.S3Bucket }) },
      ifLatest,
    );
    return sendJson(reply, 200, await publishIf(caller, name, b.Publish, config));
  });

  app.put('/2015-03-31/functions/:FunctionName/configuration', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const { name } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller);
    const b = jsonBody<AwsBody>(req);
    let config = await functions.get(caller.accountId, name);
    const ifLatest = checkRevision(config, b.RevisionId);
    const patch = tallySettings(b);
    const role = stringField(b, 'Role', 2048);
    const description = stringField(b, 'Description', 256);
    const awsOnly = role !== undefined || description !== undefined || b.Runtime !== undefined;
    // Every update makes a version, as every Lambda update makes a new RevisionId (and LastModified):
    // one that changed only the description or role would otherwise keep its RevisionId, and a client
    // holding the one from before could overwrite the change unchecked.
    if (Object.keys(patch).length > 0 || awsOnly) {
      // The version records Tally's settings only: with none changed, it repeats one, as a new version.
      const change = Object.keys(patch).length > 0 ? patch : { memoryMb: config.memoryMb };
      config = await functions.updateConfiguration(caller.accountId, name, validated(checkUpdate, change), ifLatest);
    }
    if (awsOnly) {
      const s = await settings.get(caller.accountId, config.id);
      await settings.put(caller.accountId, config.id, {
        role: role ?? s.role,
        description: description ?? s.description,
        runtime: b.Runtime ?? s.runtime,
      });
    }
    return sendJson(reply, 200, await configuration(caller, config, LATEST));
  });

  app.delete('/2015-03-31/functions/:FunctionName', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const q = req.query as { Qualifier?: string };
    const { name, qualifier } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller, q.Qualifier);
    // AWS refuses $LATEST here too: it is not a version one can delete, and the whole function must not go for it.
    if (qualifier === LATEST) throw awsErrors.invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (qualifier !== undefined) {
      throw awsErrors.invalidParameter('Deleting one version is not supported by Tally: delete the function (no Qualifier)');
    }
    await functions.remove(caller.accountId, name);
    return reply.code(204).send();
  });

  // Versions: publishing marks Tally's latest version (a number that may skip: every update writes one).
  app.post('/2015-03-31/functions/:FunctionName/versions', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const { name } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller);
    const b = jsonBody(req);
    const current = await functions.get(caller.accountId, name);
    const ifLatest = checkRevision(current, b.RevisionId);
    // Lambda's answer to a CodeSha256 that is not $LATEST's (a request to fix, not a conflict to wait out).
    const codeSha256 = Buffer.from(current.codeSha256, 'hex').toString('base64');
    if (typeof b.CodeSha256 === 'string' && b.CodeSha256 !== codeSha256) {
      throw awsErrors.invalidParameter(
        `CodeSHA256 (${b.CodeSha256}) is different from current CodeSHA256 in $LATEST (${codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    const { config, published } = await versions.publish(caller.accountId, name, {
      description: stringField(b, 'Description', 256) ?? (await functionDescription(caller, current)),
      codeSha256: typeof b.CodeSha256 === 'string' ? Buffer.from(b.CodeSha256, 'base64').toString('hex') : undefined,
      ifLatest,
    });
    return sendJson(reply, 201, await configuration(caller, config, String(published.version), published.description));
  });

  app.get('/2015-03-31/functions/:FunctionName/versions', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const { name } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller);
    const q = req.query as { Marker?: string; MaxItems?: string };
    const limit = maxItems(q.MaxItems, 50, 10_000);
    // As AWS lists them: $LATEST first, then the published versions; a marker is the last Version a page showed.
    if (q.Marker !== undefined && q.Marker !== LATEST && !VERSION_NUMBER.test(q.Marker))
      throw awsErrors.invalidParameter('Marker: not a marker this API gave');
    const first = q.Marker === undefined;
    const after = first || q.Marker === LATEST ? 0 : Number(q.Marker);
    const page = await versions.publishedPage(caller.accountId, name, { after, limit: first ? limit - 1 : limit });
    const s = await settings.get(caller.accountId, page.latest.id);
    const shown = [
      ...(first ? [functionConfiguration(caller, page.latest, s, LATEST)] : []),
      ...page.versions.map((p) => ({
        ...functionConfiguration(caller, p.config, s, String(p.published.version)),
        Description: p.published.description,
      })),
    ];
    return sendJson(reply, 200, { Versions: shown, ...(page.more ? { NextMarker: shown[shown.length - 1]!.Version } : {}) });
  });

  // Aliases.
  const aliasShape = (caller: ArnContext, fn: string, a: FunctionAlias) => ({
    AliasArn: functionArn(caller, fn, a.name),
    Name: a.name,
    FunctionVersion: a.version === null ? LATEST : String(a.version),
    Description: a.description,
    RevisionId: a.revisionId,
    ...(a.routing ? { RoutingConfig: { AdditionalVersionWeights: { [String(a.routing.version)]: a.routing.weight } } } : {}),
  });
  /** RoutingConfig as Lambda takes it: one more version and its weight; an empty map removes it; absent keeps it. */
  const routingOf = (b: Record<string, unknown>): RoutingInput | null | undefined => {
    if (b.RoutingConfig === undefined || b.RoutingConfig === null) return undefined;
    // A structure of the wrong type is refused, never read as "no weights" (that removes the routing).
    if (typeof b.RoutingConfig !== 'object' || Array.isArray(b.RoutingConfig))
      throw awsErrors.invalidParameter('RoutingConfig: an object { AdditionalVersionWeights: { version: weight } } is required');
    const weights = (b.RoutingConfig as { AdditionalVersionWeights?: unknown }).AdditionalVersionWeights;
    if (weights === undefined || weights === null) return null;
    if (typeof weights !== 'object' || Array.isArray(weights))
      throw awsErrors.invalidParameter('RoutingConfig.AdditionalVersionWeights: a map of a version to its weight is required');
    const entries = Object.entries(weights);
    if (entries.length === 0) return null;
    if (entries.length > 1) throw awsErrors.invalidParameter('RoutingConfig.AdditionalVersionWeights: at most one additional version');
    const [version, weight] = entries[0]!;
    if (typeof weight !== 'number') throw awsErrors.invalidParameter(`RoutingConfig: the weight of version ${version} must be a number`);
    return { version, weight };
  };
  const UNQUALIFIED_ONLY =
    'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.';
  const fnName = (req: FastifyRequest, caller: ArnContext) =>
    parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller).name;

  app.post('/2015-03-31/functions/:FunctionName/aliases', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const name = fnName(req, caller);
    const b = jsonBody(req);
    const alias = stringField(b, 'Name', 128);
    const version = stringField(b, 'FunctionVersion', 1024);
    if (!alias || !version) throw awsErrors.invalidParameter('Name and FunctionVersion are required');
    const a = await versions.createAlias(caller.accountId, name, {
      alias,
      version,
      description: stringField(b, 'Description', 256),
      routing: routingOf(b),
    });
    return sendJson(reply, 201, aliasShape(caller, name, a));
  });

  app.get('/2015-03-31/functions/:FunctionName/aliases', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const name = fnName(req, caller);
    const q = req.query as { Marker?: string; MaxItems?: string; FunctionVersion?: string };
    const limit = maxItems(q.MaxItems, 50, 10_000);
    if (
      q.FunctionVersion !== undefined &&
      q.FunctionVersion !== LATEST &&
      !(/^[1-9][0-9]{0,9}$/.test(q.FunctionVersion) && Number(q.FunctionVersion) <= 2_147_483_647)
    ) {
      throw awsErrors.invalidParameter(`FunctionVersion: ${q.FunctionVersion} is not a version ($LATEST or a number)`);
    }
    const page = await versions.listAliases(caller.accountId, name, { limit, after: q.Marker ?? null, version: q.FunctionVersion });
    return sendJson(reply, 200, {
      Aliases: page.map((a) => aliasShape(caller, name, a)),
      ...(page.length === limit ? { NextMarker: page[page.length - 1]!.name } : {}),
    });
  });

  app.get('/2015-03-31/functions/:FunctionName/aliases/:Name', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const name = fnName(req, caller);
    const a = await versions.getAlias(caller.accountId, name, (req.params as { Name: string }).Name);
    return sendJson(reply, 200, aliasShape(caller, name, a));
  });

  app.put('/2015-03-31/functions/:FunctionName/aliases/:Name', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const name = fnName(req, caller);
    const b = jsonBody(req);
    const a = await versions.updateAlias(caller.accountId, name, (req.params as { Name: string }).Name, {
      version: stringField(b, 'FunctionVersion', 1024),
      description: stringField(b, 'Description', 256),
      revisionId: stringField(b, 'RevisionId', 64),
      routing: routingOf(b),
    });
    return sendJson(reply, 200, aliasShape(caller, name, a));
  });

  app.delete('/2015-03-31/functions/:FunctionName/aliases/:Name', async (req, reply) => {
    const caller = callerOf(req, ctx);
    // Lambda answers 204 for an alias that is not there (the function must be); the service's NOT_FOUND is the alias's.
    await versions.removeAlias(caller.accountId, fnName(req, caller), (req.params as { Name: string }).Name).catch((err: unknown) => {
      if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
    });
    return reply.code(204).send();
  });

  // Reserved concurrency: Tally's reservedConcurrency setting (a new version, as any configuration change).
  app.put('/2017-10-31/functions/:FunctionName/concurrency', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const b = jsonBody(req);
    const n = b.ReservedConcurrentExecutions;
    if (typeof n !== 'number') throw awsErrors.invalidParameter('ReservedConcurrentExecutions: an integer is required');
    const { name, qualifier } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller);
    // A reservation is the function's, over all its versions: Lambda refuses one named through a version or alias.
    if (qualifier !== undefined) throw awsErrors.invalidParameter(UNQUALIFIED_ONLY);
    const patch = validated(checkUpdate, { reservedConcurrency: n });
    await functions.updateConfiguration(caller.accountId, name, patch);
    return sendJson(reply, 200, { ReservedConcurrentExecutions: n });
  });

  app.get('/2019-09-30/functions/:FunctionName/concurrency', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const c = await functions.get(caller.accountId, fnName(req, caller));
    return sendJson(reply, 200, c.reservedConcurrency === null ? {} : { ReservedConcurrentExecutions: c.reservedConcurrency });
  });

  // GetFunctionCodeSigningConfig: Tally signs no code, so a function has no configuration, which Lambda answers
  // with an empty 200. Terraform's AWS provider reads it after creating and on every refresh of a function.
  app.get('/2020-06-30/functions/:FunctionName/code-signing-config', async (req, reply) => {
    const caller = callerOf(req, ctx);
    await functions.get(caller.accountId, fnName(req, caller));
    return sendJson(reply, 200, {});
  });

  app.delete('/2017-10-31/functions/:FunctionName/concurrency', async (req, reply) => {
    const caller = callerOf(req, ctx);
    const { name, qualifier } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller);
    // As PutFunctionConcurrency: `f:live` would otherwise lift the whole function's reservation (or its throttle, 0).
    if (qualifier !== undefined) throw awsErrors.invalidParameter(UNQUALIFIED_ONLY);
    const c = await functions.get(caller.accountId, name);
    if (c.reservedConcurrency !== null) await functions.updateConfiguration(caller.accountId, name, { reservedConcurrency: null });
    return reply.code(204).send();
  });
};
