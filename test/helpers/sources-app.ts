import { afterAll, beforeAll } from 'vitest';
import type { EventSources } from '../../src/jobs/event-sources.js';
import { newTenant } from './app.js';
import { mappingRoutes, type SeenInvocation, startSourcesJob, watchInvocations } from './brokers.js';
import { deploy, makeZip, useFunctionsApp } from './functions.js';

/**
 * A test file's app with the event sources job running, and one tenant with one Node.js function (`name`, its
 * `index.handler` being `handler`): the invocations the job makes land in `seen`; `routes` are the tenant's
 * mapping routes.
 */
export function useSourcesTenant(fn: { name: string; handler: string }) {
  const t = useFunctionsApp({ deps: { events: { retryBaseMs: 50, leaseMs: 3_000 } } });
  const seen: SeenInvocation[] = [];
  const watched = watchInvocations(() => t.services.invoke, seen);
  let job: EventSources;
  let key = '';
  beforeAll(async () => {
    job = startSourcesJob(
      t,
      watched(() => job.holder),
    );
    key = (await newTenant(t.app)).accountKey;
    await deploy(t.base, key, fn.name, makeZip([{ name: 'index.js', data: `exports.handler = ${fn.handler};` }]), {
      handler: 'index.handler',
    });
  });
  afterAll(() => job?.stop());
  return {
    t,
    seen,
    routes: mappingRoutes(
      () => t.base,
      () => key,
    ),
  };
}
