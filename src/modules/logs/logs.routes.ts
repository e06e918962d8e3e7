import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LogBatchSchema, LogIngestResultSchema } from '../../contracts/logs.js';
import { DEFAULT_LOG_FOLLOWERS_PER_ACCOUNT } from '../../config.js';
import { errors } from '../../lib/errors.js';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { AccountParams, FunctionLogsParams, LogRetentionBody, LogRetentionDto, LogsPageDto, LogsQuery } from './logs.schemas.js';
import { instant, type LogEvent, type LogsService } from './logs.service.js';

/** A log batch can hold an invocation's 4 MB of text, escaped in JSON. */
export const LOGS_BODY_LIMIT = 32 * 1024 * 1024;
const KEEP_ALIVE_MS = 15_000;
/** How often a follower's key is checked again: a key revoked meanwhile ends it (every replica learns of a revocation within about a second). */
const KEY_RECHECK_MS = 1_000;

const wantsEventStream = (accept: string | undefined) => (accept ?? '').toLowerCase().includes('text/event-stream');

export function logsRoutes(deps: {
  auth: Auth;
  accounts: Pick<AccountsService, 'actingAccount' | 'getAccount'>;
  logs: LogsService;
  /** How often a follower looks for new lines (default 1 s). */
  followPollMs?: number;
  /** Most followers of one account this process serves at once (TALLY_LOG_FOLLOWERS_PER_ACCOUNT). */
  maxFollowersPerAccount?: number;
}): FastifyPluginAsyncTypebox {
  const { auth, accounts, logs } = deps;
  const maxFollowers = deps.maxFollowersPerAccount ?? DEFAULT_LOG_FOLLOWERS_PER_ACCOUNT;
  return async (app) => {
    const tags = ['logs'];
    const followers = new Set<AbortController>();
    /** Followers open per account in this process: each polls the database every second. */
    const followersOf = new Map<string, number>();
    // Followers end when the api stops: an open stream would otherwise hold its close back.
    app.addHook('preClose', async () => {
      for (const f of followers) f.abort();
    });

    app.post(
      '/v1/logs',
      {
        onRequest: auth.require('executor'),
        bodyLimit: LOGS_BODY_LIMIT,
        schema: {
          tags,
          operationId: 'ingestLogs',
          summary: 'Ingest function log lines (executor key); each (request id, seq) is stored once',
          body: LogBatchSchema,
          response: { 200: LogIngestResultSchema, ...errorResponses },
        },
      },
      async (req) => logs.ingest(principalOf(req), req.body.invocations),
    );

    app.get(
      '/v1/functions/:name/logs',
      {
        onRequest: auth.require('account', 'admin'),
        schema: {
          tags,
          operationId: 'getFunctionLogs',
          summary: "A function's log lines, oldest first, paged; Accept: text/event-stream follows them live (SSE)",
          params: FunctionLogsParams,
          querystring: LogsQuery,
          response: { 200: LogsPageDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        const accountId = await accounts.actingAccount(principalOf(req), req.headers['x-account-id'] as string | undefined);
        const query = { accountId, functionName: req.params.name, ...req.query };
        if (!wantsEventStream(req.headers.accept)) return logs.query(query);
        // Checked before the stream begins: a `from` JavaScript cannot read (a leap second) is a 400, not a replay of the
        // whole retention (found by review).
        if (query.from !== undefined) instant('from', query.from);
        const open = followersOf.get(accountId) ?? 0;
        if (open >= maxFollowers) {
          throw errors.tooManyRequests(`This account already follows ${maxFollowers} function logs on this api process, its limit`, {
            reason: 'log_followers',
            limit: maxFollowers,
          });
        }
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
          'x-request-id': req.id,
        });
        res.write(': following\n\n');
        const stop = new AbortController();
        followers.add(stop);
        res.on('close', () => stop.abort());
        // A client that hung up while the key and account were checked: its close came before the listener.
        if (res.destroyed || req.raw.destroyed || res.socket?.destroyed !== false) stop.abort();
        const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
        // A follower outlives the check of its key at its start: once the key is revoked it ends, saying why, as
        // every other use of the key stops working. Until 2026-12 it went on streaming the account's lines (found by review).
        const recheck = setInterval(() => {
          auth.stillValid(req).then(
            (valid) => {
              if (valid || stop.signal.aborted) return;
              res.write(`event: error\ndata: ${JSON.stringify({ code: 'UNAUTHENTICATED', message: 'The API key has been revoked' })}\n\n`);
              stop.abort();
            },
            // The database away: the follower's own polls fail too; the key is checked again at the next tick.
            () => undefined,
          );
        }, KEY_RECHECK_MS);
        /** Writes a line; when the client reads slower than lines come, waits for it rather than buffering here. */
        const emit = async (e: LogEvent): Promise<void> => {
          if (res.write(`event: log\ndata: ${JSON.stringify(e)}\n\n`)) return;
          await new Promise<void>((resolve) => {
            const done = () => {
              res.off('drain', done);
              stop.signal.removeEventListener('abort', done);
              resolve();
            };
            res.once('drain', done);
            stop.signal.addEventListener('abort', done, { once: true });
          });
        };
        // Taken with no await since the check; given back in the finally whatever ends the follower, an early hang-up included
        // (per process: docs/logs.md, "How many").
        followersOf.set(accountId, open + 1);
        try {
          await logs.follow(query, emit, stop.signal, deps.followPollMs ?? 1_000);
        } catch (err) {
          req.log.error({ err }, 'following a function log failed');
          res.write(`event: error\ndata: ${JSON.stringify({ code: 'INTERNAL_ERROR', message: 'following stopped' })}\n\n`);
        } finally {
          clearInterval(keepAlive);
          clearInterval(recheck);
          followers.delete(stop);
          const left = (followersOf.get(accountId) ?? 1) - 1;
          if (left > 0) followersOf.set(accountId, left);
          else followersOf.delete(accountId);
          res.end();
        }
        return reply;
      },
    );

    app.get(
      '/v1/accounts/:id/log-retention',
      {
        onRequest: auth.require('admin', 'account'),
        schema: {
          tags,
          operationId: 'getLogRetention',
          summary: "How many days the account's function logs are kept (admin, or its own key)",
          params: AccountParams,
          response: { 200: LogRetentionDto, ...errorResponses },
        },
      },
      async (req) => {
        await accounts.getAccount(principalOf(req), req.params.id);
        return logs.retention(req.params.id);
      },
    );

    app.put(
      '/v1/accounts/:id/log-retention',
      {
        onRequest: auth.require('admin', 'account'),
        schema: {
          tags,
          operationId: 'setLogRetention',
          summary: "Set how many days the account's function logs are kept, 1 to 3653 (admin, or its own key)",
          params: AccountParams,
          body: LogRetentionBody,
          response: { 200: LogRetentionDto, ...errorResponses },
        },
      },
      async (req) => {
        await accounts.getAccount(principalOf(req), req.params.id);
        return logs.setRetention(req.params.id, req.body.days);
      },
    );
  };
}
