/** GET /v1/invoices prices the same drafts as GET /v1/invoices/:id, and counts as an expensive call too (found by a review on 2026-12-07). */
import { describe, expect, it } from 'vitest';
import { bearer, newTenant } from '../helpers/app.js';
import { useReplicas } from '../helpers/replicas.js';

const t = useReplicas(1, { rateLimits: { expensive: 2, windowMs: 60_000 } });

describe('invoice drafts are computed on read: each read counts against the expensive-route limit', () => {
  it('GET /v1/invoices (which prices a draft) is limited like GET /v1/invoices/:id', async () => {
    const app = t.replicas[0]!.app;
    const tenant = await newTenant(app);
    const one = (url: string) => app.inject({ method: 'GET', url, headers: bearer(tenant.accountKey), remoteAddress: '192.0.2.9' });
    // The list prices the month's drafts as a single invoice's read does, and counts as one.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await one('/v1/invoices')).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
  });
});
