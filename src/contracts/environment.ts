/**
 * Which environment variables a function may set: the one list, checked by the api when a function
 * is created or configured, and applied again by the executor to what it runs (a version stored
 * before a name was added here must not slip through).
 *
 * Three kinds of names are refused:
 * - what the platform sets for every instance and code relies on as true: Lambda's reserved names,
 *   HOME and TMPDIR (the instance's scratch space), and everything starting with TALLY_ (Tally's
 *   own, such as TALLY_SANDBOX_EXEC, which carries the runtime's command line into the sandbox);
 * - what makes a program Tally starts inside the instance run code that is not Tally's, before
 *   Tally's code runs: the dynamic loader's LD_* (LD_PRELOAD, LD_AUDIT and LD_LIBRARY_PATH load
 *   libraries into the trampoline shell and the interpreters), glibc's GCONV_PATH (iconv modules),
 *   the shells' start-up files BASH_ENV and ENV, and the interpreter settings that replace or
 *   extend the interpreter's start-up: PYTHONHOME, PYTHONSTARTUP, PYTHONINSPECT;
 * - NODE_OPTIONS holding a flag that loads code ahead of the bootstrap (--require, --import,
 *   --loader) or opens a debugger (--inspect*). Other NODE_OPTIONS (--enable-source-maps,
 *   --stack-trace-limit...) stay allowed, as on Lambda.
 *
 * Allowed as on Lambda: PATH, LANG, TZ, NODE_PATH, PYTHONPATH, NODE_EXTRA_CA_CERTS... They change
 * where the function's own code is looked up, not what runs before the runtime's bootstrap. The
 * sandbox, not this list, is what keeps a function away from the host: this list keeps the
 * platform's variables truthful and the runtime's start-up Tally's.
 */

/** Lambda's reserved variables: the runtime sets them for every instance. */
const LAMBDA_RESERVED = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];

const REFUSED: ReadonlyMap<string, string> = new Map([
  ...LAMBDA_RESERVED.map((n) => [n, 'set by the platform for every instance, as on Lambda'] as const),
  ['HOME', "set by the platform to the instance's scratch space"],
  ['TMPDIR', "set by the platform to the instance's scratch space"],
  ['BASH_ENV', 'a shell start-up file would run before the runtime starts'],
  ['ENV', 'a shell start-up file would run before the runtime starts'],
  ['GCONV_PATH', "would load code into the platform's programs through glibc's iconv"],
  ['PYTHONHOME', "replaces the Python standard library the runtime's bootstrap is built on"],
  ['PYTHONSTARTUP', 'would run a file when the interpreter starts'],
  ['PYTHONINSPECT', 'would turn the runtime into an interactive interpreter'],
]);

const REFUSED_PREFIXES: readonly (readonly [string, string])[] = [
  ['TALLY_', "reserved for Tally's own variables"],
  ['LD_', 'the dynamic loader would load code into every program started in the instance'],
];

/** Node.js options that run code before the bootstrap, or open a debugger; underscores count as dashes, as node reads them. */
const NODE_CODE_FLAGS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);

function refusedNodeOption(value: string): string | null {
  for (const raw of value.split(/\s+/)) {
    const token = raw.replace(/^["']|["']$/g, '');
    if (!token.startsWith('-')) continue;
    const flag = token.split('=')[0]!.replaceAll('_', '-');
    if (NODE_CODE_FLAGS.has(flag) || flag.startsWith('--inspect') || flag === '--debug-port') return flag;
  }
  return null;
}

/** Why a function may not set this variable (to this value), or null when it may. */
export function refusedEnvironmentVariable(name: string, value: string): string | null {
  const exact = REFUSED.get(name);
  if (exact) return exact;
  for (const [prefix, reason] of REFUSED_PREFIXES) if (name.startsWith(prefix)) return reason;
  if (name === 'NODE_OPTIONS') {
    const flag = refusedNodeOption(value);
    if (flag) return `${flag} would load code before the runtime's bootstrap (or open a debugger); other Node.js options are allowed`;
  }
  return null;
}

/** The function's variables the platform passes on: any refused one is left out. */
export function allowedEnvironment(env: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (refusedEnvironmentVariable(name, value) === null) kept[name] = value;
  return kept;
}
