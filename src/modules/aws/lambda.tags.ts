import type { FastifyRequest } from 'fastify';
import { MAX_TAGS, type Tags, TooManyTagsError } from './aws-settings.repository.js';
import { awsErrors } from './errors.js';
import { callerOf, jsonBody, type LambdaContext, type LambdaOperations, sendJson } from './lambda.context.js';
import { parseFunctionName } from './shapes.js';

/** AWS's tag rules: a key of 1-128 characters, a value of at most 256, both of letters, digits, spaces and `_.:/=+-@`. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Lambda's Tags map, checked as AWS checks it; the count (at most 50 on the function) is the database's. */
export function checkTags(raw: unknown): Tags {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw awsErrors.invalidParameter('Tags: a map of strings is required');
  const tags = raw as Record<string, unknown>;
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw awsErrors.invalidParameter(`Tags: at most ${MAX_TAGS} tags, ${keys.length} given`);
  for (const key of keys) {
    const value = tags[key];
    if (typeof value !== 'string') throw awsErrors.invalidParameter(`Tags: the value of ${JSON.stringify(key)} must be a string`);
    // Characters as AWS counts them (code points), not UTF-16 units.
    const keyLength = [...key].length;
    if (keyLength < 1 || keyLength > 128 || !TAG_TEXT.test(key))
      throw awsErrors.invalidParameter(
        `Tags: ${JSON.stringify(key)} is not a valid tag key (1 to 128 letters, digits, spaces and _.:/=+-@)`,
      );
    if (key.toLowerCase().startsWith('aws:')) throw awsErrors.invalidParameter(`Tags: ${JSON.stringify(key)}: the aws: prefix is reserved`);
    if ([...value].length > 256 || !TAG_TEXT.test(value))
      throw awsErrors.invalidParameter(
        `Tags: the value of ${JSON.stringify(key)} is not valid (at most 256 letters, digits, spaces and _.:/=+-@)`,
      );
  }
  return tags as Tags;
}

/** Stores the tags; more than Lambda allows on the function is Lambda's InvalidParameterValueException. */
export async function addTags(ctx: LambdaContext, accountId: string, functionId: string, tags: Tags): Promise<void> {
  if (Object.keys(tags).length === 0) return;
  await ctx.settings.tag(accountId, functionId, tags).catch((err: unknown) => {
    if (err instanceof TooManyTagsError) throw awsErrors.invalidParameter(`Number of tags exceeds resource tag limit (${MAX_TAGS})`);
    throw err;
  });
}

/**
 * TagResource, UntagResource and ListTags on a function, named by its ARN (unqualified, as Lambda
 * requires). Tags are kept and shown back (GetFunction too); Tally grants, routes and bills nothing by them.
 */
export const tagOperations: LambdaOperations = (app, ctx) => {
  /** The function a Resource ARN names, in the caller's account. */
  async function tagged(req: FastifyRequest) {
    const caller = callerOf(req, ctx);
    const resource = (req.params as { Resource: string }).Resource;
    if (!resource.startsWith('arn:')) throw awsErrors.invalidParameter(`Resource: ${resource} is not a function ARN`);
    const { name, qualifier } = parseFunctionName(resource, caller);
    if (qualifier !== undefined)
      throw awsErrors.invalidParameter('Resource: tags belong to the function; use its ARN without a version or alias');
    return { accountId: caller.accountId, fn: await ctx.functions.get(caller.accountId, name) };
  }

  app.get('/2017-03-31/tags/:Resource', async (req, reply) => {
    const { accountId, fn } = await tagged(req);
    return sendJson(reply, 200, { Tags: await ctx.settings.tags(accountId, fn.id) });
  });

  app.post('/2017-03-31/tags/:Resource', async (req, reply) => {
    const { accountId, fn } = await tagged(req);
    const b = jsonBody(req);
    if (b.Tags === undefined) throw awsErrors.invalidParameter('Tags is required');
    await addTags(ctx, accountId, fn.id, checkTags(b.Tags));
    return reply.code(204).send();
  });

  app.delete('/2017-03-31/tags/:Resource', async (req, reply) => {
    const { accountId, fn } = await tagged(req);
    const raw = (req.query as { tagKeys?: string | string[] }).tagKeys;
    const keys = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (keys.length === 0) throw awsErrors.invalidParameter('tagKeys is required');
    await ctx.settings.untag(accountId, fn.id, keys);
    return reply.code(204).send();
  });
};
