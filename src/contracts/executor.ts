import { Type, type Static } from 'typebox';
import type { ARCHITECTURES } from './usage.js';

/**
 * Wire contract between the api and its executors (docs/architecture.md, "Processes").
 * Executors call the api with a platform-wide executor key; the api calls an executor's
 * `POST /invoke` with the token the executor handed over when it registered.
 */

export const RUNTIMES = ['nodejs', 'python', 'ruby', 'java', 'provided'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/**
 * AWS's runtime identifiers, accepted so templates written for Lambda deploy unchanged. Each runs on
 * the executor's own interpreter (Node.js 20, Python 3.11, Ruby 3.1, Java 17 on Debian 12), so only
 * identifiers whose code that interpreter runs are listed: no nodejs22.x on Node.js 20.
 */
export const RUNTIME_ALIASES = {
  'nodejs18.x': 'nodejs',
  'nodejs20.x': 'nodejs',
  'python3.8': 'python',
  'python3.9': 'python',
  'python3.10': 'python',
  'python3.11': 'python',
  'ruby3.2': 'ruby',
  'java8.al2': 'java',
  java11: 'java',
  java17: 'java',
  'provided.al2': 'provided',
  'provided.al2023': 'provided',
} as const satisfies Record<string, Runtime>;
export type RuntimeAlias = keyof typeof RUNTIME_ALIASES;

/** The runtime an identifier or alias names. */
export const canonicalRuntime = (name: Runtime | RuntimeAlias): Runtime =>
  (RUNTIMES as readonly string[]).includes(name) ? (name as Runtime) : RUNTIME_ALIASES[name as RuntimeAlias];

export type PackageType = 'Zip' | 'Image';

/** A container image's settings that `imageConfig` may override (Lambda's ImageConfig). */
export interface ImageConfigOverrides {
  entryPoint?: string[];
  command?: string[];
  workingDirectory?: string;
}

/** Lambda's synchronous payload limit, for the event and for the response (6 MiB). */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** `?log=tail` returns at most this much of the invocation's log. */
export const LOG_TAIL_BYTES = 4096;
/** Longest function timeout, seconds (15 minutes). */
export const MAX_TIMEOUT_S = 900;
/**
 * How long after an executor received an invocation a cold instance may still launch its runtime (getting
 * the code or image and a sandbox before it); past it the executor runs nothing and bills nothing (502
 * INSTANCE_START_FAILED). The api waits for an answer this long plus the init's 10 s, the function's
 * timeout and the trip, so an invocation that runs is one whose caller still waits for it.
 */
export const COLD_START_PREPARE_MS = 60_000;

export const RegisterExecutorBody = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'chosen by the executor, kept across its restarts' }),
    url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://', description: 'where the api reaches its POST /invoke' }),
    capacity: Type.Integer({ minimum: 1, maximum: 100_000, description: 'most function instances it runs at once' }),
    token: Type.String({ minLength: 32, maxLength: 256, description: 'bearer token the api presents on each invoke' }),
    sandbox: Type.Optional(
      Type.Union([Type.Literal('on'), Type.Literal('off')], {
        description: "'off' when functions run unisolated (TALLY_SANDBOX=off, a developer switch); default 'on'",
      }),
    ),
  },
  { additionalProperties: false },
);
export type RegisterExecutorBody = Static<typeof RegisterExecutorBody>;

export const RegisterExecutorAnswer = Type.Object({
  id: Type.String(),
  heartbeatIntervalMs: Type.Integer({ description: 'how often to heartbeat' }),
  staleAfterMs: Type.Integer({ description: 'an executor not heard from for this long gets no work' }),
});
export type RegisterExecutorAnswer = Static<typeof RegisterExecutorAnswer>;

/** What the registry's integer columns hold: a count past it is refused as a 400, not failed on by the database. */
const MAX_COUNT = 2_147_483_647;

export const HeartbeatBody = Type.Object(
  {
    instances: Type.Integer({ minimum: 0, maximum: MAX_COUNT }),
    busy: Type.Integer({ minimum: 0, maximum: MAX_COUNT }),
  },
  { additionalProperties: false },
);
export type HeartbeatBody = Static<typeof HeartbeatBody>;

/** What the api sends with each invocation: one immutable function version, everything needed to run it. */
export interface InvokeSpec {
  accountId: string;
  /** The function's id (uuid): instances are pooled by it. */
  functionId: string;
  name: string;
  version: number;
  runtime: Runtime;
  handler: string;
  memoryMb: number;
  timeoutS: number;
  architecture: (typeof ARCHITECTURES)[number];
  ephemeralStorageMb: number;
  environment: Record<string, string>;
  reservedConcurrency: number | null;
  /** Hex SHA-256 of the zip: `GET /v1/code/:sha256` on the api (for an image, its manifest digest's hex). */
  codeSha256: string;
  /**
   * A container image function (packageType Image): the digest of its OCI manifest (blobs from
   * `GET /v1/images/blobs/:digest`) and the function's overrides of the image's own settings.
   * `runtime` is then `provided`: the image's entry point speaks the Runtime API itself.
   */
  image?: { digest: string; config: ImageConfigOverrides };
  /**
   * Signed by the api for this one invocation on this one executor; the executor copies it into the
   * invocation's usage event, and ingest refuses a platform executor key's event without a valid one.
   */
  dispatchToken?: string;
  /**
   * The region the api's ARNs name (TALLY_REGION): the function's AWS_REGION and the region of its
   * context.invokedFunctionArn. Absent from an earlier api: the executor's own default.
   */
  region?: string;
  /**
   * The version or alias the caller named (`live`, `3`, `$LATEST`), for this one invocation: Lambda's
   * invokedFunctionArn carries it. Absent for a call by the function's name alone.
   */
  qualifier?: string;
}

/**
 * The InvokeSpec JSON (which ends with `}`) with one more string field, without encoding the spec again:
 * the api encodes a version's spec once and adds what is per invocation (its dispatch token, the
 * qualifier the caller named).
 */
export function withSpecField(spec: Buffer, name: keyof InvokeSpec, value: string): Buffer {
  return Buffer.concat([spec.subarray(0, spec.length - 1), Buffer.from(`,${JSON.stringify(name)}:${JSON.stringify(value)}}`)]);
}

/**
 * `POST /invoke` on an executor. The body is the InvokeSpec JSON (its length in
 * SPEC_LENGTH) immediately followed by the event bytes, so the event is never re-encoded.
 */
export const invokeHeaders = {
  /** Request: bytes of InvokeSpec JSON at the start of the body. */
  specLength: 'x-tally-spec-length',
  /** Request and answer: the invocation id (a uuid; the usage event's invocationId). */
  requestId: 'x-tally-request-id',
  /** Request: "tail" to get the last 4 KB of the log back. */
  log: 'x-tally-log',
  /** Request: the caller's client context (base64 JSON), handed to the runtime as Lambda-Runtime-Client-Context. */
  clientContext: 'x-tally-client-context',
  /** Answer: success | error | timeout. */
  status: 'x-tally-status',
  errorType: 'x-tally-error-type',
  billedDurationMs: 'x-tally-billed-duration-ms',
  durationMs: 'x-tally-duration-ms',
  initDurationMs: 'x-tally-init-duration-ms',
  maxMemoryUsedMb: 'x-tally-max-memory-used-mb',
  logResult: 'x-tally-log-result',
  /** Answer on 429: reserved_concurrency | executor_capacity. */
  throttleReason: 'x-tally-throttle-reason',
} as const;

export type ThrottleReason = 'reserved_concurrency' | 'executor_capacity';

/** An executor's answer to one invocation, over HTTP or in-process. */
export interface InvokeAnswer {
  status: number;
  /** Lower-case names, as HTTP headers arrive. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * The same `POST /invoke`, as a function call: how the api reaches the executor that runs inside
 * its own process (`npm start`), skipping a loopback HTTP round trip.
 */
export type LocalInvoker = (request: {
  spec: Buffer;
  event: Buffer;
  requestId: string;
  logTail: boolean;
  clientContext?: string;
}) => Promise<InvokeAnswer>;
