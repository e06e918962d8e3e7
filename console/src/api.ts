/**
 * Every call the console makes to the Tally API, in one place, through the typed client generated
 * from the API document (src/client): a route that changes shape fails the console's type check.
 * Same origin, `Authorization: Bearer` with the account key held in sessionStorage.
 */
import { createTallyClient, isApiError, type LogEvent, type operations, type paths } from '../../src/client/index.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

/** The JSON body an operation answers with `status`, as the API document describes it. */
type Answer<K extends keyof operations, S extends number = 200> =
  operations[K]['responses'] extends Record<S, { content: { 'application/json': infer T } }> ? T : never;

export type FunctionConfig = Answer<'getFunction'>;
export type UsageAnswer = Answer<'getUsage'>;
export type CurrentCost = Answer<'getCurrentCost'>;
export type Invoice = Answer<'getInvoice'>;
export type LineUsage = Answer<'getInvoiceLineUsage'>;
export type Budget = Answer<'getBudget'>;
export type Alert = Answer<'listAlerts'>['alerts'][number] & Partial<Pick<Answer<'getAlert'>, 'history'>>;
export type CreateBudget = NonNullable<operations['createBudget']['requestBody']>['content']['application/json'];

export interface InvokeResult {
  status: number;
  body: string;
  requestId: string | null;
  billedMs: string | null;
  initMs: string | null;
  functionError: string | null;
  /** The decoded tail of the invocation's log (`?log=tail`), if the api sent one. */
  logTail: string | null;
}

export type { LogEvent } from '../../src/client/index.js';
export type LogQuery = NonNullable<paths['/v1/functions/{name}/logs']['get']['parameters']['query']>;

export interface DeploySettings {
  name: string;
  runtime: string;
  handler?: string;
  memoryMb?: number;
  timeoutS?: number;
  architecture?: string;
}

/** base64 (as the api sends the log tail) to text, UTF-8. */
function decodeBase64(b64: string): string {
  const bin = atob(b64);
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

function toError(response: Response, answer: unknown): ApiError {
  const requestId = response.headers.get('x-request-id');
  let body = answer;
  if (typeof answer === 'string') {
    try {
      body = JSON.parse(answer);
    } catch {
      // not JSON: the status says it all
    }
  }
  if (isApiError(body)) return new ApiError(response.status, body.error.code, body.error.message, body.error.requestId ?? requestId);
  return new ApiError(response.status, 'HTTP_ERROR', `${response.status} ${response.statusText}`, requestId);
}

/** Text bodies (CSV, HTML, a function's answer) and raw uploads go through the same client unparsed. */
const raw = { bodySerializer: (b: unknown) => b as BodyInit, parseAs: 'text' as const };

/**
 * `onUnauthorized` hears every 401 (a key revoked or expired while the console is open, whichever call
 * meets it first: a page, a form, a live tail), so the console signs out wherever it happens.
 */
export function createApi(key: string, opts: { baseUrl?: string; onUnauthorized?: () => void } = {}) {
  const client = createTallyClient({ baseUrl: opts.baseUrl ?? location.origin, key });
  const refused = (err: ApiError) => {
    if (err.status === 401) opts.onUnauthorized?.();
    return err;
  };
  /** The client's `{ data, error, response }` to the data, or an ApiError. */
  const ok = async <T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> => {
    const { data, error, response } = await call;
    if (!response.ok) throw refused(toError(response, error));
    return data as T;
  };
  const fetchOpts = { cache: 'no-store' as const, credentials: 'omit' as const };
  const fn = (name: string) => ({ path: { name } });

  return {
    /** Checks the key: the account's month-to-date cost names the account. */
    currentCost: () => ok(client.GET('/v1/cost/current', fetchOpts)),
    account: (id: string) => ok(client.GET('/v1/accounts/{id}', { params: { path: { id } }, ...fetchOpts })),

    /** Every function, page after page (a page holds at most 1,000; the deploy form needs every name). */
    listFunctions: async () => {
      const all: FunctionConfig[] = [];
      for (let after: string | undefined; ; ) {
        const page = await ok(client.GET('/v1/functions', { params: { query: { limit: 1000, after } }, ...fetchOpts }));
        all.push(...page.functions);
        if (!page.next) return all;
        after = page.next;
      }
    },
    getFunction: (name: string) => ok(client.GET('/v1/functions/{name}', { params: fn(name), ...fetchOpts })),
    /** Versions after `after` (oldest first, at most `limit`). */
    versions: async (name: string, after = 0, limit = 1000) =>
      (await ok(client.GET('/v1/functions/{name}/versions', { params: { ...fn(name), query: { after, limit } }, ...fetchOpts }))).versions,
    /** A new function from a zip (settings in the query string), or new code for an existing one. */
    deploy: async (settings: DeploySettings, zip: Blob, exists: boolean): Promise<FunctionConfig> => {
      const upload = { ...raw, parseAs: 'json' as const, body: zip as never, headers: { 'content-type': 'application/zip' }, ...fetchOpts };
      if (exists) return ok(client.PUT('/v1/functions/{name}/code', { params: fn(settings.name), ...upload }));
      const query = settings as NonNullable<operations['createFunction']['parameters']['query']>;
      return ok(client.POST('/v1/functions', { params: { query }, ...upload }));
    },
    invoke: async (name: string, payload: string): Promise<InvokeResult> => {
      const { response, data, error } = await client.POST('/v1/functions/{name}/invoke', {
        params: { ...fn(name), query: { log: 'tail' } },
        body: payload as never,
        headers: { 'content-type': 'application/json' },
        ...raw,
        ...fetchOpts,
      });
      if (!response.ok) throw refused(toError(response, error));
      const h = response.headers;
      const tail = h.get('x-tally-log-result');
      return {
        status: response.status,
        body: String(data ?? ''),
        requestId: h.get('x-tally-request-id'),
        billedMs: h.get('x-tally-billed-duration-ms'),
        initMs: h.get('x-tally-init-duration-ms'),
        functionError: h.get('x-tally-function-error'),
        logTail: tail ? decodeBase64(tail) : null,
      };
    },

    logs: (name: string, query: LogQuery) =>
      ok(client.GET('/v1/functions/{name}/logs', { params: { path: { name }, query }, ...fetchOpts })),
    /**
     * Follows a function's log (Server-Sent Events over fetch: EventSource cannot send the key in a
     * header, and the key never goes in a URL). Resolves when the stream ends or `signal` aborts.
     */
    followLogs: async (name: string, q: LogQuery, onEvent: (e: LogEvent) => void, signal: AbortSignal) => {
      try {
        const { response, error, data } = await client.GET('/v1/functions/{name}/logs', {
          params: { path: { name }, query: q },
          headers: { accept: 'text/event-stream' },
          parseAs: 'stream',
          signal,
          ...fetchOpts,
        });
        if (!response.ok) throw refused(toError(response, error ?? (await response.text().catch(() => null))));
        if (!data) return;
        const reader = (data as ReadableStream<BufferSource>).pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            }
            if (data.length === 0) continue;
            const parsed = JSON.parse(data.join('\n')) as LogEvent & { code?: string };
            if (event === 'error') {
              // The follower ends with UNAUTHENTICATED when the key is revoked while it streams.
              const status = parsed.code === 'UNAUTHENTICATED' ? 401 : 500;
              throw refused(new ApiError(status, parsed.code ?? 'FOLLOW_FAILED', parsed.message, null));
            }
            if (event === 'log' || event === 'message') onEvent(parsed);
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
    },

    usage: (query: { from: string; to: string; granularity: 'hour' | 'day' | 'month'; groupBy?: 'function' | 'architecture' }) =>
      ok(client.GET('/v1/usage', { params: { query }, ...fetchOpts })),

    invoices: async () => (await ok(client.GET('/v1/invoices', { params: { query: { limit: 100 } }, ...fetchOpts }))).invoices,
    invoice: (id: string) => ok(client.GET('/v1/invoices/{id}', { params: { path: { id } }, ...fetchOpts })),
    invoiceCsv: (id: string) =>
      ok(
        client.GET('/v1/invoices/{id}', { params: { path: { id } }, headers: { accept: 'text/csv' }, ...raw, ...fetchOpts }),
      ) as Promise<string>,
    invoiceHtml: (id: string) =>
      ok(
        client.GET('/v1/invoices/{id}', { params: { path: { id } }, headers: { accept: 'text/html' }, ...raw, ...fetchOpts }),
      ) as Promise<string>,
    lineUsage: (id: string, lineId: string) =>
      ok(client.GET('/v1/invoices/{id}/lines/{lineId}/usage', { params: { path: { id, lineId }, query: {} }, ...fetchOpts })),

    budgets: async () => (await ok(client.GET('/v1/budgets', { params: { query: { limit: 100 } }, ...fetchOpts }))).budgets,
    createBudget: (body: CreateBudget) => ok(client.POST('/v1/budgets', { body, ...fetchOpts })),
    deleteBudget: (id: string) => ok(client.DELETE('/v1/budgets/{id}', { params: { path: { id } }, ...fetchOpts })),
    alerts: async () => (await ok(client.GET('/v1/alerts', { params: { query: { limit: 100 } }, ...fetchOpts }))).alerts,
    alert: (id: string): Promise<Alert> => ok(client.GET('/v1/alerts/{id}', { params: { path: { id } }, ...fetchOpts })),
  };
}

export type Api = ReturnType<typeof createApi>;
