// Builds the executor's answer clock (executor/native/answer-clock.c) into
// executor/native/build/answer-clock.node with the C compiler and Node's own headers. Skipped when
// the build is newer than its source (postinstall, prestart and pretest call it each time).
// Without a compiler or the headers it says so and exits 0: the executor then ends an invocation's
// billed time where its event loop reads the answer, as it did before (docs/billing-clock.md).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'executor', 'native', 'answer-clock.c');
const output = join(root, 'executor', 'native', 'build', 'answer-clock.node');
const force = process.argv.includes('--force');

if (process.platform !== 'linux') {
  console.log('answer clock: Linux only; not built');
  process.exit(0);
}
if (!force && existsSync(output) && statSync(output).mtimeMs > statSync(source).mtimeMs) {
  console.log('answer clock: up to date (executor/native/build)');
  process.exit(0);
}
// Node's headers: beside the node binary (Debian, nvm, the official tarballs), or npm's nodedir.
const candidates = [
  join(dirname(dirname(process.execPath)), 'include', 'node'),
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
];
const headers = candidates.find((dir) => dir && existsSync(join(dir, 'node_api.h')));
if (!headers) {
  console.warn(`answer clock: not built, Node's headers (node_api.h) were not found in ${candidates.filter(Boolean).join(' or ')}`);
  process.exit(0);
}
mkdirSync(dirname(output), { recursive: true });
try {
  execFileSync(
    process.env.CC ?? 'cc',
    ['-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-shared', '-fPIC', '-pthread', `-I${headers}`, '-o', output, source],
    { stdio: 'inherit' },
  );
  console.log('answer clock: built executor/native/build/answer-clock.node');
} catch (err) {
  console.warn(`answer clock: not built (${err.message}); billed time ends where the executor reads each answer`);
}
