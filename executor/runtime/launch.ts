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

/** Tally's bootstrap folder for a managed runtime on the host (null for `provided`). */
export function bootstrapFolder(spec: Pick<FunctionSpec, 'runtime'>, options: LaunchOptions): string | null {
  if (spec.runtime === 'provided') return null;
  return path.join(options.bootstrapDir ?? DEFAULT_BOOTSTRAP_DIR, spec.runtime === 'nodejs' ? 'node' : 'python');
}

/** The runtime's command line. */
export function runtimeCommand(spec: FunctionSpec, options: LaunchOptions, paths: RuntimePaths): string[] {
  switch (spec.runtime) {
    case 'nodejs': {
      const heapMb = Math.max(16, Math.floor(spec.memoryMb * 0.9));
      // The heap flag makes V8 collect hard near the limit instead of growing into a kill, but any
      // heap-size flag also costs ~20 ms of node start-up here (measured); nodeHeapLimit: false skips it.
      const heapArgs = options.nodeHeapLimit === false ? [] : [`--max-old-space-size=${heapMb}`];
      return [options.nodePath ?? process.execPath, ...heapArgs, path.join(paths.runtimeDir, 'bootstrap.mjs')];
    }
    case 'python':
      return [options.pythonPath ?? 'python3', '-u', path.join(paths.runtimeDir, 'bootstrap.py')];
    case 'provided':
      return [path.join(paths.taskRoot, 'bootstrap')];
  }
}

/** Built from nothing: the executor's own environment (secrets, NODE_EXTRA_CA_CERTS) never leaks in. */
export function instanceEnvironment(
  spec: FunctionSpec,
  options: LaunchOptions,
  instance: { paths: RuntimePaths; instanceId: string },
): Record<string, string> {
  const region = options.region ?? 'local';
  const binDirs = [options.nodePath ?? process.execPath, options.pythonPath]
    .filter((p): p is string => p !== undefined && path.isAbsolute(p))
    .map((p) => path.dirname(p));
  const systemDirs = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  const PATH = [...new Set([...binDirs, ...systemDirs])].join(':');
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const { paths } = instance;
  return {
    // Lambda lets a function override these three...
    PATH,
    LANG: 'C.UTF-8',
    TZ: ':UTC',
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
    AWS_EXECUTION_ENV: executionEnv(spec.runtime),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[${spec.version}]${instance.instanceId}${randomBytes(10).toString('hex')}`,
    ...(spec.runtime === 'python' ? { PYTHONUNBUFFERED: '1' } : {}),
  };
}

export function functionArn(spec: FunctionSpec, options: LaunchOptions): string {
  return `arn:aws:lambda:${options.region ?? 'local'}:000000000000:function:${spec.name}`;
}

function executionEnv(runtime: FunctionSpec['runtime']): string {
  if (runtime === 'nodejs') return `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`;
  if (runtime === 'python') return 'AWS_Lambda_python3';
  return 'AWS_Lambda_provided';
}
