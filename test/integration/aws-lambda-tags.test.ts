import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  type LambdaClient,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { bearer } from '../helpers/app.js';
import { b64, makeZip, useFunctionsApp } from '../helpers/functions.js';
import { lambdaTenant, createNodeFunction } from '../helpers/lambda.js';

const t = useFunctionsApp();
const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async (e) => e;' }]);

const tenantClient = () => lambdaTenant(t.app, t.base);
const create = (lambda: LambdaClient, name: string, Tags?: Record<string, string>) =>
  createNodeFunction(lambda, name, ZIP, Tags ? { Tags } : {});
const manyTags = (prefix: string, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));

// Infrastructure tools (Terraform, SAM, CDK) send Tags with CreateFunction and read them back with ListTags.
describe('Lambda tags on a function, through the AWS SDK', () => {
  it('keeps CreateFunction Tags, shows them in GetFunction and ListTags, adds, replaces and removes them', async () => {
    const { lambda } = await tenantClient();
    const created = await create(lambda, 'tagged', { team: 'billing', env: 'prod' });
    const Resource = created.FunctionArn!;
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'tagged' }))).Tags).toEqual({ team: 'billing', env: 'prod' });
    await lambda.send(new TagResourceCommand({ Resource, Tags: { env: 'staging', 'cost-center': '42' } }));
    expect((await lambda.send(new ListTagsCommand({ Resource }))).Tags).toEqual({ team: 'billing', env: 'staging', 'cost-center': '42' });
    await lambda.send(new UntagResourceCommand({ Resource, TagKeys: ['team', 'absent'] }));
    expect((await lambda.send(new ListTagsCommand({ Resource }))).Tags).toEqual({ env: 'staging', 'cost-center': '42' });
    // Deleting the function deletes its tags: a new function of the same name starts bare.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'tagged' }));
    const again = await create(lambda, 'tagged');
    expect((await lambda.send(new ListTagsCommand({ Resource: again.FunctionArn! }))).Tags).toEqual({});
  });

  it('refuses bad tags with InvalidParameterValueException, and a bad CreateFunction writes no function', async () => {
    const { lambda } = await tenantClient();
    const refused = await create(lambda, 'never', { 'aws:owner': 'x' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'never' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const f = await create(lambda, 'f');
    const Resource = f.FunctionArn!;
    const bad: Record<string, string>[] = [{ '': 'x' }, { ['k'.repeat(129)]: 'x' }, { k: 'v'.repeat(257) }, { 'bad\nkey': 'x' }];
    for (const Tags of bad) {
      await expect(lambda.send(new TagResourceCommand({ Resource, Tags }))).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
      });
    }
    // A version or alias ARN: tags are the function's.
    await expect(lambda.send(new TagResourceCommand({ Resource: `${Resource}:1`, Tags: { a: 'b' } }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    expect((await lambda.send(new ListTagsCommand({ Resource }))).Tags).toEqual({});
  });

  it('holds 50 tags a function, also when two requests add tags at once', async () => {
    const { lambda } = await tenantClient();
    const Resource = (await create(lambda, 'full', manyTags('a', 40))).FunctionArn!;
    await expect(lambda.send(new TagResourceCommand({ Resource, Tags: manyTags('b', 11) }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await lambda.send(new TagResourceCommand({ Resource, Tags: manyTags('a', 40) })); // replacing is not adding
    await lambda.send(new UntagResourceCommand({ Resource, TagKeys: Object.keys(manyTags('a', 40)) }));
    const both = await Promise.allSettled([
      lambda.send(new TagResourceCommand({ Resource, Tags: manyTags('c', 30) })),
      lambda.send(new TagResourceCommand({ Resource, Tags: manyTags('d', 30) })),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(Object.keys((await lambda.send(new ListTagsCommand({ Resource }))).Tags ?? {})).toHaveLength(30);
  });

  it("tags a function made through /v1, and cannot reach another account's function", async () => {
    const { tenant, lambda } = await tenantClient();
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/functions',
      headers: bearer(tenant.accountKey),
      payload: { name: 'native', runtime: 'nodejs', zipFile: b64(ZIP) },
    });
    expect(r.statusCode, r.body).toBe(201);
    const Resource = `arn:aws:lambda:us-east-1:${tenant.id}:function:native`;
    await lambda.send(new TagResourceCommand({ Resource, Tags: { made: 'v1' } }));
    expect((await lambda.send(new ListTagsCommand({ Resource }))).Tags).toEqual({ made: 'v1' });
    const other = await tenantClient();
    await expect(other.lambda.send(new ListTagsCommand({ Resource }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(other.lambda.send(new TagResourceCommand({ Resource, Tags: { x: 'y' } }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
