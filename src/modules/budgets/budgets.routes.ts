import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { actorOf } from '../audit/audit.repository.js';
import type { AlertsService } from './alerts.service.js';
import {
  AlertDetailDto,
  AlertDto,
  BudgetDto,
  CreateBudgetBody,
  CreatedBudgetDto,
  IdParams,
  ListAlertsQuery,
  ListBudgetsQuery,
  toBudgetDto,
  UpdateBudgetBody,
} from './budgets.schemas.js';
import type { BudgetsService } from './budgets.service.js';

const accountHeader = (h: Record<string, unknown>) => h['x-account-id'] as string | undefined;

/** Budgets and their alerts: an account key, or an admin acting for an account with X-Account-Id. */
export function budgetsRoutes(deps: {
  auth: Auth;
  accounts: AccountsService;
  budgets: BudgetsService;
  alerts: AlertsService;
}): FastifyPluginAsyncTypebox {
  const { auth, accounts, budgets, alerts } = deps;
  const onRequest = auth.require('account', 'admin');
  return async (app) => {
    const tags = ['budgets'];
    const scope = (req: Parameters<typeof principalOf>[0]) => accounts.scopeOf(principalOf(req), accountHeader(req.headers));

    app.post(
      '/v1/budgets',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Create a monthly budget; the answer carries the webhook signing secret, shown once (audited)',
          body: CreateBudgetBody,
          response: { 201: CreatedBudgetDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        const principal = principalOf(req);
        const { budget, secret } = await budgets.create(
          actorOf(principal),
          await accounts.actingAccount(principal, accountHeader(req.headers)),
          req.body,
        );
        return reply.code(201).send({ ...toBudgetDto(budget), secret });
      },
    );

    app.get(
      '/v1/budgets',
      {
        onRequest,
        schema: {
          tags,
          summary: "An account's budgets (an admin without X-Account-Id sees every account's)",
          querystring: ListBudgetsQuery,
          response: { 200: Type.Object({ budgets: Type.Array(BudgetDto) }), ...errorResponses },
        },
      },
      async (req) => ({ budgets: (await budgets.list(await scope(req), req.query.limit)).map(toBudgetDto) }),
    );

    app.get(
      '/v1/budgets/:id',
      {
        onRequest,
        schema: { tags, summary: 'One budget', params: IdParams, response: { 200: BudgetDto, ...errorResponses } },
      },
      async (req) => toBudgetDto(await budgets.get(await scope(req), req.params.id)),
    );

    app.patch(
      '/v1/budgets/:id',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Change a budget (audited); raising a capped amount lifts the cap',
          params: IdParams,
          body: UpdateBudgetBody,
          response: { 200: BudgetDto, ...errorResponses },
        },
      },
      async (req) => {
        const { reason, ...patch } = req.body;
        return toBudgetDto(await budgets.update(actorOf(principalOf(req)), await scope(req), req.params.id, patch, reason ?? null));
      },
    );

    app.delete(
      '/v1/budgets/:id',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Delete a budget (audited); its alerts stay, undelivered ones are cancelled',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await budgets.remove(actorOf(principalOf(req)), await scope(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/alerts',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Budget alerts, newest first, with their delivery state',
          description:
            'An alert is kept for TALLY_RECORD_RETENTION_DAYS (30 by default) after its month can no longer be evaluated (the first day of the next) ' +
            'and its delivery ended.',
          querystring: ListAlertsQuery,
          response: { 200: Type.Object({ alerts: Type.Array(AlertDto) }), ...errorResponses },
        },
      },
      async (req) => ({
        alerts: await alerts.list(await scope(req), {
          budgetId: req.query.budgetId ?? null,
          period: req.query.period ?? null,
          limit: req.query.limit,
        }),
      }),
    );

    app.get(
      '/v1/alerts/:id',
      {
        onRequest,
        schema: {
          tags,
          summary: 'One alert with its webhook delivery history',
          description: '404 ALERT_NOT_FOUND once the record retention removed it (GET /v1/alerts).',
          params: IdParams,
          response: { 200: AlertDetailDto, ...errorResponses },
        },
      },
      async (req) => alerts.get(await scope(req), req.params.id),
    );

    app.post(
      '/v1/alerts/:id/redeliver',
      {
        onRequest,
        schema: {
          tags,
          summary: 'Send the alert to the webhook again now (same id and body, newly signed)',
          description: '404 ALERT_NOT_FOUND once the record retention removed it (GET /v1/alerts).',
          params: IdParams,
          response: { 200: AlertDetailDto, ...errorResponses },
        },
      },
      async (req) => alerts.redeliver(await scope(req), req.params.id),
    );
  };
}
