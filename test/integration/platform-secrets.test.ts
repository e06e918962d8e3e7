import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { signDispatch, type DispatchClaims } from '../../src/modules/executors/dispatch-token.js';
import { createTestDatabase, databaseBefore } from '../helpers/db.js';
import { startReplica, type Replica } from '../helpers/replicas.js';
import type { Db } from '../../src/db/database.js';

/**
 * The dispatch-token secret (the key every api replica signs invocations' usage tokens with) is
 * stored sealed with TALLY_SECRET_KEY, as access keys and broker URLs are (docs/usage-path.md).
 */
const claims = (): DispatchClaims => ({
  executorId: randomUUID(),
  invocationId: randomUUID(),
  accountId: randomUUID(),
  functionName: 'fn',
  memoryMb: 128,
  architecture: 'x86_64',
  ephemeralStorageMb: 512,
  timeoutS: 3,
});

async function storedRows(db: Db) {
  const { rows } = await sql<{ row: Record<string, unknown> }>`select to_jsonb(p) as row from platform_secrets p`.execute(db);
  return rows.map((r) => r.row);
}

/** `n` replicas starting at the same moment on `db`, sharing one TALLY_SECRET_KEY. */
async function startTogether(db: Db, n: number, box: ReturnType<typeof createSecretBox>): Promise<Replica[]> {
  return Promise.all(Array.from({ length: n }, () => startReplica(db, { secretBox: box })));
}

describe('the dispatch-token secret', () => {
  it('is stored sealed, and replicas starting together on a fresh database agree on one', async () => {
    const db = await createTestDatabase();
    const box = createSecretBox(randomBytes(32));
    const replicas = await startTogether(db.db, 4, box);
    try {
      const c = claims();
      const tokens = await Promise.all(replicas.map((r) => r.services.executors.signDispatch(c)));
      expect(new Set(tokens).size).toBe(1);
      const rows = await storedRows(db.owner);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ name: 'dispatch-token', unsealed_secret: null });
      // What is stored opens, with the platform key, to the key the replicas sign with; it holds no copy of it.
      const key = Buffer.from(box.open(rows[0]!.sealed as string, 'platform_secrets:dispatch-token'), 'base64');
      expect(key).toHaveLength(32);
      expect(signDispatch(key, c)).toBe(tokens[0]);
      const stored = JSON.stringify(rows[0]);
      for (const form of [key.toString('hex'), key.toString('base64'), key.toString('base64url')]) expect(stored).not.toContain(form);
    } finally {
      for (const r of replicas) await r.app.close();
      await db.drop();
    }
  });

  it('stored unsealed by an earlier release: sealed at the upgrade by replicas starting together, the same key, so tokens in flight stay valid', async () => {
    const before = await databaseBefore('0096');
    // As the earlier release made it.
    const old = randomBytes(32);
    await sql`insert into platform_secrets (name, secret) values ('dispatch-token', ${old})`.execute(before.db);
    const c = claims();
    const inFlight = signDispatch(old, c);
    await migrateToLatest(before.db);
    const box = createSecretBox(randomBytes(32));
    const replicas = await startTogether(before.db, 3, box);
    try {
      for (const r of replicas) expect(await r.services.executors.signDispatch(c)).toBe(inFlight);
      const rows = await storedRows(before.db);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ unsealed_secret: null });
      expect(Buffer.from(box.open(rows[0]!.sealed as string, 'platform_secrets:dispatch-token'), 'base64')).toEqual(old);
      // One form at a time: a row holding both, or neither, is refused by the database.
      await expect(sql`update platform_secrets set unsealed_secret = ${old}`.execute(before.db)).rejects.toThrow(
        /platform_secrets_one_form/,
      );
    } finally {
      for (const r of replicas) await r.app.close();
      await before.drop();
    }
  });
});
