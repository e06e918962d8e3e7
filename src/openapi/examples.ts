/**
 * Examples shown in the API document. The linter checks each against its schema, so an example that
 * drifts from the wire shape fails the tests rather than misleading a reader.
 */

const REQUEST_ID = '0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d';

/** The error shape for each 4xx status, with a code the api really answers for it. */
const ERRORS: Record<number, [code: string, message: string]> = {
  400: ['VALIDATION_FAILED', 'body/memoryMb must be >= 128'],
  401: ['UNAUTHENTICATED', 'A valid key is required: Authorization: Bearer <key>'],
  402: ['BUDGET_EXCEEDED', 'The account reached a hard-capped budget for this month'],
  403: ['FORBIDDEN', 'This key may not do that'],
  404: ['NOT_FOUND', 'No such resource'],
  409: ['CONFLICT', 'The resource exists already or is in a state that forbids this'],
  413: ['PAYLOAD_TOO_LARGE', 'The request body is larger than this route accepts'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type: text/plain'],
  429: ['RATE_LIMITED', 'Too many requests; retry after the time in Retry-After'],
};

export function errorExample(status: number) {
  const [code, message] = ERRORS[status] ?? ['ERROR', 'The request failed'];
  return { error: { code, message, requestId: REQUEST_ID } };
}

const FUNCTION = {
  id: '5b0f7f3e-2a43-4c6a-9a53-0d3f1c7e9b21',
  name: 'hello',
  version: 1,
  latestVersion: 1,
  packageType: 'Zip',
  runtime: 'nodejs',
  handler: 'index.handler',
  memoryMb: 128,
  timeoutS: 3,
  architecture: 'x86_64',
  ephemeralStorageMb: 512,
  environment: { GREETING: 'hello' },
  reservedConcurrency: null,
  codeSha256: '9f2c0a6e4b1d3c5a7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d',
  codeSize: 312,
  codeUnzippedSize: 164,
  imageDigest: null,
  imageConfig: {},
  createdAt: '2026-11-15T12:00:00.000Z',
  lastModified: '2026-11-15T12:00:00.000Z',
};

const LINE = {
  id: 'requests-x86_64',
  kind: 'requests',
  architecture: 'x86_64',
  tier: null,
  adjustsPeriod: null,
  description: 'Requests (x86_64)',
  quantity: '1500000',
  freeQuantity: '1000000',
  billableQuantity: '500000',
  unitPrice: '0.0000002',
  amount: '0.10',
};

/** Month-to-date lines are not stored yet, so they carry no id. */
const { id: _id, ...costLine } = LINE;

const INVOICE = {
  id: 'inv_2026-10_7d1e',
  accountId: '0e5c3b1a-7f0d-4d52-8a4e-2c1b9f6e3d70',
  period: '2026-10',
  status: 'finalized',
  currency: 'USD',
  total: '0.10',
  priceVersion: '2026-01',
  freeTier: true,
  createdAt: '2026-11-01T00:05:00.000Z',
  updatedAt: '2026-11-01T00:05:00.000Z',
  finalizedAt: '2026-11-01T00:05:00.000Z',
  voidedAt: null,
  voidReason: null,
  lines: [LINE],
};

export interface OperationExamples {
  request?: unknown;
  responses: Record<string, unknown>;
}

/** Success examples of the operations people start with, by operationId. */
export const successExamples: Record<string, OperationExamples> = {
  createFunction: {
    request: { name: 'hello', runtime: 'nodejs', handler: 'index.handler', memoryMb: 128, zipFile: 'UEsDBBQAAAAIAA...' },
    responses: { 201: FUNCTION },
  },
  listFunctions: { responses: { 200: { functions: [FUNCTION], next: null } } },
  getFunction: { responses: { 200: FUNCTION } },
  invokeFunction: {
    request: { name: 'Ada' },
    responses: { 200: { message: 'hello Ada' }, 202: { requestId: REQUEST_ID } },
  },
  getInvocation: {
    responses: {
      200: { requestId: REQUEST_ID, functionName: 'hello', type: 'async', status: 'succeeded', attempts: 1 },
    },
  },
  getUsage: {
    responses: {
      200: {
        accountId: INVOICE.accountId,
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-11-02T00:00:00.000Z',
        granularity: 'day',
        groupBy: 'function',
        buckets: [
          {
            start: '2026-11-01T00:00:00.000Z',
            functionId: 'hello',
            requests: 3,
            billedMs: 45,
            gbSeconds: '0.005625',
            errors: 0,
            timeouts: 0,
          },
        ],
        totals: { requests: 3, billedMs: 45, gbSeconds: '0.005625', errors: 0, timeouts: 0 },
      },
    },
  },
  getCurrentCost: {
    responses: {
      200: {
        accountId: INVOICE.accountId,
        period: '2026-11',
        asOf: '2026-11-15T12:00:00.000Z',
        currency: 'USD',
        priceVersion: '2026-01',
        total: '0.10',
        lines: [costLine],
        freeTier: {
          enabled: true,
          requestsUsed: 1000000,
          requestsRemaining: 0,
          gbSecondsUsed: '1200.000000',
          gbSecondsRemaining: '398800.000000',
        },
        forecast: { total: '0.20', method: 'linear', elapsedFraction: '0.48' },
        budgets: [],
      },
    },
  },
  listInvoices: { responses: { 200: { invoices: [INVOICE] } } },
  getInvoice: { responses: { 200: INVOICE } },
  createBudget: {
    request: { amount: '25.00', thresholds: [50, 80, 100], basis: 'actual', hardCap: false },
    responses: {},
  },
};
