import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A home folder of its own, so profiles written by one test are not read by another or by the user's. */
export const freshHome = () => mkdtempSync(join(tmpdir(), 'tally-cli-home-'));

/** Runs the `tally` bin as a user would, from the TypeScript source, and collects what it printed. */
export function tally(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TALLY_CLI_FROM: 'source', ...env };
  for (const k of ['TALLY_URL', 'TALLY_KEY', 'TALLY_PROFILE', 'TALLY_CONFIG', 'XDG_CONFIG_HOME'] as const) {
    if (!(k in env)) delete childEnv[k];
  }
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, ['bin/tally.mjs', ...args], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
