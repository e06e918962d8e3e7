/** Lambda's metering arithmetic and log lines. */

/** The most handler time ever counted (15 minutes). */
export const MAX_COUNTED_DURATION_MS = 900_000;
/** The most init time ever counted. */
export const MAX_COUNTED_INIT_MS = 10_000;

/**
 * Measured times are kept to the microsecond: a value with three decimals reads back exactly on
 * the api (which bills from the decimal text), so both sides compute the same billed milliseconds.
 */
export const toMicrosecond = (ms: number): number => Math.round(ms * 1000) / 1000;

/** ceil(min(duration, 900 000) + min(init, 10 000)): whole milliseconds, rounded up, in integer microseconds. */
export function billedDurationMs(durationMs: number, initDurationMs?: number): number {
  const micros = (ms: number) => Math.round(ms * 1000);
  const init = initDurationMs === undefined ? 0 : Math.min(micros(initDurationMs), MAX_COUNTED_INIT_MS * 1000);
  const total = Math.min(micros(durationMs), MAX_COUNTED_DURATION_MS * 1000) + init;
  return Math.floor((total + 999) / 1000);
}

export interface ReportFields {
  requestId: string;
  version: string;
  durationMs: number;
  billedDurationMs: number;
  memoryMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  /** Set for failures of the sandbox itself (timeout, out of memory, runtime exit), as Lambda does. */
  failure?: { status: 'timeout' | 'error'; errorType?: string };
}

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}\n`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}\n`;
}

export function reportLine(f: ReportFields): string {
  let line =
    `REPORT RequestId: ${f.requestId}\tDuration: ${f.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${f.billedDurationMs} ms\tMemory Size: ${f.memoryMb} MB\tMax Memory Used: ${f.maxMemoryUsedMb} MB`;
  if (f.initDurationMs !== undefined) line += `\tInit Duration: ${f.initDurationMs.toFixed(2)} ms`;
  if (f.failure) {
    line += `\tStatus: ${f.failure.status}`;
    if (f.failure.errorType) line += `\tError Type: ${f.failure.errorType}`;
  }
  return `${line}\n`;
}

/** Lambda's own wording: "Task timed out after 3.00 seconds". */
export function timeoutMessage(timeoutMs: number): string {
  return `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
}

/** Go-style exit description, as Lambda prints it: "exit status 1", "signal: killed". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal: ${SIGNAL_WORDS[signal] ?? signal}`;
  return `exit status ${code ?? 0}`;
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGTERM: 'terminated',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
  SIGFPE: 'floating point exception',
};
