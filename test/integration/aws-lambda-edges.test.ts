import {
  CreateAliasCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { type KyselyPlugin, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ADMIN_KEY, newTenant } from '../helpers/app.js';
import { makeZip, useFunctionsApp } from '../helpers/functions.js';
import { lambdaClientFor, createNodeFunction } from '../helpers/lambda.js';

const t = useFunctionsApp();
const ZIP = makeZip([{ name: 'index.js', data: 'exports.handler = async (e) => e;' }]);

async function tenantClient(app: App = t.app, base = t.base, accountId?: string) {
  return lambdaClientFor(app, base, accountId ?? (await newTenant(app)).id);
}
const create = (lambda: LambdaClient, name: string) => createNodeFunction(lambda, name, ZIP, { Description: 'function description' });

// Found by a review on 2026-12-07, each with the AWS SDK.
describe('Lambda API answers as AWS does', () => {
  it('DeleteFunction with Qualifier $LATEST is refused (AWS), and does not delete the whole function', async () => {
    const lambda = await tenantClient();
    await create(lambda, 'keep-me');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'keep-me' }));
    const err = await lambda.send(new DeleteFunctionCommand({ FunctionName: 'keep-me', Qualifier: '$LATEST' })).catch((e: unknown) => e);
    // Whatever Tally answers, the function, its versions and aliases must survive.
    const still = await lambda.send(new GetFunctionCommand({ FunctionName: 'keep-me' })).catch((e: unknown) => e);
    expect(still).not.toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'InvalidParameterValueException' });
  });

  it("GetFunctionConfiguration of a published version shows that version's Description, as ListVersionsByFunction does", async () => {
    const lambda = await tenantClient();
    await create(lambda, 'desc');
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'desc', Description: 'release one' }));
    expect(v1.Description).toBe('release one');
    const listed = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'desc' }));
    expect(listed.Versions?.find((v) => v.Version === '1')?.Description).toBe('release one');
    const got = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'desc', Qualifier: '1' }));
    expect(got.Description).toBe('release one');
    const full = await lambda.send(new GetFunctionCommand({ FunctionName: 'desc:1' }));
    expect(full.Configuration?.Description).toBe('release one');
  });

  it('ListAliases with a FunctionVersion that is not a version is a 400, not a 500', async () => {
    const lambda = await tenantClient();
    await create(lambda, 'al');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'al', Name: 'edge', FunctionVersion: '$LATEST' }));
    const err = await lambda.send(new ListAliasesCommand({ FunctionName: 'al', FunctionVersion: 'abc' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('UpdateFunctionConfiguration of Description alone changes RevisionId, so a stale RevisionId is refused', async () => {
    const lambda = await tenantClient();
    const created = await create(lambda, 'rev');
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'rev', Description: 'changed' }));
    expect(updated.Description).toBe('changed');
    expect(updated.RevisionId).not.toBe(created.RevisionId);
  });

  it('ListVersionsByFunction pages in SQL: $LATEST first, then published versions after the Marker, reading a page and not every version', async () => {
    // A second api on the same database whose every query result is counted (rows handed to the api).
    const read = { rows: 0 };
    const counting: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        read.rows += args.result.rows.length;
        return args.result;
      },
    };
    const counted = await buildApp({ db: t.db.db.withPlugin(counting), clock: systemClock, logger: silentLogger(), adminKey: ADMIN_KEY });
    try {
      await counted.listen({ port: 0, host: '127.0.0.1' });
      const a = await newTenant(t.app);
      // Access keys are sealed with the api's own key: this api makes its own.
      const lambda = await tenantClient(counted, `http://127.0.0.1:${(counted.server.address() as { port: number }).port}`, a.id);
      await create(lambda, 'many');
      await lambda.send(new PublishVersionCommand({ FunctionName: 'many', Description: 'first' }));
      // 2,000 more versions (as 2,000 updates would make), every even one published.
      await sql`
        with f as (select id from functions where account_id = ${a.id} and name = 'many'),
        made as (
          insert into function_versions
          select (jsonb_populate_record(v, jsonb_build_object('version', g))).*
          from function_versions v, f, generate_series(2, 2001) g
          where v.account_id = ${a.id} and v.function_id = f.id and v.version = 1
          returning account_id, function_id, version)
        insert into function_published_versions (account_id, function_id, version, description, published_at)
        select account_id, function_id, version, 'v' || version, now() from made where version % 2 = 0`.execute(t.db.db);
      await sql`update functions set latest_version = 2001 where account_id = ${a.id} and name = 'many'`.execute(t.db.db);

      const list = (input: { Marker?: string; MaxItems?: number }) =>
        lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'many', ...input }));
      read.rows = 0;
      const first = await list({ MaxItems: 3 });
      expect(read.rows, 'rows read for a page of 3').toBeLessThan(50);
      expect(first.Versions?.map((v) => [v.Version, v.Description])).toEqual([
        ['$LATEST', 'function description'],
        ['1', 'first'],
        ['2', 'v2'],
      ]);
      expect(first.NextMarker).toBe('2');
      const second = await list({ Marker: first.NextMarker, MaxItems: 3 });
      expect(second.Versions?.map((v) => v.Version)).toEqual(['4', '6', '8']);
      expect(second.Versions?.[0]?.FunctionArn).toMatch(/:function:many:4$/);
      expect(second.NextMarker).toBe('8');
      // A page that ends at $LATEST goes on with version 1; the last page has no NextMarker.
      const latestOnly = await list({ MaxItems: 1 });
      expect([latestOnly.Versions?.map((v) => v.Version), latestOnly.NextMarker]).toEqual([['$LATEST'], '$LATEST']);
      expect((await list({ Marker: '$LATEST', MaxItems: 2 })).Versions?.map((v) => v.Version)).toEqual(['1', '2']);
      const last = await list({ Marker: '1996' });
      expect([last.Versions?.map((v) => v.Version), last.NextMarker]).toEqual([['1998', '2000'], undefined]);
      // Every version once, in order, page by page.
      const all: string[] = [];
      let marker: string | undefined;
      do {
        const page = await list({ MaxItems: 400, ...(marker ? { Marker: marker } : {}) });
        all.push(...(page.Versions ?? []).map((v) => v.Version!));
        marker = page.NextMarker;
      } while (marker);
      expect(all).toEqual(['$LATEST', '1', ...Array.from({ length: 1000 }, (_, i) => String(2 * (i + 1)))]);
      // A marker this API never gave is refused, not read as "from the start".
      await expect(list({ Marker: 'abc' })).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    } finally {
      await counted.close();
    }
  }, 60_000);
});
