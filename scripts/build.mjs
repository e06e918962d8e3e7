// `npm run build`: compiles src/ and executor/ to dist/ (dist/src/server.js, dist/executor/main.js)
// and copies what the compiled code reads from disk next to it, at the same relative places:
// migrations/ (read by src/db/migrate), the runtime bootstraps (read by executor/runtime/launch) and
// the answer clock's addon (loaded by executor/runtime/answer-clock).
// It builds the web console too, and copies it to dist/console/dist (read by src/modules/console).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
cpSync(`${root}migrations`, `${root}dist/migrations`, { recursive: true });
cpSync(`${root}executor/bootstrap`, `${root}dist/executor/bootstrap`, { recursive: true });
// The answer clock's addon (scripts/build-native.mjs; it says so and goes on when it cannot build it).
execFileSync(process.execPath, [`${root}scripts/build-native.mjs`], { stdio: 'inherit' });
if (existsSync(`${root}executor/native/build`))
  cpSync(`${root}executor/native/build`, `${root}dist/executor/native/build`, { recursive: true });
execFileSync(process.execPath, [`${root}scripts/build-console.mjs`], { stdio: 'inherit' });
if (existsSync(`${root}console/dist/index.html`)) cpSync(`${root}console/dist`, `${root}dist/console/dist`, { recursive: true });
console.log('built dist/ (node dist/src/server.js, node dist/executor/main.js)');
