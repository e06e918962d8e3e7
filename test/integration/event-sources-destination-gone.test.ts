import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSources } from '../../src/jobs/event-sources.js';
import { newTenant } from '../helpers/app.js';
import { BROKERS, mappingRoutes, redisClient, type SeenInvocation, startSourcesJob, unique, watchInvocations } from '../helpers/brokers.js';
import { call, deploy, makeZip, until, useFunctionsApp } from '../helpers/functions.js';

/**
 * A mapping's failure destination is a function deleted since: a batch that used up its retries cannot be recorded
 * there. As an asynchronous invocation's destination does, it is skipped (the records dropped, and said so), rather
 * than the batch being left unacknowledged, run and billed again and again, and holding up the stream behind it.
 */
const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 } } });

const CODE = `exports.handler = async (event) => {
  for (const r of event.Records) if (JSON.parse(r.fields.body).poison) throw new Error('poison');
  return 'ok';
};`;
const zip = makeZip([{ name: 'index.js', data: CODE }]);

const seen: SeenInvocation[] = [];
const watched = watchInvocations(() => t.services.invoke, seen);
let job: EventSources;
let key: string;
beforeAll(async () => {
  job = startSourcesJob(
    t,
    watched(() => job.holder),
  );
  key = (await newTenant(t.app)).accountKey;
  await deploy(t.base, key, 'worker', zip, { handler: 'index.handler' });
  await deploy(t.base, key, 'dead-letters', zip, { handler: 'index.handler' });
});
afterAll(() => job?.stop());

const { create, get, enabled } = mappingRoutes(
  () => t.base,
  () => key,
);

describe('a failure destination function deleted since the mapping was made', () => {
  it('drops the failed batch once, says so, and the stream moves on', async () => {
    const stream = unique('gone');
    const redis = redisClient();
    try {
      const m = await create({
        functionName: 'worker',
        source: { type: 'redis', url: BROKERS.redis, stream },
        batchSize: 1,
        maximumRetryAttempts: 0,
        destinations: { onFailure: { type: 'function', function: 'dead-letters' } },
      });
      expect(m.status).toBe(201);
      await enabled(m.json.id);
      expect((await call(t.base, key, 'DELETE', '/v1/functions/dead-letters')).status).toBeLessThan(300);
      await redis.xadd(stream, '*', 'body', JSON.stringify({ n: 0, poison: true }));
      await until('the drop reported', async () =>
        /records dropped \(failure destination function dead-letters not found\)/.test((await get(m.json.id)).lastProcessingResult),
      );
      await redis.xadd(stream, '*', 'body', JSON.stringify({ n: 1 }));
      const ran = (n: number) => seen.filter((s) => s.fn === 'worker' && JSON.parse(s.event.Records[0].fields.body).n === n);
      await until('the entry after the poison one ran', async () => ran(1).length > 0, 15_000);
      // Two leases: a batch left unacknowledged would have been reclaimed and run again by now.
      await new Promise((r) => setTimeout(r, 3_500));
      expect(ran(0)).toHaveLength(1);
      expect(ran(1)).toHaveLength(1);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });
});
