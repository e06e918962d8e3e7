import { describe, expect, it } from 'vitest';
import { bearer, newTenant } from '../helpers/app.js';
import { injectDeploy, useFunctionsApp } from '../helpers/functions.js';

// The invoke path's caches are read again before they expire while calls keep coming, so no call of
// steady traffic waits for the database (src/lib/fresh-cache.ts). A short life makes three of them fit
// in the test: configurations and the account's concurrency figures live 1.2 s here (2 s by default), and are
// read again in the last 300 ms of that.
const TTL_MS = 1_200;
const t = useFunctionsApp({ functions: { cacheTtlMs: TTL_MS } });

async function reads(cache: string, read: 'waited' | 'ahead'): Promise<number> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`tally_cache_reads_total{cache="${cache}",read="${read}"} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the invoke path under steady traffic', () => {
  it('waits for the database only on the first call and after an idle spell longer than an entry lives', async () => {
    const tenant = await newTenant(t.app);
    await injectDeploy(t.app, tenant.accountKey, 'steady');
    const invoke = async () => {
      const r = await t.app.inject({ method: 'POST', url: '/v1/functions/steady/invoke', headers: bearer(tenant.accountKey), payload: {} });
      expect(r.statusCode, r.body).toBe(200);
    };
    // The cold start out of the way, and every entry it left expired: the loop's first call waits, as a first call does.
    await invoke();
    await sleep(TTL_MS + 100);
    const waited0 = { functions: await reads('functions', 'waited'), concurrency: await reads('concurrency', 'waited') };
    const ahead0 = await reads('functions', 'ahead');

    // A call every 20 ms or so for 4 s: more than three lives of an entry.
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      await invoke();
      await sleep(20);
    }
    expect(await reads('functions', 'waited')).toBe(waited0.functions + 1);
    expect(await reads('concurrency', 'waited')).toBe(waited0.concurrency + 1);
    expect(await reads('functions', 'ahead')).toBeGreaterThanOrEqual(ahead0 + 3);

    // Idle for longer than an entry lives: the next call must not be answered from it, and waits for a read.
    await sleep(TTL_MS + 100);
    await invoke();
    expect(await reads('functions', 'waited')).toBe(waited0.functions + 2);
  });
});
