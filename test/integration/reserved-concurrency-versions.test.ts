import { beforeEach, describe, expect, it } from 'vitest';
import { bearer, newTenant } from '../helpers/app.js';
import { injectDeploy } from '../helpers/functions.js';
import { useHoldingExecutor } from '../helpers/holding-executor.js';
import { useReplicas } from '../helpers/replicas.js';

// Found by a review on 2026-12-07: reserved concurrency was read from the version called.
// One api replica, account limit 2, and a fake executor that holds every invocation until released
// (as in replicas-concurrency.test.ts), so that "admitted" and "refused" are both observable.
const t = useReplicas(1, {
  functions: { accountConcurrency: 2, executors: { refreshMs: 100 } },
  concurrency: { renewMs: 100, leaseTtlMs: 3_000 },
});
const app = () => t.replicas[0]!.app;

const { held, releaseAll } = useHoldingExecutor(app);

const deploy = (key: string, name: string, settings: Record<string, unknown> = {}) => injectDeploy(app(), key, name, settings);

const invoke = (key: string, name: string, query = '') =>
  app().inject({ method: 'POST', url: `/v1/functions/${name}/invoke${query}`, headers: bearer(key), payload: {} });

/** Admitted (held by the executor) or refused right away: 'held' or the status code. */
async function outcome(p: ReturnType<typeof invoke>): Promise<'held' | number> {
  const raced = await Promise.race([p, new Promise((resolve) => setTimeout(resolve, 500, null))]);
  return raced === null ? 'held' : (raced as { statusCode: number }).statusCode;
}

describe('reserved concurrency', () => {
  beforeEach(() => expect(held).toHaveLength(0));

  it('throttling a function (reservedConcurrency 0) also throttles calls to its earlier versions, as Lambda does', async () => {
    const tenant = await newTenant(app());
    await deploy(tenant.accountKey, 'f'); // version 1: no reservation
    const patch = await app().inject({
      method: 'PATCH',
      url: '/v1/functions/f/configuration',
      headers: bearer(tenant.accountKey),
      payload: { reservedConcurrency: 0 },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect((await invoke(tenant.accountKey, 'f')).statusCode).toBe(429); // $LATEST: throttled
    // Lambda: reserved concurrency is the function's, not a version's: version 1 is throttled too.
    const old = invoke(tenant.accountKey, 'f', '?version=1');
    const result = await outcome(old);
    releaseAll();
    await old;
    expect(result).toBe(429);
  });
});
