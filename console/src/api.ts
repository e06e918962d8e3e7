/**
 * Every call the console makes to the Tally API, in one place (same origin, `Authorization: Bearer`
 * with the account key held in sessionStorage). Shapes follow the API document at /docs/json.
 */

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

export interface FunctionConfig {
  id: string;
  name: string;
  version: number;
  latestVersion: number;
  packageType: string;
  runtime: string | null;
  handler: string | null;
  memoryMb: number;
  timeoutS: number;
  architecture: string;
  ephemeralStorageMb: number;
  environment: Record<string, string>;
  reservedConcurrency: number | null;
  codeSha256: string;
  codeSize: number;
  codeUnzippedSize: number;
  createdAt: string;
  lastModified: string;
}

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

export interface LogEvent {
  timestamp: string;
  requestId: string;
  message: string;
}

export interface UsageBucket {
  start: string;
  functionId?: string | null;
  requests: number;
  billedMs: number;
  gbSeconds: string;
  errors: number;
  timeouts: number;
}

export interface UsageAnswer {
  from: string;
  to: string;
  buckets: UsageBucket[];
  totals: Omit<UsageBucket, 'start' | 'functionId'>;
}

export interface CostLine {
  kind: string;
  description: string;
  quantity: string;
  freeQuantity: string;
  billableQuantity: string;
  unitPrice: string;
  amount: string;
}

export interface BudgetSummary {
  id: string;
  amount: string;
  basis: string;
  functionId: string | null;
  thresholds: number[];
  hardCap: boolean;
  spend: string;
  percent: string;
  forecast: string;
  forecastPercent: string;
  capped: boolean;
}

export interface CurrentCost {
  accountId: string;
  period: string;
  asOf: string;
  currency: string;
  priceVersion: string;
  total: string;
  lines: CostLine[];
  freeTier: { enabled: boolean; requestsUsed: number; requestsRemaining: number; gbSecondsUsed: string; gbSecondsRemaining: string };
  forecast: { total: string; method: string; elapsedFraction: string };
  budgets: BudgetSummary[];
}

export interface Invoice {
  id: string;
  accountId: string;
  period: string;
  status: string;
  currency: string;
  total: string;
  priceVersion: string;
  finalizedAt: string | null;
  lines: (CostLine & { id: string; architecture: string | null })[];
}

export interface LineUsage {
  invoiceId: string;
  lineId: string;
  period: string;
  hours: {
    hour: string;
    functionId: string;
    architecture: string;
    requests: number;
    billedMs: number;
    gbSeconds: string;
    initGbSeconds: string;
    ephemeralGbSeconds: string;
  }[];
}

export interface Budget {
  id: string;
  amount: string;
  currency: string;
  thresholds: number[];
  basis: string;
  functionId: string | null;
  webhookUrl: string | null;
  hardCap: boolean;
  createdAt: string;
}

export interface Delivery {
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: string | null;
}

export interface Alert {
  id: string;
  budgetId: string;
  period: string;
  threshold: number;
  basis: string;
  spend: string;
  amount: string;
  percent: string;
  createdAt: string;
  delivery: Delivery;
  history?: { at: string; url: string; statusCode: number | null; error: string | null; durationMs: number }[];
}

export interface DeploySettings {
  name: string;
  runtime: string;
  handler?: string;
  memoryMb?: number;
  timeoutS?: number;
  architecture?: string;
}

type Query = Record<string, string | number | boolean | undefined | null>;

const qs = (q: Query = {}) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** base64 (as the api sends the log tail) to text, UTF-8. */
function decodeBase64(b64: string): string {
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

async function toError(res: Response): Promise<ApiError> {
  const requestId = res.headers.get('x-request-id');
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; requestId?: string } };
    if (body.error)
      return new ApiError(res.status, body.error.code ?? 'ERROR', body.error.message ?? res.statusText, body.error.requestId ?? requestId);
  } catch {
    // not the JSON error shape: fall through
  }
  return new ApiError(res.status, 'HTTP_ERROR', `${res.status} ${res.statusText}`, requestId);
}

export function createApi(key: string, base = '') {
  const auth = { authorization: `Bearer ${key}` };

  async function send(
    method: string,
    path: string,
    init: { body?: BodyInit; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...auth, ...init.headers },
      body: init.body,
      signal: init.signal,
      credentials: 'omit',
      cache: 'no-store',
    });
    if (!res.ok) throw await toError(res);
    return res;
  }
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await send(
      method,
      path,
      body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
    );
    return (res.status === 204 ? null : await res.json()) as T;
  };
  const text = async (path: string, accept: string) => (await send('GET', path, { headers: { accept } })).text();

  return {
    /** Checks the key: the account's month-to-date cost names the account. */
    currentCost: () => json<CurrentCost>('GET', '/v1/cost/current'),
    account: (id: string) => json<{ id: string; name: string }>('GET', `/v1/accounts/${encodeURIComponent(id)}`),

    listFunctions: async () => (await json<{ functions: FunctionConfig[] }>('GET', '/v1/functions?limit=1000')).functions,
    getFunction: (name: string) => json<FunctionConfig>('GET', `/v1/functions/${encodeURIComponent(name)}`),
    versions: async (name: string) =>
      (await json<{ versions: FunctionConfig[] }>('GET', `/v1/functions/${encodeURIComponent(name)}/versions`)).versions,
    /** A new function from a zip (settings in the query string), or new code for an existing one. */
    deploy: async (settings: DeploySettings, zip: Blob, exists: boolean) => {
      const headers = { 'content-type': 'application/zip' };
      const path = exists ? `/v1/functions/${encodeURIComponent(settings.name)}/code` : `/v1/functions${qs({ ...settings })}`;
      return (await send(exists ? 'PUT' : 'POST', path, { body: zip, headers })).json() as Promise<FunctionConfig>;
    },
    deleteFunction: (name: string) => json<null>('DELETE', `/v1/functions/${encodeURIComponent(name)}`),
    invoke: async (name: string, payload: string): Promise<InvokeResult> => {
      const res = await send('POST', `/v1/functions/${encodeURIComponent(name)}/invoke?log=tail`, {
        body: payload,
        headers: { 'content-type': 'application/json' },
      });
      const tail = res.headers.get('x-tally-log-result');
      return {
        status: res.status,
        body: await res.text(),
        requestId: res.headers.get('x-tally-request-id'),
        billedMs: res.headers.get('x-tally-billed-duration-ms'),
        initMs: res.headers.get('x-tally-init-duration-ms'),
        functionError: res.headers.get('x-tally-function-error'),
        logTail: tail ? decodeBase64(tail) : null,
      };
    },

    logs: (name: string, q: { from?: string; to?: string; requestId?: string; filter?: string; limit?: number; cursor?: string }) =>
      json<{ events: LogEvent[]; nextCursor: string | null }>('GET', `/v1/functions/${encodeURIComponent(name)}/logs${qs(q)}`),
    /**
     * Follows a function's log (Server-Sent Events over fetch: EventSource cannot send the key in a
     * header, and the key never goes in a URL). Resolves when the stream ends or `signal` aborts.
     */
    followLogs: async (name: string, q: { filter?: string; requestId?: string }, onEvent: (e: LogEvent) => void, signal: AbortSignal) => {
      const res = await send('GET', `/v1/functions/${encodeURIComponent(name)}/logs${qs(q)}`, {
        headers: { accept: 'text/event-stream' },
        signal,
      });
      if (!res.body) return;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            let event = 'message';
            const data: string[] = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            }
            if (data.length === 0) continue;
            const parsed = JSON.parse(data.join('\n')) as LogEvent & { code?: string; message: string };
            if (event === 'error') throw new ApiError(500, parsed.code ?? 'FOLLOW_FAILED', parsed.message, null);
            if (event === 'log' || event === 'message') onEvent(parsed);
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
    },

    usage: (q: { from: string; to: string; granularity: 'hour' | 'day' | 'month'; groupBy?: 'function' | 'architecture' }) =>
      json<UsageAnswer>('GET', `/v1/usage${qs(q)}`),

    invoices: async () => (await json<{ invoices: Invoice[] }>('GET', '/v1/invoices')).invoices,
    invoice: (id: string) => json<Invoice>('GET', `/v1/invoices/${encodeURIComponent(id)}`),
    invoiceCsv: (id: string) => text(`/v1/invoices/${encodeURIComponent(id)}`, 'text/csv'),
    invoiceHtml: (id: string) => text(`/v1/invoices/${encodeURIComponent(id)}`, 'text/html'),
    lineUsage: (id: string, lineId: string) =>
      json<LineUsage>('GET', `/v1/invoices/${encodeURIComponent(id)}/lines/${encodeURIComponent(lineId)}/usage`),

    budgets: async () => (await json<{ budgets: Budget[] }>('GET', '/v1/budgets')).budgets,
    createBudget: (b: {
      amount: string;
      thresholds?: number[];
      basis?: string;
      functionId?: string;
      webhookUrl?: string;
      hardCap?: boolean;
    }) => json<Budget & { secret: string }>('POST', '/v1/budgets', b),
    deleteBudget: (id: string) => json<null>('DELETE', `/v1/budgets/${encodeURIComponent(id)}`),
    alerts: async () => (await json<{ alerts: Alert[] }>('GET', '/v1/alerts')).alerts,
    alert: (id: string) => json<Alert>('GET', `/v1/alerts/${encodeURIComponent(id)}`),
  };
}

export type Api = ReturnType<typeof createApi>;
