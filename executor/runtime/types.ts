import type { Logger } from 'pino';
import type { ImageConfigOverrides, Runtime } from '../../src/contracts/executor.js';
import type { InvocationStatus } from '../../src/contracts/usage.js';

/** One invocation's usage: the `POST /v1/usage` wire contract. */
export type { InvocationStatus, UsageEvent } from '../../src/contracts/usage.js';

export type { Runtime } from '../../src/contracts/executor.js';

/** A container image function: its unpacked root and what runs in it (imageConfig already applied). */
export interface ImageRun {
  /** The OCI manifest digest. */
  digest: string;
  /** The unpacked root file system on the host: read-only, shared by every instance of the image. */
  rootfs: string;
  /** Entry point and command as the image and the function's imageConfig set them. */
  argv: string[];
  workingDirectory: string;
  /** The image's own ENV (PATH...), below the function's environment. */
  environment: Record<string, string>;
}

export interface FunctionSpec {
  functionId: string;
  name: string;
  version: string;
  runtime: Runtime;
  handler: string;
  memoryMb: number;
  timeoutS: number;
  environment: Record<string, string>;
  /** Folder holding the unpacked code (LAMBDA_TASK_ROOT); with `codeSha256`, the code cache's folder, filled in when an instance starts. */
  codeDir: string;
  /** A zip function's code, as the api names it: taken from the code cache (and held) by each instance as it starts. */
  codeSha256?: string;
  /** Size of the function's /tmp (default 512, as Lambda). */
  ephemeralStorageMb?: number;
  /** Most instances this function may run at once; absent means only the executor's capacity. */
  reservedConcurrency?: number;
  /** The owning account, as the api's ARNs name it (its invokedFunctionArn's account part). */
  accountId?: string;
  /** The region of the api's ARNs (TALLY_REGION); absent: the executor's own (LaunchOptions.region). */
  region?: string;
  /** A container image function, as the api names it: its manifest digest and the function's overrides. */
  imageRef?: { digest: string; config: ImageConfigOverrides };
  /** The same image, unpacked and resolved when an instance starts (codeDir is then its root file system). */
  image?: ImageRun;
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
  /** The same, line by line with timestamps, for the stored logs (absent from runners that keep none). */
  lines?: import('./log-lines.js').CapturedLine[];
}

/** The logging surface the executor pieces need; a pino logger fits. */
export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
