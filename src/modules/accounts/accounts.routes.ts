import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../../lib/schemas.js';
import { actorOf } from '../audit/audit.repository.js';
import { principalOf, type Auth } from './auth.js';
import type { AccountsService } from './accounts.service.js';
import {
  AccountDto,
  CreateAccountBody,
  CreateAccountKeyBody,
  CreatedKeyDto,
  CreatePlatformKeyBody,
  IdParams,
  KeyDto,
  ListQuery,
  SetConcurrencyLimitBody,
  toAccountDto,
  toKeyDto,
  UpdateAccountBody,
} from './accounts.schemas.js';

export function accountsRoutes(deps: { auth: Auth; accounts: AccountsService }): FastifyPluginAsyncTypebox {
  const { auth, accounts } = deps;
  return async (app) => {
    const tags = ['accounts'];

    app.post(
      '/v1/accounts',
      {
        onRequest: auth.require('admin'),
        schema: { tags, summary: 'Create an account (admin)', body: CreateAccountBody, response: { 201: AccountDto, ...errorResponses } },
      },
      async (req, reply) => {
        const account = await accounts.createAccount(req.body.name, req.body.freeTier ?? true);
        return reply.code(201).send(toAccountDto(account));
      },
    );

    app.get(
      '/v1/accounts',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: 'List accounts (admin)',
          querystring: ListQuery,
          response: { 200: Type.Object({ accounts: Type.Array(AccountDto) }), ...errorResponses },
        },
      },
      async (req) => ({ accounts: (await accounts.listAccounts(req.query.limit, req.query.after ?? null)).map(toAccountDto) }),
    );

    app.get(
      '/v1/accounts/:id',
      {
        onRequest: auth.require('admin', 'account'),
        schema: {
          tags,
          summary: 'One account (admin, or its own key)',
          params: IdParams,
          response: { 200: AccountDto, ...errorResponses },
        },
      },
      async (req) => toAccountDto(await accounts.getAccount(principalOf(req), req.params.id)),
    );

    app.patch(
      '/v1/accounts/:id',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: 'Switch the free tier on or off (admin; audited)',
          params: IdParams,
          body: UpdateAccountBody,
          response: { 200: AccountDto, ...errorResponses },
        },
      },
      async (req) => toAccountDto(await accounts.setFreeTier(principalOf(req), req.params.id, req.body.freeTier, req.body.reason)),
    );

    app.put(
      '/v1/accounts/:id/concurrency-limit',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: "Set or clear the account's own concurrency limit (admin; audited)",
          params: IdParams,
          body: SetConcurrencyLimitBody,
          response: { 200: AccountDto, ...errorResponses },
        },
      },
      async (req) => toAccountDto(await accounts.setConcurrencyLimit(principalOf(req), req.params.id, req.body.limit, req.body.reason)),
    );

    app.post(
      '/v1/accounts/:id/keys',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: 'Create an account key or an account-scoped executor key (admin); the key is shown once',
          params: IdParams,
          body: CreateAccountKeyBody,
          response: { 201: CreatedKeyDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { key, apiKey } = await accounts.createAccountKey(principalOf(req), req.params.id, req.body.role, req.body.label ?? null);
        return reply.code(201).send({ ...toKeyDto(apiKey), key });
      },
    );

    app.get(
      '/v1/accounts/:id/keys',
      {
        onRequest: auth.require('admin', 'account'),
        schema: {
          tags,
          summary: "An account's keys, without their secrets",
          params: IdParams,
          response: { 200: Type.Object({ keys: Type.Array(KeyDto) }), ...errorResponses },
        },
      },
      async (req) => ({ keys: (await accounts.listKeys(principalOf(req), req.params.id)).map(toKeyDto) }),
    );

    app.post(
      '/v1/keys',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: 'Create a platform-wide executor (fleet) or admin key (admin); shown once',
          body: CreatePlatformKeyBody,
          response: { 201: CreatedKeyDto, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { key, apiKey } = await accounts.createPlatformKey(actorOf(principalOf(req)), req.body.role, req.body.label ?? null);
        return reply.code(201).send({ ...toKeyDto(apiKey), key });
      },
    );

    app.get(
      '/v1/keys',
      {
        onRequest: auth.require('admin'),
        schema: {
          tags,
          summary: 'Platform-wide keys (admin)',
          response: { 200: Type.Object({ keys: Type.Array(KeyDto) }), ...errorResponses },
        },
      },
      async (req) => ({ keys: (await accounts.listKeys(principalOf(req), null)).map(toKeyDto) }),
    );

    app.delete(
      '/v1/keys/:id',
      {
        onRequest: auth.require('admin', 'account'),
        schema: {
          tags,
          summary: 'Revoke a key (admin, or a key of the same account)',
          params: IdParams,
          response: { 200: KeyDto, ...errorResponses },
        },
      },
      async (req) => toKeyDto(await accounts.revokeKey(principalOf(req), req.params.id)),
    );
  };
}
