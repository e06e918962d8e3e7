import type { HeartbeatBody, RegisterExecutorAnswer, RegisterExecutorBody } from '../src/contracts/executor.js';
import type { UsageEvent } from '../src/contracts/usage.js';

/** The api answered with a status; `permanent` when retrying the same request cannot help. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  get permanent(): boolean {
    return this.status === 400 || this.status === 403 || this.status === 404 || this.status === 409 || this.status === 413 || this.status === 422;
  }
}

/** The executor's only way to the platform: HTTP with a platform-wide executor key (never the database). */
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
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not our error shape
      }
      throw new ApiError(res.status, `${method} ${path}: ${res.status} ${message}`);
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

    async postUsage(events: UsageEvent[]): Promise<{ accepted: number; duplicates: number; conflicts: number }> {
      return (await (await call('POST', '/v1/usage', { events })).json()) as { accepted: number; duplicates: number; conflicts: number };
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
