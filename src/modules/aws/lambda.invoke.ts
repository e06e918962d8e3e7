import type { FastifyRequest } from 'fastify';
import { MAX_SYNC_PAYLOAD_BYTES } from '../../contracts/executor.js';
import { MAX_ASYNC_PAYLOAD_BYTES } from '../async/async.service.js';
import { eventOf } from '../functions/invoke.routes.js';
import { awsErrors } from './errors.js';
import { callerOf, type LambdaOperations } from './lambda.context.js';
import { parseFunctionName } from './shapes.js';

/** Lambda's limit on X-Amz-Client-Context: 3,583 bytes of base64-encoded JSON. */
const MAX_CLIENT_CONTEXT_BYTES = 3583;

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/** The client context as base64 of ASCII-only JSON (non-ASCII escaped), so it can travel in a header to the runtime. */
function clientContextOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > MAX_CLIENT_CONTEXT_BYTES) throw awsErrors.invalidParameter('Client context must be 3583 bytes or less');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    throw awsErrors.invalidParameter('Client context must be base64-encoded JSON');
  }
  const ascii = JSON.stringify(parsed).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Buffer.from(ascii).toString('base64');
}

/** Invoke: the same invoke and async services as POST /v1/functions/:name/invoke. */
export const invokeOperations: LambdaOperations = (app, ctx) => {
  app.post('/2015-03-31/functions/:FunctionName/invocations', { bodyLimit: MAX_SYNC_PAYLOAD_BYTES }, async (req, reply) => {
    const caller = callerOf(req, ctx);
    const q = req.query as { Qualifier?: string };
    const { name, qualifier } = parseFunctionName((req.params as { FunctionName: string }).FunctionName, caller, q.Qualifier);
    const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    const logType = header(req, 'x-amz-log-type') ?? 'None';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw awsErrors.invalidParameter(`X-Amz-Invocation-Type: ${type} is not RequestResponse, Event or DryRun`);
    }
    if (logType !== 'None' && logType !== 'Tail') throw awsErrors.invalidParameter(`X-Amz-Log-Type: ${logType} is not None or Tail`);
    const clientContext = clientContextOf(header(req, 'x-amz-client-context'));
    const target = await ctx.versions.resolve(caller.accountId, name, qualifier);

    if (type === 'DryRun') {
      await ctx.events.dryRun(caller.accountId, name);
      return reply.code(204).header('x-amzn-requestid', req.id).send();
    }
    const event = eventOf(req.body);
    if (type === 'Event') {
      if (event.length > MAX_ASYNC_PAYLOAD_BYTES) {
        throw awsErrors.requestTooLarge(`Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeAsync operation`);
      }
      const queued = await ctx.events.enqueue(caller.accountId, name, event, target.version, qualifier);
      return reply.code(202).header('x-amzn-requestid', queued.requestId).send();
    }
    const r = await ctx.invoke.invoke(caller.accountId, name, event, {
      version: target.version,
      ...(qualifier !== undefined ? { qualifier } : {}),
      logTail: logType === 'Tail',
      clientContext,
    });
    reply.header('x-amzn-requestid', r.requestId);
    reply.header('x-amz-executed-version', target.executedVersion);
    if (r.status !== 'success') reply.header('x-amz-function-error', 'Unhandled');
    if (r.logResult !== null) reply.header('x-amz-log-result', r.logResult);
    return reply.code(200).type('application/json').send(r.payload);
  });
};
