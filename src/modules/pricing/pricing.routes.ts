import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../lib/schemas.js';
import { actorOf } from '../audit/audit.repository.js';
import { principalOf, type Auth } from '../accounts/auth.js';
import { CatalogDto, NewPriceVersionBody, PriceVersionDto, QuoteBody, QuoteDto } from './pricing.schemas.js';
import type { PricingService } from './pricing.service.js';

export function pricingRoutes(deps: { auth: Auth; pricing: PricingService }): FastifyPluginAsyncTypebox {
  const { auth, pricing } = deps;
  return async (app) => {
    const tags = ['pricing'];

    app.get(
      '/v1/prices',
      {
        onRequest: auth.require('admin', 'account'),
        schema: {
          tags,
          summary: 'The price catalog: the version in force and every version',
          response: { 200: CatalogDto, ...errorResponses },
        },
      },
      async () => pricing.catalog(),
    );

    app.post(
      '/v1/prices',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: 'Add a price version effective from a future month (admin; audited)',
          body: NewPriceVersionBody,
          response: { 201: PriceVersionDto, ...errorResponses },
        },
      },
      async (req, reply) => reply.code(201).send(await pricing.addVersion(actorOf(principalOf(req)), req.body)),
    );

    app.post(
      '/v1/quote',
      {
        onRequest: auth.require('admin', 'account'),
        schema: {
          tags,
          summary: 'Price hypothetical monthly workloads on the live catalog; nothing is stored',
          body: QuoteBody,
          response: { 200: QuoteDto, ...errorResponses },
        },
      },
      async (req) => pricing.quote(req.body),
    );
  };
}
