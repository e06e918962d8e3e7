import type { FastifyRequest } from 'fastify';
import { LATEST } from '../functions/versions.service.js';
import { type PolicyStatement, PolicyTooLargeError } from './aws-settings.repository.js';
import { AwsError, awsErrors } from './errors.js';
import { callerOf, jsonBody, type LambdaOperations, sendJson } from './lambda.context.js';
import { functionArn, parseFunctionName, revisionId } from './shapes.js';

const STATEMENT_ID = /^[a-zA-Z0-9_-]{1,100}$/;
const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;
const NO_POLICY = 'The resource you requested does not exist.';

/** A principal as Lambda writes it in a statement: `*`, an account as its root ARN, an ARN, or a service. */
function principalOf(p: string): unknown {
  if (p === '*') return '*';
  if (/^\d{12}$/.test(p)) return { AWS: `arn:aws:iam::${p}:root` };
  if (p.startsWith('arn:')) return { AWS: p };
  return { Service: p };
}

const optional = (b: Record<string, unknown>, field: string): string | undefined => {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 1024)
    throw awsErrors.invalidParameter(`${field}: a string of 1 to 1024 characters`);
  return v;
};

/**
 * AddPermission, GetPolicy and RemovePermission on a function's own (unqualified) policy: statements kept and shown
 * back, as infrastructure tools write and read them (Terraform's aws_lambda_permission; aws_lambda_function_url with
 * AuthType NONE adds one). Tally grants nothing by them, as it grants nothing by a function's Role.
 */
export const policyOperations: LambdaOperations = (app, ctx) => {
  /** The function a request names; a version or alias is refused (Tally keeps the function's policy only). */
  async function target(req: FastifyRequest) {
    const caller = callerOf(req, ctx);
    const q = req.query as { Qualifier?: string };
    const { name, qualifier } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller, q.Qualifier);
    const fn = await ctx.functions.get(caller.accountId, name);
    if (qualifier === LATEST) throw awsErrors.invalidParameter('We currently do not support adding policies for $LATEST.');
    if (qualifier !== undefined) {
      await ctx.versions.resolve(caller.accountId, name, qualifier, { route: false });
      throw awsErrors.invalidParameter(
        "Tally keeps a function's policy, not a version's or an alias's: name the function without a qualifier",
      );
    }
    return { caller, name, fn };
  }

  const checkRevision = (fn: { id: string; version: number }, given: unknown) => {
    if (given !== undefined && given !== revisionId(fn.id, fn.version)) {
      throw new AwsError(
        'PreconditionFailedException',
        412,
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
    }
  };

  app.post('/2015-03-31/functions/:FunctionName/policy', async (req, reply) => {
    const { caller, name, fn } = await target(req);
    const b = jsonBody(req);
    checkRevision(fn, b.RevisionId);
    const sid = b.StatementId;
    if (typeof sid !== 'string' || !STATEMENT_ID.test(sid))
      throw awsErrors.validation(`StatementId: ${String(sid)} must be 1 to 100 of [a-zA-Z0-9-_]`);
    const action = b.Action;
    if (typeof action !== 'string' || !ACTION.test(action)) throw awsErrors.validation(`Action: ${String(action)} is not a Lambda action`);
    const principal = optional(b, 'Principal');
    if (principal === undefined) throw awsErrors.invalidParameter('Principal is required');
    const sourceArn = optional(b, 'SourceArn');
    const stringEquals: Record<string, string> = {};
    for (const [field, key] of [
      ['SourceAccount', 'AWS:SourceAccount'],
      ['EventSourceToken', 'lambda:EventSourceToken'],
      ['PrincipalOrgID', 'aws:PrincipalOrgID'],
      ['FunctionUrlAuthType', 'lambda:FunctionUrlAuthType'],
    ] as const) {
      const v = optional(b, field);
      if (v !== undefined) stringEquals[key] = v;
    }
    if (
      stringEquals['lambda:FunctionUrlAuthType'] !== undefined &&
      !['NONE', 'AWS_IAM'].includes(stringEquals['lambda:FunctionUrlAuthType'])
    )
      throw awsErrors.validation('FunctionUrlAuthType: NONE or AWS_IAM');
    const condition = {
      ...(Object.keys(stringEquals).length > 0 ? { StringEquals: stringEquals } : {}),
      ...(sourceArn !== undefined ? { ArnLike: { 'AWS:SourceArn': sourceArn } } : {}),
    };
    const statement: PolicyStatement = {
      Sid: sid,
      Effect: 'Allow',
      Principal: principalOf(principal),
      Action: action,
      Resource: functionArn(caller, name),
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    };
    const added = await ctx.settings.addStatement(caller.accountId, fn.id, statement).catch((err: unknown) => {
      if (err instanceof PolicyTooLargeError)
        throw new AwsError('PolicyLengthExceededException', 400, 'The final policy size is bigger than the limit (20 KB).');
      throw err;
    });
    if (!added)
      throw awsErrors.conflict(
        `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      );
    return sendJson(reply, 201, { Statement: JSON.stringify(statement) });
  });

  app.get('/2015-03-31/functions/:FunctionName/policy', async (req, reply) => {
    const { caller, fn } = await target(req);
    const statements = Object.values(await ctx.settings.policy(caller.accountId, fn.id));
    if (statements.length === 0) throw awsErrors.notFound(NO_POLICY);
    const policy = { Version: '2012-10-17', Id: 'default', Statement: statements };
    return sendJson(reply, 200, { Policy: JSON.stringify(policy), RevisionId: revisionId(fn.id, fn.version) });
  });

  app.delete('/2015-03-31/functions/:FunctionName/policy/:StatementId', async (req, reply) => {
    const { caller, fn } = await target(req);
    checkRevision(fn, (req.query as { RevisionId?: string }).RevisionId);
    const sid = (req.params as { StatementId: string }).StatementId;
    if (!(await ctx.settings.removeStatement(caller.accountId, fn.id, sid))) {
      const any = Object.keys(await ctx.settings.policy(caller.accountId, fn.id)).length > 0;
      throw awsErrors.notFound(
        any ? `Statement ${sid} is not found in resource policy.` : 'No policy is associated with the given resource.',
      );
    }
    return reply.code(204).send();
  });
};
