import { type CreateFunctionCommandInput, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { admin, newTenant } from './app.js';

/** An AWS SDK Lambda client signing for the account, with an access key made for it; the SDK retries nothing. */
export async function lambdaClientFor(app: App, base: string, accountId: string): Promise<LambdaClient> {
  const r = await app.inject({ method: 'POST', url: `/v1/accounts/${accountId}/access-keys`, headers: admin });
  expect(r.statusCode, r.body).toBe(201);
  const credentials = r.json() as { accessKeyId: string; secretAccessKey: string };
  return new LambdaClient({ endpoint: base, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/** CreateFunction of a Node.js function from `zip` (handler index.handler), with `more` of CreateFunction's input. */
export const createNodeFunction = (lambda: LambdaClient, name: string, zip: Uint8Array, more: Partial<CreateFunctionCommandInput> = {}) =>
  lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::123456789012:role/r',
      Handler: 'index.handler',
      Code: { ZipFile: zip },
      ...more,
    }),
  );

/** A new account and an AWS SDK Lambda client signing for it. */
export async function lambdaTenant(app: App, base: string) {
  const tenant = await newTenant(app);
  return { tenant, lambda: await lambdaClientFor(app, base, tenant.id) };
}
