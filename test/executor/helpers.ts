import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { FunctionSpec } from '../../executor/runtime/types.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export const silentLog = pino({ level: 'silent' });

/**
 * Copies the fixture functions outside the repository: the repo's package.json says
 * "type": "module", which would turn a function's CommonJS index.js into ESM. Real code is
 * unpacked outside any package scope, as in Lambda's /var/task.
 */
export function copyFixtures(): { dir: (name: string) => string; remove: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tally-fixtures-'));
  cpSync(FIXTURES, root, { recursive: true });
  return { dir: (name) => path.join(root, name), remove: () => rmSync(root, { recursive: true, force: true }) };
}

let counter = 0;

export function makeSpec(codeDir: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  counter += 1;
  return {
    functionId: `fn-${process.pid}-${counter}`,
    name: `test-fn-${counter}`,
    version: '1',
    runtime: 'nodejs',
    handler: 'index.handler',
    memoryMb: 128,
    timeoutS: 3,
    environment: {},
    codeDir,
    ...overrides,
  };
}

export function event(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function json(payload: Buffer): any {
  return JSON.parse(payload.toString('utf8'));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
