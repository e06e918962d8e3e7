import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTallyClient, isApiError } from '../../src/client/index.js';
import { CLIENT_SCHEMA, generateContract, OPENAPI_JSON } from '../../scripts/openapi-contract.js';
import { OPERATIONS } from '../../src/openapi/operations.js';
import { newTenant } from '../helpers/app.js';
import { useFunctionsApp } from '../helpers/functions.js';

const run = promisify(execFile);
const t = useFunctionsApp({ executor: false });
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

describe('the API document is the clients contract', () => {
  it('is committed as generated: openapi.json and the client types match the routes (else: npm run openapi)', async () => {
    const { document, types } = await generateContract();
    expect(readFileSync(OPENAPI_JSON, 'utf8'), `${OPENAPI_JSON} is stale: run npm run openapi`).toBe(document);
    expect(readFileSync(CLIENT_SCHEMA, 'utf8'), `${CLIENT_SCHEMA} is stale: run npm run openapi`).toBe(types);
  });

  it('is what the api serves at /docs/json', async () => {
    const served = await (await fetch(`${t.base}/docs/json`)).json();
    expect(served).toEqual(JSON.parse(readFileSync(OPENAPI_JSON, 'utf8')));
  });

  it('names every operation once, from the table, and gives every 4xx answer the error shape with an example', () => {
    const doc = JSON.parse(readFileSync(OPENAPI_JSON, 'utf8'));
    const ids: string[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const op = item[method];
        const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        // Both missing would compare equal: a route without an entry has no operationId at all.
        expect(OPERATIONS[key], `${key} has no entry in src/openapi/operations.ts`).toBeDefined();
        expect(OPERATIONS[key]?.operationId, `${key}: its operationId is not the table's`).toBe(op.operationId);
        ids.push(op.operationId);
        for (const [status, response] of Object.entries<any>(op.responses)) {
          if (!status.startsWith('4')) continue;
          const json = response.content['application/json'];
          expect(json.schema.$ref, `${key} ${status}`).toBe('#/components/schemas/ErrorBody');
          expect(json.example.error.code, `${key} ${status}`).toMatch(/^[A-Z_]+$/);
        }
      }
    }
    expect(ids.length).toBeGreaterThan(60);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.servers[0].url).toBe('http://127.0.0.1:3000');
  });

  it('passes redocly lint with the repository configuration (redocly.yaml)', async () => {
    const r = await run(process.execPath, ['node_modules/@redocly/cli/bin/cli.js', 'lint', OPENAPI_JSON, '--format=summary'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((err: { stdout: string; stderr: string; code: number }) => err);
    const output = `${r.stdout}${r.stderr}`;
    expect(output, output).toContain('Woohoo! Your API description is valid');
    expect(output).not.toMatch(/^(error|warning)\s/m);
  }, 120_000);

  it('the typed client calls the api, and an error answer comes back typed', async () => {
    const tenant = await newTenant(t.app);
    const client = createTallyClient({ baseUrl: `${t.base}/`, key: tenant.accountKey });
    const list = await client.GET('/v1/functions', { params: { query: { limit: 10 } } });
    expect(list.error).toBeUndefined();
    expect(list.data?.functions).toEqual([]);
    const missing = await client.GET('/v1/functions/{name}', { params: { path: { name: 'nope' } } });
    expect(missing.response.status).toBe(404);
    expect(isApiError(missing.error)).toBe(true);
    expect(missing.error?.error.code).toBe('FUNCTION_NOT_FOUND');
    const anonymous = await createTallyClient({ baseUrl: t.base }).GET('/v1/functions', { params: { query: {} } });
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.error?.error.code).toBe('UNAUTHENTICATED');
  });
});
