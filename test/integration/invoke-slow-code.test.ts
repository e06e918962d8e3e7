import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/app.js';
import { call, deploy, makeZip, usageTotals, useFunctionsApp } from '../helpers/functions.js';

/**
 * Found by review: the api waited for an invocation's answer for the function's timeout plus 15 s (its
 * init, 10 s at most, and the trip), but a cold start first gets the function's code, which the
 * executor allows 120 s (an image's blobs 600 s each). When the code came slowly the api answered
 * 502 EXECUTOR_FAILED, and the executor, still waiting for the code, went on to run the invocation
 * and bill it: a call its caller was told had failed, billed (and run twice if the caller retried).
 */
const t = useFunctionsApp({ executor: false });
const CODE_DELAY_MS = 20_000;

/** A TCP proxy to the api that holds each request for function code (GET /v1/code/...) for CODE_DELAY_MS. */
async function slowCodeProxy(target: string) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      if (!chunk.subarray(0, 32).toString('latin1').startsWith('GET /v1/code/')) return void upstream.write(chunk);
      client.pause();
      setTimeout(() => {
        upstream.write(chunk);
        client.resume();
      }, CODE_DELAY_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Invokes a new function (1 s timeout) on a cold executor that gets code through `relay`; its answer, and what was billed. */
async function coldCall(name: string) {
  const a = await newTenant(t.app);
  await deploy(t.base, a.accountKey, name, makeZip([{ name: 'index.js', data: 'exports.handler = async () => "ran";' }]), { timeoutS: 1 });
  const sent = Date.now();
  const r = await call(t.base, a.accountKey, 'POST', `/v1/functions/${name}/invoke`, {});
  // Once the code has come, let the executor finish whatever it was still doing, and report it.
  await new Promise((resolve) => setTimeout(resolve, sent + CODE_DELAY_MS + 3_000 - Date.now()));
  return { status: r.status, text: r.text, billed: (await usageTotals(t.base, a.accountKey, name)).requests };
}

describe('a cold start whose code is slow to come', () => {
  it('is answered when the code comes within a minute (the api waits for it)', async () => {
    const relay = await slowCodeProxy(t.base);
    try {
      const e = await t.startExecutor({ apiUrl: relay.url });
      const r = await coldCall('slowcode');
      expect({ status: r.status, billed: r.billed }, r.text).toEqual({ status: 200, billed: 1 });
      await e.stop();
    } finally {
      relay.close();
    }
  }, 90_000);

  it('past the time the api waits for it, runs nothing and bills nothing', async () => {
    const relay = await slowCodeProxy(t.base);
    try {
      const e = await t.startExecutor({ apiUrl: relay.url, prepareLimitMs: 5_000 });
      const r = await coldCall('slowercode');
      expect({ status: r.status, billed: r.billed }, r.text).toEqual({ status: 502, billed: 0 });
      expect(JSON.parse(r.text).error.message).toMatch(/status 502/);
      // Its sandbox was given back: no instance left behind.
      expect(e.stats().instances).toBe(0);
      await e.stop();
    } finally {
      relay.close();
    }
  }, 90_000);
});
