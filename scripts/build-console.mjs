// `npm run build:console`: type-checks the web console (console/src) and builds it with Vite into
// console/dist, which the api serves at /console. Skipped when the build is newer than every source
// (prestart and pretest call it each time). Without Vite (a production install without dev
// dependencies) an existing build is kept, and a missing one is reported: /console then says how
// to build it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'console');
const built = join(dir, 'dist', 'index.html');
const require = createRequire(import.meta.url);
const force = process.argv.includes('--force');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

const sources = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json'].map((f) => join(dir, f));
sources.push(join(root, 'package-lock.json'));
// The typed API client the console is built on, when there is one.
if (existsSync(join(root, 'src', 'client'))) sources.push(join(root, 'src', 'client'));

if (!force && existsSync(built) && statSync(built).mtimeMs > Math.max(...sources.filter(existsSync).map(newest))) {
  console.log('console: up to date (console/dist)');
  process.exit(0);
}

let vite;
try {
  vite = await import(require.resolve('vite'));
} catch {
  console.warn(
    existsSync(built)
      ? 'console: vite is not installed (no dev dependencies); keeping the existing console/dist'
      : 'console: vite is not installed (no dev dependencies), so the console is not built; /console will say so',
  );
  process.exit(0);
}

const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' });
await vite.build({ configFile: join(dir, 'vite.config.ts'), logLevel: 'warn' });
console.log('console: built console/dist');
