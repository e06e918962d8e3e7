import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { ADMIN_KEY } from '../helpers/app.js';
import { createBudget, burn, payingTenant } from '../helpers/budgets.js';
import { removeTestDir } from '../helpers/cleanup.js';
import { createTestDatabase, holdLock, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/pg-cluster.js';
import { startReplica } from '../helpers/replicas.js';

/**
 * A replica started with the wrong TALLY_SECRET_KEY is refused, and writes nothing to tenants' data
 * first. Found by a review on 2026-12-07: src/server.ts started the workers (alert delivery, the async
 * worker and its destination deliveries, event sources, the scheduler, the finalizer) right after
 * buildApp, before app.listen() ran the check that every sealed value opens; such a replica recorded
 * failed alert deliveries before its start was refused. The lock below stands in for a slow check.
 */
const [A, B] = [randomBytes(32), randomBytes(32)];

describe('a start with the wrong TALLY_SECRET_KEY', () => {
  let db: TestDatabase;
  let tmp: string;
  let alertId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    tmp = mkdtempSync(join(tmpdir(), 'tally-review-wrongkey-'));
    // Under key A: a budget with a webhook, crossed, its alert due for delivery.
    const r = await startReplica(db.db, { secretBox: createSecretBox(A), webhooks: { allowPrivate: true } });
    try {
      const t = await payingTenant(r.app);
      await createBudget(r.app, t.accountKey, { amount: '1.00', thresholds: [50], webhookUrl: 'http://127.0.0.1:9/hook' });
      await burn(r.app, t, 6, { at: new Date(Date.now() - 60_000) });
      await r.services.budgets.evaluate([t.id], 'schedule');
    } finally {
      await r.app.close();
    }
    const { rows } = await sql<{ alert_id: string }>`select alert_id from budget_alert_outbox where status = 'pending'`.execute(db.owner);
    expect(rows).toHaveLength(1);
    alertId = rows[0]!.alert_id;
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
    if (tmp) await removeTestDir(tmp);
  });

  it('is refused, and writes nothing meanwhile (no delivery attempt made with a key that opens nothing)', async () => {
    // The key check's first page (access_keys) waits: as a pass over a big deployment takes a while.
    const lock = await holdLock(db.ownerUrl, 'lock table access_keys in access exclusive mode');
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DATABASE_URL: db.ownerUrl,
        TALLY_APP_DATABASE_URL: db.url,
        TALLY_ADMIN_KEY: ADMIN_KEY,
        TALLY_EXECUTOR: 'off',
        TALLY_DATA_DIR: tmp,
        TALLY_SECRET_KEY: B.toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    try {
      // The api is started from its source (tsx) first: on a loaded machine that alone took over 10 s.
      await lock.waitFor(1, 45_000);
      // A couple of seconds into the key check (the alert worker polls every second).
      await new Promise((r) => setTimeout(r, 2_500));
    } finally {
      await lock.release();
    }
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 60_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
    expect(code, out).not.toBe(0);
    expect(out).toMatch(/open with neither TALLY_SECRET_KEY nor TALLY_SECRET_KEY_PREVIOUS|does not open/);

    const attempts = await sql<{ error: string | null }>`select error from budget_alert_attempts where alert_id = ${alertId}`.execute(
      db.owner,
    );
    const outbox = await sql<{ attempts: number; last_error: string | null }>`
      select attempts, last_error from budget_alert_outbox where alert_id = ${alertId}`.execute(db.owner);
    // Nothing written by a replica whose start is refused.
    expect(attempts.rows).toEqual([]);
    expect(outbox.rows[0]).toMatchObject({ attempts: 0, last_error: null });
  }, 120_000);
});
