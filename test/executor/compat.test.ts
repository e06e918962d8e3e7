import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FunctionInstance } from '../../executor/runtime/instance.js';
import type { FunctionSpec } from '../../executor/runtime/types.js';
import { copyFixtures, event, json, makeSpec, silentLog, useSandbox } from './helpers.js';

/** What worked before the sandbox keeps working inside it. */
const fixtures = copyFixtures();
const sandbox = useSandbox();
const live: FunctionInstance[] = [];

function instance(dir: string, overrides: Partial<FunctionSpec>): FunctionInstance {
  const created = new FunctionInstance(makeSpec(fixtures.dir(dir), overrides), {
    log: silentLog,
    isolation: sandbox.isolation,
    pythonPath: sandbox.pythonPath,
  });
  live.push(created);
  return created;
}

/** Copies packages and everything they depend on from this repository's node_modules into a function's. */
function vendor(into: string, names: string[]): void {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const from = path.join('node_modules', name);
    if (!existsSync(from)) throw new Error(`${name} is not installed (npm ci)`);
    cpSync(from, path.join(into, 'node_modules', name), { recursive: true, dereference: true });
    const manifest = JSON.parse(readFileSync(path.join(from, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep);
  };
  for (const name of names) visit(name);
}

afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.dispose()));
});
afterAll(() => fixtures.remove());

describe('inside the sandbox', () => {
  it('loads a native addon shipped with the code', async () => {
    const dir = fixtures.dir('native-addon');
    mkdirSync(path.join(dir, 'build'));
    execFileSync('g++', [
      '-shared',
      '-fPIC',
      '-O1',
      '-I/usr/include/node',
      '-o',
      path.join(dir, 'build', 'addon.node'),
      path.join(dir, 'addon.cc'),
    ]);
    const result = await instance('native-addon', {}).invoke(event({ a: 2, b: 40 }), { requestId: 'addon-1' });
    expect(result.status, result.payload.toString()).toBe('success');
    expect(json(result.payload)).toEqual({ sum: 42 });
  });

  it('runs a provided bootstrap that starts the system node, speaking the Runtime API over TCP', async () => {
    const fn = instance('provided-node', { runtime: 'provided', handler: 'none' });
    const first = await fn.invoke(event({ n: 1 }), { requestId: 'pn-1' });
    expect(first.status, first.log).toBe('success');
    expect(json(first.payload)).toEqual({ via: 'system node', event: { n: 1 }, api: '127.0.0.1:9001' });
    const warm = await fn.invoke(event({ n: 2 }), { requestId: 'pn-2' });
    expect(json(warm.payload).event).toEqual({ n: 2 });
  });

  it('runs a handler built with Middy and Powertools from the node_modules in its code', async () => {
    vendor(fixtures.dir('node-middy'), ['@middy/core', '@aws-lambda-powertools/logger']);
    const result = await instance('node-middy', {}).invoke(event({ n: 41 }), { requestId: 'middy-1' });
    expect(result.status, result.log).toBe('success');
    expect(json(result.payload)).toEqual({ n: 42, via: 'middy', requestId: 'middy-1' });
    const line = result.log.split('\n').find((l) => l.includes('"service":"tally-compat"'));
    expect(line, result.log).toBeDefined();
    expect(JSON.parse(line!.slice(line!.indexOf('{')))).toMatchObject({ level: 'INFO', message: 'handled', n: 42 });
  });

  it("runs AWS's runtime interface client (aws-lambda-ric, with its native client) unchanged", async () => {
    // Its own code only: its dependencies are build tools (node-gyp) it does not load at run time.
    cpSync(path.join('node_modules', 'aws-lambda-ric'), path.join(fixtures.dir('provided-ric'), 'node_modules', 'aws-lambda-ric'), {
      recursive: true,
    });
    const fn = instance('provided-ric', { runtime: 'provided', handler: 'index.handler' });
    const cold = await fn.invoke(event({ n: 1 }), { requestId: 'ric-1' });
    expect(cold.status, cold.log).toBe('success');
    expect(json(cold.payload)).toEqual({ via: 'aws-lambda-ric', event: { n: 1 }, requestId: 'ric-1' });
    const warm = await fn.invoke(event({ n: 2 }), { requestId: 'ric-2' });
    expect(warm.initDurationMs).toBeUndefined();
    expect(json(warm.payload).event).toEqual({ n: 2 });
  });

  it('runs a provided bootstrap that starts the system python3', async () => {
    const result = await instance('provided-python', { runtime: 'provided', handler: 'none' }).invoke(event({ n: 3 }), {
      requestId: 'pp-1',
    });
    expect(result.status, result.log).toBe('success');
    expect(json(result.payload)).toEqual({ via: 'system python3', event: { n: 3 } });
  });
});
