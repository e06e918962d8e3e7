import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { wantsCsv } from '../../lib/csv.js';
import { errorResponses } from '../../lib/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { actorOf } from '../audit/audit.repository.js';
import { invoiceCsv, invoiceHtml } from './invoices.render.js';
import {
  type CurrentCostBudgetDto,
  CurrentCostDto,
  IdParams,
  InvoiceDto,
  LineParams,
  LineUsageDto,
  LineUsageQuery,
  ListInvoicesQuery,
  RunBody,
  RunDto,
  VoidBody,
} from './invoices.schemas.js';
import type { InvoicesService } from './invoices.service.js';

const accountHeader = (h: Record<string, unknown>) => h['x-account-id'] as string | undefined;

export function invoicesRoutes(deps: {
  auth: Auth;
  invoices: InvoicesService;
  accounts: AccountsService;
  /** Each budget's spend, percentage and forecast, shown with the month-to-date cost. */
  budgets: { summary(accountId: string): Promise<Static<typeof CurrentCostBudgetDto>[]> };
}): FastifyPluginAsyncTypebox {
  const { auth, invoices, accounts } = deps;
  return async (app) => {
    const tags = ['invoices'];

    app.get(
      '/v1/invoices',
      {
        onRequest: auth.require('account', 'admin'),
        schema: {
          tags,
          summary:
            "An account's invoices, with the draft of the current (or asked-for, unfinalized) month computed on read, never stored; an admin without X-Account-Id sees every account's stored invoices",
          querystring: ListInvoicesQuery,
          response: { 200: Type.Object({ invoices: Type.Array(InvoiceDto) }), ...errorResponses },
        },
      },
      async (req) => {
        const scope = await accounts.scopeOf(principalOf(req), accountHeader(req.headers));
        return {
          invoices: await invoices.list(scope, {
            period: req.query.period ?? null,
            status: req.query.status ?? null,
            limit: req.query.limit,
          }),
        };
      },
    );

    app.get(
      '/v1/invoices/:id',
      {
        onRequest: auth.require('account', 'admin'),
        schema: {
          tags,
          summary: 'One invoice: JSON, or Accept: text/csv or text/html for the same invoice rendered',
          params: IdParams,
          response: { 200: InvoiceDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        const principal = principalOf(req);
        const invoice = await invoices.get(await accounts.scopeOf(principal, accountHeader(req.headers)), req.params.id);
        const accept = req.headers.accept ?? '';
        if (wantsCsv(accept)) return reply.type('text/csv; charset=utf-8').send(invoiceCsv(invoice));
        if (/\btext\/html\b/i.test(accept)) {
          const account = await accounts.getAccount(principal, invoice.accountId);
          return reply.type('text/html; charset=utf-8').send(invoiceHtml(invoice, account.name));
        }
        return invoice;
      },
    );

    app.get(
      '/v1/invoices/:id/lines/:lineId/usage',
      {
        onRequest: auth.require('account', 'admin'),
        schema: {
          tags,
          summary: 'The hourly rollups behind a line (and with ?invocations=true the invocations)',
          params: LineParams,
          querystring: LineUsageQuery,
          response: { 200: LineUsageDto, ...errorResponses },
        },
      },
      async (req) => {
        const scope = await accounts.scopeOf(principalOf(req), accountHeader(req.headers));
        return invoices.lineUsage(scope, req.params.id, req.params.lineId, req.query);
      },
    );

    app.post(
      '/v1/invoices/run',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: "Finalize every account's invoice for a closed month (admin); idempotent",
          body: RunBody,
          response: { 200: RunDto, ...errorResponses },
        },
      },
      async (req) => invoices.run(req.body.period, actorOf(principalOf(req))),
    );

    app.post(
      '/v1/invoices/:id/void',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: 'Void a finalized invoice with a reason (admin; audited)',
          params: IdParams,
          body: VoidBody,
          response: { 200: InvoiceDto, ...errorResponses },
        },
      },
      async (req) => invoices.void(req.params.id, actorOf(principalOf(req)), req.body.reason),
    );

    app.get(
      '/v1/cost/current',
      {
        onRequest: auth.require('account', 'admin'),
        schema: {
          tags: ['billing'],
          summary: 'Month-to-date cost with the free tier applied, free tier left, a month-end forecast, and each budget against them',
          response: { 200: CurrentCostDto, ...errorResponses },
        },
      },
      async (req) => {
        const accountId = await accounts.actingAccount(principalOf(req), accountHeader(req.headers));
        const [cost, budgets] = await Promise.all([invoices.currentCost(accountId), deps.budgets.summary(accountId)]);
        return { ...cost, budgets };
      },
    );
  };
}
