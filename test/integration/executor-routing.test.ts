import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { createSecretBox } from '../../src/lib/secret-box.js';
import type { ExecutorsRepository } from '../../src/modules/executors/executors.repository.js';
import { createExecutorsService } from '../../src/modules/executors/executors.service.js';
import { admin, fleetKey, newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, NODE_ECHO, useFunctionsApp } from '../helpers/functions.js';
import { freePort } from '../../src/lib/free-port.js';

// Executors go stale after 1.5 s here, heartbeat every 300 ms, and the api re-reads the registry every 200 ms.
const t = useFunctionsApp({ executor: false, functions: { executors: { staleAfterMs: 1500, heartbeatIntervalMs: 300, refreshMs: 200 } } });
const servers: http.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** Registers an executor by hand (with a key of its own), with a huge capacity so that rendezvous routing prefers it. */
async function registerFake(url: string): Promise<string> {
  const id = randomUUID();
  const r = await call(t.base, await fleetKey(t.app), 'POST', '/v1/executors/register', {
    id,
    url,
    capacity: 100_000,
    token: randomUUID() + randomUUID(),
  });
  expect(r.status).toBe(200);
  return id;
}

const invoke = (key: string, name: string) => call(t.base, key, 'POST', `/v1/functions/${name}/invoke`, { ping: 1 });

describe('routing invocations to executors', () => {
  it('answers 503 while no executor is live', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'lonely', makeZip([{ name: 'index.js', data: NODE_ECHO }]));
    const r = await invoke(a.accountKey, 'lonely');
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('after a restart, waits for the executor this process is starting when every registered one refuses the connection', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'restarted', makeZip([{ name: 'index.js', data: NODE_ECHO }]));
    // The last run's executor, still registered, gone; this process's own is still building its sandbox.
    await registerFake(`http://127.0.0.1:${await freePort()}`);
    let started: () => void = () => {};
    t.services.executorClient.expectLocal(new Promise<void>((resolve) => (started = resolve)));
    const answer = invoke(a.accountKey, 'restarted');
    await new Promise((r) => setTimeout(r, 300));
    await t.startExecutor();
    started();
    const r = await answer;
    expect(r.status, r.text).toBe(200);
    expect(r.json.echo).toEqual({ ping: 1 });
  });

  it('skips an executor that refuses connections and keeps it out of rotation', async () => {
    await t.startExecutor();
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'reroute', makeZip([{ name: 'index.js', data: NODE_ECHO }]));
    await registerFake(`http://127.0.0.1:${await freePort()}`);
    for (let i = 0; i < 3; i++) {
      const r = await invoke(a.accountKey, 'reroute');
      expect(r.status, r.text).toBe(200);
      expect(r.json.echo).toEqual({ ping: 1 });
    }
  });

  it('stops sending work to an executor that stopped heartbeating', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'stale', makeZip([{ name: 'index.js', data: NODE_ECHO }]));
    let hits = 0;
    // It speaks only POST /invoke, as executors did before the invoke stream (the upgrade gets a 404).
    const fake = http.createServer((req, res) => {
      req.resume();
      if (req.method !== 'POST' || req.url !== '/invoke') {
        res.writeHead(404).end();
        return;
      }
      hits += 1;
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-tally-status': 'success', 'x-tally-billed-duration-ms': '1' });
        res.end('"from the fake executor"');
      });
    });
    servers.push(fake);
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    await registerFake(`http://127.0.0.1:${(fake.address() as { port: number }).port}`);
    // Fresh: the api prefers it (its capacity weighs it up).
    await expect
      .poll(async () => (await invoke(a.accountKey, 'stale')).json, { timeout: 2000, interval: 50 })
      .toBe('from the fake executor');
    // It never heartbeats: after 1.5 s the real executor takes every call.
    await expect.poll(async () => (await invoke(a.accountKey, 'stale')).json?.echo, { timeout: 5000, interval: 100 }).toEqual({ ping: 1 });
    const before = hits;
    for (let i = 0; i < 3; i++) expect((await invoke(a.accountKey, 'stale')).status).toBe(200);
    expect(hits).toBe(before);
  });

  it('lets an executor the api forgot register again on its next heartbeat', async () => {
    const executor = await t.startExecutor();
    const listed = async () =>
      (await call(t.base, admin.authorization.slice(7), 'GET', '/v1/executors')).json.executors.map((e: { id: string }) => e.id);
    expect(await listed()).toContain(executor.id);
    expect((await call(t.base, t.keyOf(executor.id), 'DELETE', `/v1/executors/${executor.id}`)).status).toBe(204);
    expect(await listed()).not.toContain(executor.id);
    await expect.poll(listed, { timeout: 3000, interval: 100 }).toContain(executor.id);
  });

  it('calls an executor that runs in the api process directly, without HTTP (npm start)', async () => {
    const a = await newTenant(t.app);
    await deploy(t.base, a.accountKey, 'inproc', makeZip([{ name: 'index.js', data: NODE_ECHO }]));
    // A huge capacity weighs it far above the other live executor in rendezvous routing.
    const executor = await t.startExecutor({ capacity: 100_000 });
    let calls = 0;
    t.services.executorClient.attachLocal(executor.id, (request) => {
      calls += 1;
      return executor.local(request);
    });
    const r = await call(t.base, a.accountKey, 'POST', '/v1/functions/inproc/invoke?log=tail', { local: true });
    expect(r.status, r.text).toBe(200);
    expect(r.json.echo).toEqual({ local: true });
    expect(r.headers.get('x-tally-log-result')).not.toBeNull();
    expect(calls).toBe(1);
  });

  /** The executors service over a stand-in registry, read again on every call. */
  const serviceOver = (repo: ExecutorsRepository) =>
    createExecutorsService({
      repo,
      log: silentLogger(),
      secretBox: createSecretBox(randomBytes(32)),
      accounts: {
        revokeKey: async () => {
          throw new Error('unused');
        },
      },
      options: { refreshMs: 0 },
    });

  it('keeps counting in-flight invocations on the same route across registry refreshes', async () => {
    const record = {
      id: randomUUID(),
      url: 'http://127.0.0.1:1',
      capacity: 2,
      token: 't',
      instances: 0,
      busy: 0,
      startedAt: new Date(),
      lastSeenAt: new Date(),
    };
    let reads = 0;
    const repo = {
      live: async () => {
        reads++;
        return [{ ...record }];
      },
    } as unknown as ExecutorsRepository;
    const service = serviceOver(repo);
    const [route] = await service.candidates('fn');
    route!.inFlight += 2; // two invocations running while the registry is read again
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 5));
      expect(await service.candidates('fn')).toEqual([route]);
    }
    expect(reads).toBeGreaterThan(1);
    route!.inFlight -= 2;
    expect((await service.candidates('fn'))[0]).toBe(route);
    expect(route!.inFlight).toBe(0);
  });

  it('takes an executor out of rotation with a log line that says why', async () => {
    const record = { id: randomUUID(), url: 'http://127.0.0.1:1', capacity: 2, token: 't', instances: 0, busy: 0 };
    const repo = { live: async () => [{ ...record, startedAt: new Date(), lastSeenAt: new Date() }] } as unknown as ExecutorsRepository;
    const lines: string[] = [];
    const service = createExecutorsService({
      repo,
      log: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }),
      secretBox: createSecretBox(randomBytes(32)),
      accounts: {
        revokeKey: async () => {
          throw new Error('unused');
        },
      },
      options: { refreshMs: 60_000 },
    });
    const [route] = await service.candidates('fn');
    service.markDown(route!, 'EADDRNOTAVAIL http://127.0.0.1:1');
    expect(await service.candidates('fn')).toEqual([]);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ executorId: record.id, url: record.url, reason: 'EADDRNOTAVAIL http://127.0.0.1:1' }),
    ]);
  });

  it('reads the registry afresh when asked, not from a read begun before an executor re-registered', async () => {
    const old = { id: randomUUID(), url: 'http://127.0.0.1:1', capacity: 2, token: 't', instances: 0, busy: 0 };
    let current = { ...old, startedAt: new Date(1000), lastSeenAt: new Date() };
    let release: () => void = () => undefined;
    const repo = {
      live: async () => {
        const seen = { ...current };
        // The first read is slow: an executor registers again while it is under way.
        if (seen.startedAt.getTime() === 1000) await new Promise<void>((resolve) => (release = resolve));
        return [seen];
      },
    } as unknown as ExecutorsRepository;
    const service = serviceOver(repo);
    const first = service.candidates('fn');
    await new Promise((r) => setTimeout(r, 5));
    current = { ...old, url: 'http://127.0.0.1:2', startedAt: new Date(2000), lastSeenAt: new Date() };
    const fresh = service.candidates('fn', { fresh: true });
    release();
    expect((await first)[0]!.url).toBe('http://127.0.0.1:1');
    expect((await fresh)[0]!.url).toBe('http://127.0.0.1:2');
  });

  it('refuses to start a second executor on a folder a running one holds (they would share a spool), and starts one there once it stopped', async () => {
    const dir = mkdtempSync(join(t.tmp, 'held-'));
    const first = await t.startExecutor({ dir });
    await expect(t.startExecutor({ dir })).rejects.toThrow(/in use by another running executor/);
    expect(first.stats().inFlight).toBe(0); // the first one is untouched
    await first.stop();
    const next = await t.startExecutor({ dir });
    expect(next.id).toBe(first.id); // the folder keeps the executor's id
    await next.stop();
  });
});
