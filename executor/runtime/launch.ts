import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionSpec } from './types.js';

export const DEFAULT_BOOTSTRAP_DIR = fileURLToPath(new URL('../bootstrap/', import.meta.url));

/** How an instance's runtime is started. */
export interface LaunchOptions {
  /** AWS_REGION inside the function. */
  region?: string;
  nodePath?: string;
  /** The real interpreter (see resolvePython); a pyenv shim would add ~80 ms per cold start. */
  pythonPath?: string;
  bootstrapDir?: string;
  /** Pass --max-old-space-size (90 % of the memory) to node; default true. */
  nodeHeapLimit?: boolean;
  /** Default `ruby` (Debian's, under /usr). */
  rubyPath?: string;
  /** Default `java` (the JDK's, under /usr). */
  javaPath?: string;
  /** The built Java runtime client (java-runtime.ts): required for `java` functions. */
  javaRuntimeDir?: string;
}

/** Where the runtime finds things, as the runtime itself sees them (inside a sandbox: /var/task...). */
export interface RuntimePaths {
  /** The function's code (LAMBDA_TASK_ROOT). */
  taskRoot: string;
  /** The folder holding Tally's bootstrap for this runtime (LAMBDA_RUNTIME_DIR). */
  runtimeDir: string;
  /** The function's writable scratch space (HOME, TMPDIR). */
  tmp: string;
  /** host:port of the Runtime API. */
  runtimeApi: string;
}

const BOOTSTRAP_FOLDERS = { nodejs: 'node', python: 'python', ruby: 'ruby' } as const;

/** Tally's bootstrap folder for a managed runtime on the host (null for `provided` and images). */
export function bootstrapFolder(spec: Pick<FunctionSpec, 'runtime' | 'image'>, options: LaunchOptions): string | null {
  if (spec.runtime === 'provided' || spec.image) return null;
  if (spec.runtime === 'java') {
    if (!options.javaRuntimeDir) throw new Error('the Java runtime client is not built on this executor (javac and Jackson are needed)');
    return options.javaRuntimeDir;
  }
  return path.join(options.bootstrapDir ?? DEFAULT_BOOTSTRAP_DIR, BOOTSTRAP_FOLDERS[spec.runtime as keyof typeof BOOTSTRAP_FOLDERS]);
}

/**
 * The JVM's flags: the serial collector and the first JIT tier only (the JVM spends its cold start
 * compiling, and most functions end before the second tier pays off), the shared class archive,
 * no perf-data file in /tmp, and a heap sized from the function's memory: the sandbox hides the
 * cgroup from the JVM, which would otherwise size its heap from the host's memory and be killed
 * by the kernel instead of throwing OutOfMemoryError.
 */
export function javaFlags(memoryMb: number): string[] {
  const heapMb = Math.max(32, Math.floor(memoryMb * 0.8));
  return [
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Xshare:auto',
    '-XX:-UsePerfData',
    `-Xmx${heapMb}m`,
    `-Xms${Math.min(heapMb, 16)}m`,
  ];
}

/** The runtime's command line. */
export function runtimeCommand(spec: FunctionSpec, options: LaunchOptions, paths: RuntimePaths): string[] {
  switch (spec.runtime) {
    case 'nodejs': {
      const heapMb = Math.max(16, Math.floor(spec.memoryMb * 0.9));
      // The heap flag makes V8 collect hard near the limit instead of growing into a kill, but any
      // heap-size flag also costs ~20 ms of node start-up here (measured); nodeHeapLimit: false skips it.
      const heapArgs = options.nodeHeapLimit === false ? [] : [`--max-old-space-size=${heapMb}`];
      return [options.nodePath ?? process.execPath, '--v8-pool-size=1', ...heapArgs, path.join(paths.runtimeDir, 'bootstrap.mjs')];
    }
    case 'python':
      return [options.pythonPath ?? 'python3', '-u', path.join(paths.runtimeDir, 'bootstrap.py')];
    // Rubygems is loaded by the bootstrap only when the function brings gems (it costs ~40 ms).
    case 'ruby':
      return [options.rubyPath ?? 'ruby', '--disable-gems', path.join(paths.runtimeDir, 'bootstrap.rb')];
    case 'java':
      return [options.javaPath ?? 'java', ...javaFlags(spec.memoryMb), '-cp', path.join(paths.runtimeDir, 'classes'), 'tally.runtime.Main'];
    case 'provided':
      return spec.image ? spec.image.argv : [path.join(paths.taskRoot, 'bootstrap')];
  }
}

/** Lambda's PATH where an image sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Built from nothing: the executor's own environment (secrets, NODE_EXTRA_CA_CERTS) never leaks in. */
export function instanceEnvironment(
  spec: FunctionSpec,
  options: LaunchOptions,
  instance: { paths: RuntimePaths; instanceId: string },
): Record<string, string> {
  const region = regionOf(spec, options);
  // An image brings its own interpreters: the host's folders mean nothing inside it.
  const binDirs = spec.image
    ? []
    : [options.nodePath ?? process.execPath, options.pythonPath]
        .filter((p): p is string => p !== undefined && path.isAbsolute(p))
        .map((p) => path.dirname(p));
  const PATH = [...new Set([...binDirs, ...DEFAULT_PATH.split(':')])].join(':');
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const { paths } = instance;
  const execution = executionEnv(spec);
  return {
    // Lambda lets a function override these three (and an image's ENV sets them first)...
    PATH,
    LANG: 'C.UTF-8',
    TZ: ':UTC',
    ...spec.image?.environment,
    ...spec.environment,
    // ...but not these.
    HOME: paths.tmp,
    TMPDIR: paths.tmp,
    AWS_LAMBDA_RUNTIME_API: paths.runtimeApi,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: paths.taskRoot,
    LAMBDA_RUNTIME_DIR: paths.runtimeDir,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    ...(execution ? { AWS_EXECUTION_ENV: execution } : {}),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[${spec.version}]${instance.instanceId}${randomBytes(10).toString('hex')}`,
    ...(spec.runtime === 'python' ? { PYTHONUNBUFFERED: '1' } : {}),
  };
}

const regionOf = (spec: FunctionSpec, options: LaunchOptions): string => spec.region ?? options.region ?? 'local';

/**
 * The function's ARN as the api's Lambda API names it (its account, TALLY_REGION), ending with the
 * version or alias the caller named, as Lambda's invokedFunctionArn does. An api of a release before
 * 2026-12-07 sends no region: the executor's own (`local` by default) is used with the account.
 */
export function functionArn(spec: FunctionSpec, options: LaunchOptions, qualifier?: string): string {
  const arn = `arn:aws:lambda:${regionOf(spec, options)}:${spec.accountId ?? '000000000000'}:function:${spec.name}`;
  return qualifier === undefined ? arn : `${arn}:${qualifier}`;
}

/** As on Lambda, an image function has none (its base image may set one in its ENV). */
function executionEnv(spec: Pick<FunctionSpec, 'runtime' | 'image'>): string | undefined {
  if (spec.image) return undefined;
  if (spec.runtime === 'nodejs') return `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`;
  if (spec.runtime === 'python') return 'AWS_Lambda_python3';
  if (spec.runtime === 'ruby') return 'AWS_Lambda_ruby3';
  if (spec.runtime === 'java') return 'AWS_Lambda_java17';
  return 'AWS_Lambda_provided';
}
