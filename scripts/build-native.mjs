// Builds the executor's native pieces with the C compiler, each skipped when its build is newer than
// its source (postinstall, prestart and pretest call this each time; `--force` builds both again):
// - executor/native/build/answer-clock.node, the answer clock (executor/native/answer-clock.c), with
//   Node's own headers. Without a compiler or the headers it says so and goes on: the executor then
//   ends an invocation's billed time where its event loop reads the answer (docs/billing-clock.md).
// - executor/native/build/tally-drop, the sandbox's privilege drop (executor/native/drop.c), linked
//   statically (docs/sandbox.md). Without it the sandbox refuses to start and says how to build it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const native = join(root, 'executor', 'native');
const force = process.argv.includes('--force');
const cc = process.env.CC ?? 'cc';

if (process.platform !== 'linux') {
  console.log('native pieces: Linux only; not built');
  process.exit(0);
}

/** Whether `output` must be (re)built from `source`, saying so when it need not. */
function stale(name, source, output) {
  if (!force && existsSync(output) && statSync(output).mtimeMs > statSync(source).mtimeMs) {
    console.log(`${name}: up to date (executor/native/build)`);
    return false;
  }
  mkdirSync(dirname(output), { recursive: true });
  return true;
}

function buildDrop() {
  const source = join(native, 'drop.c');
  const output = join(native, 'build', 'tally-drop');
  if (!stale('privilege drop', source, output)) return;
  try {
    execFileSync(cc, ['-static', '-O2', '-Wall', '-Wextra', '-o', output, source], { stdio: 'inherit' });
    console.log('privilege drop: built executor/native/build/tally-drop');
  } catch (err) {
    console.warn(
      `privilege drop: not built (${err.message}); the function sandbox will not start without it (apt-get install -y gcc libc6-dev)`,
    );
  }
}

function buildAnswerClock() {
  const source = join(native, 'answer-clock.c');
  const output = join(native, 'build', 'answer-clock.node');
  if (!stale('answer clock', source, output)) return;
  // Node's headers: beside the node binary (Debian, nvm, the official tarballs), or npm's nodedir.
  const candidates = [
    join(dirname(dirname(process.execPath)), 'include', 'node'),
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  ];
  const headers = candidates.find((dir) => dir && existsSync(join(dir, 'node_api.h')));
  if (!headers) {
    console.warn(`answer clock: not built, Node's headers (node_api.h) were not found in ${candidates.filter(Boolean).join(' or ')}`);
    return;
  }
  try {
    execFileSync(
      cc,
      ['-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-shared', '-fPIC', '-pthread', `-I${headers}`, '-o', output, source],
      { stdio: 'inherit' },
    );
    console.log('answer clock: built executor/native/build/answer-clock.node');
  } catch (err) {
    console.warn(`answer clock: not built (${err.message}); billed time ends where the executor reads each answer`);
  }
}

buildDrop();
buildAnswerClock();
