import type { HeartbeatBody, RegisterExecutorAnswer, RegisterExecutorBody } from '../src/contracts/executor.js';
import type { InvocationLogs, LogIngestResult } from '../src/contracts/logs.js';
import type { QuarantineReportAnswer, UsageEvent, UsageRefusal } from '../src/contracts/usage.js';

/** The api answered with a status (and, in our error shape, a code and maybe details). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }

  /**
   * The events of a batch of `size` the api refused one by one, when it named them all (a 4xx whose
   * details each carry an event index); null otherwise: then the refusal is about the request or the
   * key (401, an unbound key...), not about events, and nothing may be set aside for it.
   */
  refusedEvents(size: number): Map<number, string> | null {
    if (this.status < 400 || this.status >= 500 || !Array.isArray(this.details) || this.details.length === 0) return null;
    const refused = new Map<number, string>();
    for (const d of this.details as Partial<UsageRefusal>[]) {
      if (typeof d !== 'object' || d === null || !Number.isInteger(d.index) || d.index! < 0 || d.index! >= size) return null;
      const parts = [this.code, d.reason, d.field, d.message ?? (d.accountId ? `account ${d.accountId} does not exist` : undefined)];
      const reason = parts.filter((p, i) => p && parts.indexOf(p) === i).join(': ');
      refused.set(d.index!, refused.has(d.index!) ? `${refused.get(d.index!)}; ${reason}` : reason);
    }
    return refused;
  }
}

/** The executor's only way to the platform: HTTP with its own platform executor key (never the database). */
export function createApiClient(options: { apiUrl: string; key: string; timeoutMs?: number }) {
  const base = options.apiUrl.replace(/\/+$/, '');
  const authorization = `Bearer ${options.key}`;
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function call(method: string, path: string, body?: unknown, timeout = timeoutMs): Promise<Response> {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? { authorization } : { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
    });
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let message = text.slice(0, 500);
      let code: string | null = null;
      let details: unknown;
      try {
        const error = (JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } }).error;
        message = error?.message ?? message;
        code = error?.code ?? null;
        details = error?.details;
      } catch {
        // not our error shape
      }
      throw new ApiError(res.status, `${method} ${path}: ${res.status}${code ? ` ${code}` : ''} ${message}`, code, details);
    }
    return res;
  }

  return {
    async register(body: RegisterExecutorBody): Promise<RegisterExecutorAnswer> {
      return (await (await call('POST', '/v1/executors/register', body)).json()) as RegisterExecutorAnswer;
    },

    async heartbeat(id: string, stats: HeartbeatBody): Promise<void> {
      await call('POST', `/v1/executors/${id}/heartbeat`, stats, 5_000);
    },

    async deregister(id: string): Promise<void> {
      await call('DELETE', `/v1/executors/${id}`, undefined, 5_000);
    },

    async fetchCode(sha256: string): Promise<Buffer> {
      const res = await call('GET', `/v1/code/${sha256}`, undefined, 120_000);
      return Buffer.from(await res.arrayBuffer());
    },

    /** A container image's blob (manifest, config or layer) by digest, as a stream: layers may be large. */
    async fetchImageBlob(digest: string): Promise<ReadableStream<Uint8Array>> {
      const res = await call('GET', `/v1/images/blobs/${digest}`, undefined, 600_000);
      if (!res.body) throw new Error(`blob ${digest}: empty answer`);
      return res.body;
    },

    async postUsage(events: UsageEvent[]): Promise<{ accepted: number; duplicates: number; conflicts: number }> {
      return (await (await call('POST', '/v1/usage', { events })).json()) as { accepted: number; duplicates: number; conflicts: number };
    },

    /** One batch of spooled log lines (`POST /v1/logs`); the api stores each line once. */
    async postLogs(invocations: InvocationLogs[]): Promise<LogIngestResult> {
      return (await (await call('POST', '/v1/logs', { invocations })).json()) as LogIngestResult;
    },

    /** Hands refused events over to the api's quarantine (stored once each, never billed there). */
    async postQuarantine(entries: { event: unknown; reason: string }[]): Promise<QuarantineReportAnswer> {
      return (await (await call('POST', '/v1/usage/quarantine', { entries })).json()) as QuarantineReportAnswer;
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
