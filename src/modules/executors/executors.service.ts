import { randomBytes } from 'node:crypto';
import type { HeartbeatBody, RegisterExecutorAnswer, RegisterExecutorBody } from '../../contracts/executor.js';
import type { UsageEvent } from '../../contracts/usage.js';
import { errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { isSealed, SecretKeyError, type SecretBox } from '../../lib/secret-box.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { Auth, Principal } from '../accounts/auth.js';
import { signDispatch, signDispatchV1, verifyDispatches, type DispatchClaims, type DispatchRefusal } from './dispatch-token.js';
import type { Binding, ExecutorRecord, ExecutorsRepository } from './executors.repository.js';

export interface ExecutorsOptions {
  /** An executor not heard from for this long gets no work. */
  staleAfterMs?: number;
  /** How often executors are told to heartbeat. */
  heartbeatIntervalMs?: number;
  /** How long this api process trusts its list of live executors before asking the database again. */
  refreshMs?: number;
  /**
   * The dispatch tokens this process signs (TALLY_DISPATCH_TOKENS): 2 (AES-CMAC, the default), or 1
   * (HMAC) while a rolling upgrade still runs api replicas that know only v1. Both are always accepted.
   */
  tokenVersion?: 1 | 2;
}

/** An executor as this api process routes to it: the registry's record plus local load and health. */
export interface Route {
  id: string;
  url: string;
  capacity: number;
  authorization: string;
  startedAt: number;
  /** Invocations this process has in flight there. */
  inFlight: number;
  /** Epoch ms until which a refused connection keeps it out of rotation. */
  downUntil: number;
}

/** FNV-1a, 32 bits: a cheap, well-spread hash for rendezvous scores. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Weighted rendezvous hashing: each function prefers the same executor (warm instances), weighted by capacity. */
function score(functionId: string, route: Route): number {
  const u = (fnv1a(`${functionId}/${route.id}`) + 0.5) / 4294967296;
  return -route.capacity / Math.log(u);
}

/**
 * What an executor's invoke token (the bearer the api presents on each of its invocations) is sealed
 * to: its executor. Stored sealed with TALLY_SECRET_KEY, so a copy of the database cannot call an
 * executor as the api (found by a review on 2026-12-07); src/modules/secrets rotates it.
 */
export const EXECUTOR_TOKEN_CONTEXT = (executorId: string) => `executors.invoke_token:${executorId}`;

/** The row in platform_secrets holding the dispatch-token key. */
const DISPATCH_SECRET = 'dispatch-token';
/** What its seal is bound to (secret-box.ts: a sealed value copied elsewhere does not open). */
export const DISPATCH_SECRET_CONTEXT = `platform_secrets:${DISPATCH_SECRET}`;

export function createExecutorsService(deps: {
  repo: ExecutorsRepository;
  log: Logger;
  /** To revoke the key of an executor an admin removes. */
  accounts: Pick<AccountsService, 'revokeKey'>;
  /** Seals the dispatch-token secret in the database (TALLY_SECRET_KEY). */
  secretBox: SecretBox;
  /** Told of every key revocation (here, or on another replica through the key revision): the list of executors is read again. */
  auth?: Pick<Auth, 'onForget'>;
  options?: ExecutorsOptions;
}) {
  const { repo, log } = deps;
  const staleAfterMs = deps.options?.staleAfterMs ?? 10_000;
  const heartbeatIntervalMs = deps.options?.heartbeatIntervalMs ?? 2_000;
  const refreshMs = deps.options?.refreshMs ?? 1_000;
  const sign = deps.options?.tokenVersion === 1 ? signDispatchV1 : signDispatch;
  let routes = new Map<string, Route>();
  let refreshedAt = 0;
  let refreshing: Promise<void> | null = null;
  let secret: Promise<Buffer> | null = null;

  /** Loaded once per process (created by the first replica); a failed load is tried again on the next use. */
  function dispatchSecret(): Promise<Buffer> {
    secret ??= loadDispatchSecret().catch((err: unknown) => {
      secret = null;
      throw err;
    });
    return secret;
  }

  /**
   * The key, stored sealed with TALLY_SECRET_KEY. One stored unsealed by a release before migration
   * 0096 is sealed in place, the same key, so that the tokens it signed stay valid; replicas doing so
   * at once keep the first one's seal (the update is conditional) and all read that back.
   */
  async function loadDispatchSecret(): Promise<Buffer> {
    const seal = (key: Buffer) => deps.secretBox.seal(key.toString('base64'), DISPATCH_SECRET_CONTEXT);
    let stored = await repo.secret(DISPATCH_SECRET, seal(randomBytes(32)));
    if (stored.unsealed !== null) {
      await repo.sealSecret(DISPATCH_SECRET, seal(stored.unsealed));
      stored = await repo.secret(DISPATCH_SECRET, seal(stored.unsealed));
    }
    try {
      return Buffer.from(deps.secretBox.open(stored.sealed!, DISPATCH_SECRET_CONTEXT), 'base64');
    } catch (err) {
      throw new SecretKeyError(
        `the dispatch-token secret (platform_secrets '${DISPATCH_SECRET}') does not open: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  /** A platform-wide executor key's key id; an account-scoped one (or the environment's admin key) may not run an executor. */
  function platformKeyId(principal: Principal): string {
    if (principal.accountId !== null || principal.keyId === null) {
      throw errors.forbidden(
        "Only a platform-wide executor key (POST /v1/keys) may run an executor: it receives every account's invocations",
      );
    }
    return principal.keyId;
  }

  function requireBound(binding: Binding, id: string): void {
    if (binding === 'unknown') throw errors.executorNotFound(id);
    if (binding === 'other_key') throw errors.executorKeyMismatch(id);
  }

  function refresh(): Promise<void> {
    refreshing ??= repo
      .live(staleAfterMs)
      .then((records) => {
        const next = new Map<string, Route>();
        for (const r of records) next.set(r.id, merge(routes.get(r.id), r));
        routes = next;
        refreshedAt = Date.now();
      })
      .catch((err: unknown) => log.warn({ err }, 'could not refresh the list of executors'))
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  // An executor whose key was revoked gets no more work (the registry's `live` leaves it out) from the moment this
  // replica learns of the revocation, not from its next read of the registry (the next invocation after a quiet spell
  // would otherwise still go there). A read under way may predate the revocation: the new one starts after it.
  deps.auth?.onForget(() => {
    refreshedAt = 0;
    void (refreshing ?? Promise.resolve()).then(() => refresh());
  });

  /** Opened invoke tokens by their stored form: each is opened once, not at every refresh. */
  const opened = new Map<string, string>();
  /** An executor's invoke token in plaintext; one an earlier release stored plain is used as it is (the start's pass seals it). */
  function tokenOf(r: ExecutorRecord): string {
    if (!isSealed(r.token)) return r.token;
    let token = opened.get(r.token);
    if (token === undefined) {
      token = deps.secretBox.open(r.token, EXECUTOR_TOKEN_CONTEXT(r.id));
      if (opened.size >= 10_000) opened.clear();
      opened.set(r.token, token);
    }
    return token;
  }

  /** Updates the known route in place (in-flight invocations count on that very object), or makes one. */
  function merge(known: Route | undefined, r: ExecutorRecord): Route {
    const startedAt = r.startedAt.getTime();
    if (!known) {
      return { id: r.id, url: r.url, capacity: r.capacity, authorization: `Bearer ${tokenOf(r)}`, startedAt, inFlight: 0, downUntil: 0 };
    }
    // A re-registered executor is back, whatever this process saw of its previous life.
    if (known.startedAt !== startedAt || known.url !== r.url) known.downUntil = 0;
    known.url = r.url;
    known.capacity = r.capacity;
    known.authorization = `Bearer ${tokenOf(r)}`;
    known.startedAt = startedAt;
    return known;
  }

  function usable(): Route[] {
    const now = Date.now();
    return [...routes.values()].filter((r) => r.downUntil <= now);
  }

  return {
    /** Binds the key to this executor; another live executor holding the key, or this id under another key, is a 409. */
    async register(principal: Principal, body: RegisterExecutorBody): Promise<RegisterExecutorAnswer> {
      const keyId = platformKeyId(principal);
      const token = deps.secretBox.seal(body.token, EXECUTOR_TOKEN_CONTEXT(body.id));
      const outcome = await repo.register({ ...body, token, keyId }, staleAfterMs);
      if (outcome === 'key_in_use') throw errors.executorKeyInUse();
      if (outcome === 'id_in_use') throw errors.executorIdInUse(body.id);
      log.info({ executorId: body.id, url: body.url, capacity: body.capacity }, 'executor registered');
      refreshedAt = 0;
      return { id: body.id, heartbeatIntervalMs, staleAfterMs };
    },

    async heartbeat(principal: Principal, id: string, stats: HeartbeatBody): Promise<void> {
      requireBound(await repo.heartbeat(id, platformKeyId(principal), stats), id);
    },

    /**
     * With the executor's own key: it leaves the rotation (a graceful stop), its key still bound to it.
     * With an admin key: the executor is removed and its key revoked, so that a leaked key stops working
     * everywhere while every other executor keeps its own.
     */
    async deregister(principal: Principal, id: string): Promise<void> {
      if (principal.role === 'admin') {
        const keyId = await repo.keyOf(id);
        if (keyId === null) throw errors.executorNotFound(id);
        // Revoked first: should the removal fail, the executor cannot come back with that key anyway.
        await deps.accounts.revokeKey(principal, keyId, { executorId: id });
        await repo.remove(id);
        log.warn({ executorId: id, keyId }, 'executor removed by an admin; its key is revoked');
      } else {
        requireBound(await repo.leave(id, platformKeyId(principal)), id);
        log.info({ executorId: id }, 'executor deregistered');
      }
      routes.delete(id);
    },

    list: () => repo.all(),

    /** Live executors that run functions unisolated (TALLY_SANDBOX=off): shown in /readyz. */
    async unsandboxed(): Promise<{ live: number; unsandboxed: string[] }> {
      const live = await repo.live(staleAfterMs);
      return { live: live.length, unsandboxed: live.filter((e) => e.sandbox === 'off').map((e) => e.id) };
    },

    /** Loads (creating once) the dispatch-token secret: at start-up, so the first invocation does not wait. */
    loadSecrets: async (): Promise<void> => void (await dispatchSecret()),

    /** The token for one invocation sent to one executor. */
    async signDispatch(claims: DispatchClaims): Promise<string> {
      return sign(await dispatchSecret(), claims);
    },

    /**
     * Which events a platform executor key may not report, by index: each must carry a token the api
     * signed for the executor this key is bound to, matching the event. A key bound to no executor is
     * refused as a whole (it must register first), without per-event details.
     */
    async refusedDispatches(keyId: string, events: UsageEvent[]): Promise<(DispatchRefusal & { index: number })[]> {
      const executorId = await repo.boundTo(keyId);
      if (executorId === null) throw errors.executorNotRegistered();
      const key = await dispatchSecret();
      const refused: (DispatchRefusal & { index: number })[] = [];
      verifyDispatches(key, executorId, events).forEach((refusal, index) => {
        if (refusal) refused.push({ index, ...refusal });
      });
      return refused;
    },

    /** Whether a platform key belongs to a registered executor (code is served only to those). */
    async requireBoundKey(keyId: string): Promise<void> {
      if ((await repo.boundTo(keyId)) === null) throw errors.executorNotRegistered();
    },

    /** The executor a platform key is bound to (recorded with what it reports). */
    boundExecutor: (keyId: string) => repo.boundTo(keyId),

    /**
     * The executors to try for one invocation, best first: live (heartbeat within staleAfterMs, not
     * refused lately), ordered by rendezvous score.
     * The list is refreshed in the background, at most every `refreshMs`; never on the hot path
     * unless it is empty or badly out of date, or `fresh` asks for a read begun now (after waiting
     * for an executor to register: a read already under way may predate its registration).
     */
    async candidates(functionId: string, opts: { fresh?: boolean } = {}): Promise<Route[]> {
      if (opts.fresh) {
        await refreshing;
        await refresh();
      }
      const age = Date.now() - refreshedAt;
      if (age > refreshMs) {
        const pending = refresh();
        if (routes.size === 0 || age > staleAfterMs) await pending;
      }
      let live = usable();
      if (live.length === 0 && Date.now() - refreshedAt > 100) {
        await refresh();
        live = usable();
      }
      return live.sort((a, b) => score(functionId, b) - score(functionId, a));
    },

    /**
     * Not reached (a refused connection, say) or not taking work (restarted, shutting down): out of
     * rotation until it re-registers or staleAfterMs passes. `reason` goes into the log line.
     */
    markDown(route: Route, reason: string): void {
      route.downUntil = Date.now() + staleAfterMs;
      log.warn({ executorId: route.id, url: route.url, reason }, 'executor not taking invocations; routing around it');
    },
  };
}

export type ExecutorsService = ReturnType<typeof createExecutorsService>;
