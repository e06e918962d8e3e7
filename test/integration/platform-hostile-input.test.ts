import { describe, expect, it } from 'vitest';
import { admin, bearer, fleetExecutor, useTestApp } from '../helpers/app.js';

// Numbers past what their columns hold, sent to the audit log's pages and to an executor's heartbeat: a 400 naming
// the field, never the database's "out of range" as a 500 (found by review on 2026-12-08).
const t = useTestApp();

describe('numbers past their columns', () => {
  it('GET /v1/audit with a beforeId past a bigint is a 400', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/v1/audit?beforeId=99999999999999999999', headers: admin });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('VALIDATION_FAILED');
    // The largest id there can be still pages.
    const ok = await t.app.inject({ method: 'GET', url: '/v1/audit?beforeId=9223372036854775807', headers: admin });
    expect(ok.statusCode).toBe(200);
  });

  it("an executor's heartbeat with counts past an integer is a 400", async () => {
    const { key, executorId } = await fleetExecutor(t.app, t.db.db, t.services.secretBox);
    const beat = (body: Record<string, number>) =>
      t.app.inject({ method: 'POST', url: `/v1/executors/${executorId}/heartbeat`, headers: bearer(key), payload: body });
    expect((await beat({ instances: 1, busy: 0 })).statusCode).toBe(204);
    const r = await beat({ instances: 2 ** 31, busy: 0 });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('VALIDATION_FAILED');
    expect((await beat({ instances: 0, busy: 2 ** 40 })).statusCode).toBe(400);
  });
});
