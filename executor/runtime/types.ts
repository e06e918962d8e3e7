import type { Logger } from 'pino';
import type { InvocationStatus } from '../../src/contracts/usage.js';

/** One invocation's usage: the `POST /v1/usage` wire contract. */
export type { InvocationStatus, UsageEvent } from '../../src/contracts/usage.js';

export type Runtime = 'nodejs' | 'python' | 'provided';

export interface FunctionSpec {
  functionId: string;
  name: string;
  version: string;
  runtime: Runtime;
  handler: string;
  memoryMb: number;
  timeoutS: number;
  environment: Record<string, string>;
  /** Folder holding the unpacked code (LAMBDA_TASK_ROOT). */
  codeDir: string;
  /** Size of the function's /tmp (default 512, as Lambda). */
  ephemeralStorageMb?: number;
  /** Most instances this function may run at once; absent means only the executor's capacity. */
  reservedConcurrency?: number;
}

export interface InvocationResult {
  requestId: string;
  status: InvocationStatus;
  /** The response body, or the error JSON. */
  payload: Buffer;
  errorType?: string;
  durationMs: number;
  /** ceil(min(durationMs, 900000) + min(initDurationMs, 10000) when cold). */
  billedDurationMs: number;
  /** Only on a cold start. */
  initDurationMs?: number;
  maxMemoryUsedMb: number;
  /** The invocation's output followed by Lambda's START/END/REPORT lines. */
  log: string;
}

/** The logging surface the executor pieces need; a pino logger fits. */
export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
