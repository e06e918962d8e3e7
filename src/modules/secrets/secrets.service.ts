import type { Logger } from '../../lib/logger.js';
import { SecretKeyError, isSealed, type SecretBox } from '../../lib/secret-box.js';
import { SEALED_COLUMNS, type SealedColumn, type SecretsRepository } from './secrets.repository.js';

/** Rows read per query of a pass. */
const BATCH = 500;
/** How many of the values that do not open an error names (it says how many there are in all). */
const NAMED = 20;

/**
 * Rotation of TALLY_SECRET_KEY (docs/operations.md, "Rotating TALLY_SECRET_KEY"). At every start the
 * api reads every sealed value, in batches: one sealed with a key of TALLY_SECRET_KEY_PREVIOUS is
 * sealed again with the current key, and a plain value an earlier release wrote in a column sealed
 * since (`legacyPlain`) is sealed in place, its plaintext unchanged. Both by a conditional update, so
 * replicas passing at once neither undo nor repeat each other's work. If any value opens with no key
 * the start fails, naming each: a missing or wrong old key is said at once, never found later as a
 * secret that no longer opens. Nothing is written until every value opens, so a failed pass changes
 * nothing.
 */
export function createSecretsService(deps: { repo: SecretsRepository; secretBox: SecretBox; log: Logger }) {
  const { repo, secretBox, log } = deps;

  /** Calls `fn` on every stored value of every sealed column, a batch at a time. */
  async function each(fn: (c: SealedColumn, key: string[], stored: string) => Promise<void>): Promise<void> {
    for (const c of SEALED_COLUMNS) {
      for (let after: string[] | null = null; ; ) {
        const rows = await repo.page(c, after, BATCH);
        for (const r of rows) await fn(c, r.key, r.stored);
        if (rows.length < BATCH) break;
        after = rows.at(-1)!.key;
      }
    }
  }

  const plain = (c: SealedColumn, stored: string) => c.legacyPlain && !isSealed(stored);

  return {
    async rotate(): Promise<{ checked: number; resealed: number; sealedInPlace: number }> {
      const unreadable: string[] = [];
      let checked = 0;
      await each(async (c, key, stored) => {
        checked += 1;
        if (plain(c, stored)) return;
        try {
          secretBox.open(stored, c.context(key));
        } catch (err) {
          if (!(err instanceof SecretKeyError)) throw err;
          unreadable.push(`${c.table}.${c.column} of ${key.join('/')}`);
        }
      });
      if (unreadable.length > 0) {
        const more = unreadable.length > NAMED ? `, and ${unreadable.length - NAMED} more` : '';
        throw new SecretKeyError(
          `${unreadable.length} sealed values open with neither TALLY_SECRET_KEY nor TALLY_SECRET_KEY_PREVIOUS: ` +
            `${unreadable.slice(0, NAMED).join(', ')}${more}. Set TALLY_SECRET_KEY_PREVIOUS to the key they were sealed with ` +
            '(docs/operations.md, "Rotating TALLY_SECRET_KEY")',
        );
      }
      let resealed = 0;
      let sealedInPlace = 0;
      await each(async (c, key, stored) => {
        const legacy = plain(c, stored);
        const fresh = legacy ? secretBox.seal(stored, c.context(key)) : secretBox.reseal(stored, c.context(key));
        if (fresh === null || !(await repo.replace(c, key, stored, fresh))) return;
        if (legacy) sealedInPlace += 1;
        else resealed += 1;
      });
      if (resealed > 0) log.info({ resealed, checked }, 'sealed values sealed again with the current TALLY_SECRET_KEY');
      if (sealedInPlace > 0) log.info({ sealedInPlace, checked }, 'plain webhook signing secrets of an earlier release sealed in place');
      return { checked, resealed, sealedInPlace };
    },
  };
}

export type SecretsService = ReturnType<typeof createSecretsService>;
