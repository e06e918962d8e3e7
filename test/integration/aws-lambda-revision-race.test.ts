import {
  GetFunctionConfigurationCommand,
  type LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { makeZip, useFunctionsApp } from '../helpers/functions.js';
import { createNodeFunction, lambdaClientFor } from '../helpers/lambda.js';

const t = useFunctionsApp({ executor: false });
const zip = (n: number) => makeZip([{ name: 'index.js', data: `exports.handler = async () => ${n};` }]);

async function client(): Promise<LambdaClient> {
  return lambdaClientFor(t.app, t.base, (await newTenant(t.app)).id);
}

/** Runs every call at once; answers how many succeeded and the error names of the others. */
async function race(calls: (() => Promise<unknown>)[]) {
  const settled = await Promise.allSettled(calls.map((c) => c()));
  return {
    ok: settled.filter((s) => s.status === 'fulfilled').length,
    errors: settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).name] : [])),
  };
}

// RevisionId is Lambda's optimistic lock: of several updates naming the same revision, one wins and
// the others are refused, so a client never overwrites a change it did not see.
describe('RevisionId holds against concurrent updates', () => {
  it('UpdateFunctionConfiguration: of five calls with the same RevisionId, one succeeds, four get PreconditionFailed', async () => {
    const lambda = await client();
    const created = await createNodeFunction(lambda, 'cfg', zip(0));
    const r = await race(
      [1, 2, 3, 4, 5].map(
        (i) => () =>
          lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'cfg', MemorySize: 128 + i, RevisionId: created.RevisionId })),
      ),
    );
    expect(r).toEqual({ ok: 1, errors: Array(4).fill('PreconditionFailedException') });
  });

  it('UpdateFunctionCode: of five calls with the same RevisionId, one succeeds, four get PreconditionFailed', async () => {
    const lambda = await client();
    const created = await createNodeFunction(lambda, 'code', zip(0));
    const r = await race(
      [1, 2, 3, 4, 5].map(
        (i) => () => lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code', ZipFile: zip(i), RevisionId: created.RevisionId })),
      ),
    );
    expect(r).toEqual({ ok: 1, errors: Array(4).fill('PreconditionFailedException') });
  });

  it('PublishVersion with a RevisionId publishes that revision or is refused, never a later one', async () => {
    const lambda = await client();
    await createNodeFunction(lambda, 'pub', zip(0));
    for (let round = 0; round < 5; round++) {
      const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'pub' }));
      const [published] = await Promise.allSettled([
        lambda.send(new PublishVersionCommand({ FunctionName: 'pub', RevisionId: before.RevisionId })),
        lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'pub', MemorySize: 200 + round })),
      ]);
      if (published.status === 'fulfilled') {
        expect(published.value.RevisionId).toBe(before.RevisionId);
        expect(published.value.MemorySize).toBe(before.MemorySize);
      } else expect((published.reason as Error).name).toBe('PreconditionFailedException');
    }
  });
});
