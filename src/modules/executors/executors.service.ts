import type { HeartbeatBody, RegisterExecutorAnswer, RegisterExecutorBody } from '../../contracts/executor.js';
import { errors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Principal } from '../accounts/auth.js';
import type { ExecutorRecord, ExecutorsRepository } from './executors.repository.js';

export interface ExecutorsOptions {
  /** An executor not heard from for this long gets no work. */
  staleAfterMs?: number;
  /** How often executors are told to heartbeat. */
  heartbeatIntervalMs?: number;
  /** How long this api process trusts its list of live executors before asking the database again. */
  refreshMs?: number;
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

export function createExecutorsService(deps: { repo: ExecutorsRepository; log: Logger; options?: ExecutorsOptions }) {
  const { repo, log } = deps;
  const staleAfterMs = deps.options?.staleAfterMs ?? 10_000;
  const heartbeatIntervalMs = deps.options?.heartbeatIntervalMs ?? 2_000;
  const refreshMs = deps.options?.refreshMs ?? 1_000;
  let routes = new Map<string, Route>();
  let refreshedAt = 0;
  let refreshing: Promise<void> | null = null;

  function requirePlatformKey(principal: Principal): void {
    if (principal.accountId !== null) {
      throw errors.forbidden('Only a platform-wide executor key (POST /v1/keys) may run an executor: it receives every account\'s invocations');
    }
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

  /** Updates the known route in place (in-flight invocations count on that very object), or makes one. */
  function merge(known: Route | undefined, r: ExecutorRecord): Route {
    const startedAt = r.startedAt.getTime();
    if (!known) {
      return { id: r.id, url: r.url, capacity: r.capacity, authorization: `Bearer ${r.token}`, startedAt, inFlight: 0, downUntil: 0 };
    }
    // A re-registered executor is back, whatever this process saw of its previous life.
    if (known.startedAt !== startedAt || known.url !== r.url) known.downUntil = 0;
    known.url = r.url;
    known.capacity = r.capacity;
    known.authorization = `Bearer ${r.token}`;
    known.startedAt = startedAt;
    return known;
  }

  function usable(): Route[] {
    const now = Date.now();
    return [...routes.values()].filter((r) => r.downUntil <= now);
  }

  return {
    async register(principal: Principal, body: RegisterExecutorBody): Promise<RegisterExecutorAnswer> {
      requirePlatformKey(principal);
      await repo.upsert(body);
      log.info({ executorId: body.id, url: body.url, capacity: body.capacity }, 'executor registered');
      refreshedAt = 0;
      return { id: body.id, heartbeatIntervalMs, staleAfterMs };
    },

    async heartbeat(principal: Principal, id: string, stats: HeartbeatBody): Promise<void> {
      requirePlatformKey(principal);
      if (!(await repo.heartbeat(id, stats))) throw errors.executorNotFound(id);
    },

    async deregister(principal: Principal, id: string): Promise<void> {
      requirePlatformKey(principal);
      if (!(await repo.remove(id))) throw errors.executorNotFound(id);
      routes.delete(id);
      log.info({ executorId: id }, 'executor deregistered');
    },

    list: () => repo.all(),

    /**
     * The executors to try for one invocation, best first: live (heartbeat within staleAfterMs, not
     * refused lately), ordered by rendezvous score.
     * The list is refreshed in the background, at most every `refreshMs`; never on the hot path
     * unless it is empty or badly out of date.
     */
    async candidates(functionId: string): Promise<Route[]> {
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

    /** A refused connection: out of rotation until it re-registers or staleAfterMs passes. */
    markDown(route: Route): void {
      route.downUntil = Date.now() + staleAfterMs;
      log.warn({ executorId: route.id, url: route.url }, 'executor refused a connection; routing around it');
    },
  };
}

export type ExecutorsService = ReturnType<typeof createExecutorsService>;
