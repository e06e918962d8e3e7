import { readFileSync } from 'node:fs';

/** Resident memory of a process and its descendants, in kB, read from /proc. */
export interface MemorySample {
  /** Sum of VmRSS over the process tree now. */
  rssKb: number;
  /** The root process's peak resident set (VmHWM) over its life. */
  peakKb: number;
}

export function sampleMemory(pid: number): MemorySample | null {
  const root = readStatus(pid);
  if (!root) return null;
  let rssKb = root.rssKb;
  // Descendants (a shell bootstrap's curl, a handler's subprocess) count against the same memory.
  const stack = childrenOf(pid);
  let guard = 0;
  while (stack.length > 0 && guard++ < 256) {
    const child = stack.pop()!;
    const status = readStatus(child);
    if (!status) continue;
    rssKb += status.rssKb;
    stack.push(...childrenOf(child));
  }
  return { rssKb, peakKb: Math.max(root.peakKb, rssKb) };
}

function readStatus(pid: number): { rssKb: number; peakKb: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  return { rssKb: field(text, 'VmRSS:'), peakKb: field(text, 'VmHWM:') };
}

function field(text: string, name: string): number {
  const at = text.indexOf(name);
  if (at < 0) return 0;
  return Number.parseInt(text.slice(at + name.length, text.indexOf('\n', at)), 10) || 0;
}

/** A process's live children (none once it is gone). */
export function childrenOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim();
    return text === '' ? [] : text.split(' ').map(Number);
  } catch {
    return [];
  }
}

/** SIGKILL a whole process group (the instance was spawned detached, so its pid is the group id). */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
