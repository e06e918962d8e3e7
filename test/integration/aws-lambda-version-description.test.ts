import { GetFunctionConfigurationCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { makeZip, useFunctionsApp } from '../helpers/functions.js';
import { createNodeFunction, lambdaClientFor } from '../helpers/lambda.js';

const t = useFunctionsApp({ executor: false });
const zip = (n: number) => makeZip([{ name: 'index.js', data: `exports.handler = async () => ${n};` }]);

// PublishVersion's Description overrides the function's description for the version; without one the
// version keeps the function's, as Lambda's version is a snapshot of the configuration.
describe("a version published without a Description keeps the function's", () => {
  it('PublishVersion', async () => {
    const lambda = await lambdaClientFor(t.app, t.base, (await newTenant(t.app)).id);
    await createNodeFunction(lambda, 'd1', zip(0), { Description: 'the billing worker' });
    const v = await lambda.send(new PublishVersionCommand({ FunctionName: 'd1' }));
    expect(v.Description).toBe('the billing worker');
    const got = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'd1', Qualifier: v.Version }));
    expect(got.Description).toBe('the billing worker');
    // One given still wins.
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'd1', ZipFile: zip(1) }));
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'd1', Description: 'release 2' }));
    expect(v2.Description).toBe('release 2');
  });

  it('CreateFunction and UpdateFunctionCode with Publish', async () => {
    const lambda = await lambdaClientFor(t.app, t.base, (await newTenant(t.app)).id);
    const created = await createNodeFunction(lambda, 'd2', zip(0), { Description: 'the mailer', Publish: true });
    expect([created.Version, created.Description]).toEqual(['1', 'the mailer']);
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'd2', ZipFile: zip(1), Publish: true }));
    expect(updated.Description).toBe('the mailer');
    const got = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'd2', Qualifier: updated.Version }));
    expect(got.Description).toBe('the mailer');
  });
});
