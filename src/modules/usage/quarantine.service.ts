import { createHash } from 'node:crypto';
import { isUuid, UsageEventSchema, type QuarantineReportAnswer, type UsageEvent, type UsageRefusal } from '../../contracts/usage.js';
import type { Db } from '../../db/database.js';
import { describeValidation } from '../../lib/error-handler.js';
import { errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { storableText } from '../../lib/storable-input.js';
import { compileChecker } from '../../lib/validation.js';
import type { Principal } from '../accounts/auth.js';
import { actorOf } from '../audit/audit.repository.js';
import type { AuditService } from '../audit/audit.service.js';
import type { ExecutorsService } from '../executors/executors.service.js';
import type { QuarantinePosition, QuarantineRepository, ReplayOutcome } from './quarantine.repository.js';
import type { UsageService } from './usage.service.js';

/** Ids are kept only when they are short printable text (a refused event may hold anything). */
const PRINTABLE_ID = /^[\x21-\x7e]{1,200}$/;
const idOf = (v: unknown) => (typeof v === 'string' && PRINTABLE_ID.test(v) ? v.toLowerCase() : '');

export type ReplayCorrections = Partial<Omit<UsageEvent, 'dispatchToken'>>;

/** The list's cursor: where a page ended, opaque to clients (docs: the position survives its entry's removal). */
const cursorOf = (p: QuarantinePosition) => `q1.${p.receivedUs}.${p.id}`;
const CURSOR = /^q1\.(\d{1,17})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** A cursor this api answered, or the bare entry id earlier releases answered as `next`. */
function readCursor(after: string): QuarantinePosition | string {
  if (isUuid(after)) return after.toLowerCase();
  const m = CURSOR.exec(after);
  if (!m) throw errors.validation('after: not a cursor this api answered (pass `next` as it came)', [{ field: 'after' }]);
  return { receivedUs: m[1]!, id: m[2]! };
}

/**
 * A key scoped to one account may hand over only that account's events, as it may only report those:
 * an entry naming another account could never have been its usage, and an admin's replay (which checks
 * no key) would bill it to that account. The report is refused whole, each such entry named, as ingest
 * does. An event whose accountId is no uuid is kept as sent: a replay needs it corrected by an admin.
 */
function refuseForeignAccounts(principal: Principal, entries: { event: unknown }[]): void {
  if (principal.accountId === null) return;
  const foreign: UsageRefusal[] = [];
  entries.forEach(({ event }, index) => {
    const accountId = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).accountId : undefined;
    if (typeof accountId === 'string' && isUuid(accountId) && accountId.toLowerCase() !== principal.accountId) {
      foreign.push({
        index,
        field: 'accountId',
        reason: 'FORBIDDEN',
        message: `entries[${index}].event.accountId: this executor key is scoped to account ${principal.accountId}`,
      });
    }
  });
  if (foreign.length > 0) {
    const count = foreign.length === 1 ? 'that entry was' : `${foreign.length} entries were`;
    throw errors.usageRefused('FORBIDDEN', 403, `${foreign[0]!.message}; ${count} refused and the report was refused whole`, foreign);
  }
}

/**
 * Usage events the api refused for good, as executors report them: stored once each, listed for an
 * admin, and replayed through ingest (optionally corrected) by an admin. A replay goes through the
 * same ingest as any batch, whose dedup table keeps an invocation from being billed twice however
 * often it is replayed or resent.
 */
export function createQuarantineService(deps: {
  db: Db;
  repo: QuarantineRepository;
  usage: Pick<UsageService, 'ingest'>;
  executors: Pick<ExecutorsService, 'boundExecutor'>;
  audit: Pick<AuditService, 'record'>;
  metrics: Metrics;
  log: Logger;
}) {
  const checkEvent = compileChecker<UsageEvent>(UsageEventSchema);

  return {
    async report(principal: Principal, entries: { event: unknown; reason: string }[]): Promise<QuarantineReportAnswer> {
      refuseForeignAccounts(principal, entries);
      const platform = principal.accountId === null && principal.keyId !== null;
      const executorId = platform ? await deps.executors.boundExecutor(principal.keyId!) : null;
      const rows = entries.map((e) => {
        const eventJson = JSON.stringify(e.event ?? null);
        const fields = typeof e.event === 'object' && e.event !== null ? (e.event as Record<string, unknown>) : {};
        return {
          accountId: idOf(fields.accountId),
          invocationId: idOf(fields.invocationId),
          eventSha256: createHash('sha256').update(eventJson).digest('hex'),
          eventJson,
          reason: storableText(e.reason),
          executorId,
          keyId: principal.keyId,
        };
      });
      const stored = await deps.repo.insert(rows);
      deps.metrics.usageQuarantined.inc(stored);
      if (stored > 0)
        deps.log.warn({ stored, executorId, keyId: principal.keyId }, 'usage events quarantined: list them with GET /v1/usage/quarantine');
      return { stored, duplicates: rows.length - stored };
    },

    /** A page, oldest first, and the cursor of the next (null at the end). */
    async list(q: {
      accountId: string | null;
      invocationId: string | null;
      replayed: boolean | null;
      limit: number;
      after: string | null;
    }) {
      const rows = await deps.repo.list({ ...q, after: q.after === null ? null : readCursor(q.after) });
      return { entries: rows.map((r) => r.entry), next: rows.length === q.limit ? cursorOf(rows.at(-1)!.position) : null };
    },

    /**
     * Runs one quarantined event through ingest (admin), with corrections applied and without its
     * dispatch token (an admin vouches for it instead; the replay is audited with who and why).
     */
    async replay(principal: Principal, id: string, body: { set?: ReplayCorrections; reason: string }) {
      const entry = await deps.repo.find(id);
      if (!entry) throw errors.quarantineEntryNotFound(id);
      if (entry.replayedAt !== null) {
        throw errors.quarantineAlreadyReplayed(id, { replayedAt: entry.replayedAt.toISOString(), outcome: entry.replayOutcome });
      }
      const original = typeof entry.event === 'object' && entry.event !== null && !Array.isArray(entry.event) ? entry.event : {};
      const candidate: Record<string, unknown> = { ...(original as Record<string, unknown>), ...body.set };
      delete candidate.dispatchToken;
      const checked = checkEvent(candidate);
      if (!checked.ok) {
        const { details, message } = describeValidation('event', checked.errors);
        throw errors.validation(`${message} (correct it with "set")`, details);
      }
      const result = await deps.usage.ingest(principal, [checked.value]);
      const outcome: ReplayOutcome = result.accepted > 0 ? 'accepted' : result.duplicates > 0 ? 'duplicate' : 'conflict';
      const actor = actorOf(principal);
      await deps.db.transaction().execute(async (tx) => {
        // Two replays at once both reach ingest (which counts the event once); the first to get here records it.
        if (!(await deps.repo.markReplayed(tx, id, actor, outcome))) return;
        await deps.audit.record(tx, [
          {
            actor,
            action: 'usage.quarantine_replayed',
            accountId: checked.value.accountId.toLowerCase(),
            subject: checked.value.invocationId.toLowerCase(),
            reason: body.reason,
            details: { quarantineId: id, corrections: body.set ?? {}, outcome },
          },
        ]);
      });
      return { id, outcome, event: checked.value, result };
    },
  };
}

export type QuarantineService = ReturnType<typeof createQuarantineService>;
