import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { beforeAll } from 'vitest';
import { removeTestDir } from './cleanup.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Debian's chromium: never a browser download. */
export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds the console before the test file's app is built (buildApp looks for console/dist once); a no-op when up to date. */
export function buildConsoleFirst(): void {
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
  }, 120_000);
}

/** The browser with a fresh profile (`prefix` names its folder); `close` ends it and removes the profile. */
export async function launchChromium(
  prefix: string,
  options: Omit<Parameters<typeof chromium.launchPersistentContext>[1], 'executablePath' | 'headless' | 'args'> = {},
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (npm test does it as root)`);
  const profile = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, ...options });
  return {
    context,
    close: async () => {
      await context.close();
      await removeTestDir(profile);
    },
  };
}
