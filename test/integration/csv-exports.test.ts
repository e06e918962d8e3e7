import { describe, expect, it } from 'vitest';
import { bearer, newTenant, postUsage, usageEvent, useTestApp } from '../helpers/app.js';

const t = useTestApp();

describe('CSV exports', () => {
  it('do not hand a spreadsheet a formula planted in a function id', async () => {
    t.clock.set('2026-11-15T12:00:00.000Z');
    const a = await newTenant(t.app);
    const planted = ['=1+2', '+1+2', '-2+3', '@cmd', '=-1'];
    const events = planted.map((functionId) => usageEvent(a.id, { functionId, startedAt: '2026-11-10T10:00:00Z' }));
    expect((await postUsage(t.app, a.executorKey, events)).json()).toMatchObject({ accepted: 5 });
    const r = await t.app.inject({
      method: 'GET',
      url: '/v1/usage?from=2026-11-10T00:00:00Z&to=2026-11-11T00:00:00Z&granularity=day&groupBy=function',
      headers: { ...bearer(a.accountKey), accept: 'text/csv' },
    });
    expect(r.statusCode).toBe(200);
    const functionIds = r.body
      .split('\r\n')
      .slice(1, -1)
      .map((row) => row.split(',')[1]);
    expect(functionIds.sort()).toEqual(planted.map((f) => `'${f}`).sort());
  });
});
