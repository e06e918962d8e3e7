import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionSpec } from './types.js';

export const DEFAULT_BOOTSTRAP_DIR = fileURLToPath(new URL('../bootstrap/', import.meta.url));
const MIB = 1024 * 1024;

/** How an instance's child process is started. */
export interface LaunchOptions {
  /** AWS_REGION inside the function. */
  region?: string;
  nodePath?: string;
  /** The real interpreter (see resolvePython); a pyenv shim would add ~80 ms per cold start. */
  pythonPath?: string;
  prlimitPath?: string;
  bootstrapDir?: string;
  /** RLIMIT_NPROC counts every process and thread of the user, so it is a fork-bomb brake, not a quota. */
  nprocLimit?: number;
  /** Pass --max-old-space-size (90 % of the memory) to node; default true. */
  nodeHeapLimit?: boolean;
}

/** The runtime's command under prlimit (which execs it, so the pid stays the runtime's). */
export function launchCommand(spec: FunctionSpec, options: LaunchOptions): { file: string; args: string[] } {
  const bootstrapDir = options.bootstrapDir ?? DEFAULT_BOOTSTRAP_DIR;
  let dataMb = spec.memoryMb + 64;
  let command: string[];
  switch (spec.runtime) {
    case 'nodejs': {
      const heapMb = Math.max(16, Math.floor(spec.memoryMb * 0.9));
      // RLIMIT_DATA also catches Buffers outside the JS heap; below heap + 64 MB node hangs at start-up.
      dataMb = Math.max(spec.memoryMb, heapMb + 64);
      // The heap flag makes V8 collect hard near the limit instead of growing into a kill, but any
      // heap-size flag also costs ~20 ms of node start-up here (measured); nodeHeapLimit: false skips it.
      const heapArgs = options.nodeHeapLimit === false ? [] : [`--max-old-space-size=${heapMb}`];
      command = [options.nodePath ?? process.execPath, ...heapArgs, path.join(bootstrapDir, 'node', 'bootstrap.mjs')];
      break;
    }
    case 'python':
      command = [options.pythonPath ?? 'python3', '-u', path.join(bootstrapDir, 'python', 'bootstrap.py')];
      break;
    case 'provided':
      command = [path.join(spec.codeDir, 'bootstrap')];
      break;
  }
  const limits = [`--nproc=${options.nprocLimit ?? 1024}`, '--nofile=1024', `--data=${dataMb * MIB}`];
  return { file: options.prlimitPath ?? 'prlimit', args: [...limits, '--', ...command] };
}

/** Built from nothing: the executor's own environment (secrets, NODE_EXTRA_CA_CERTS) never leaks in. */
export function instanceEnvironment(
  spec: FunctionSpec,
  options: LaunchOptions,
  instance: { runtimeApi: string; tmpDir: string; instanceId: string },
): Record<string, string> {
  const region = options.region ?? 'local';
  const binDirs = [options.nodePath ?? process.execPath, options.pythonPath]
    .filter((p): p is string => p !== undefined && path.isAbsolute(p))
    .map((p) => path.dirname(p));
  const systemDirs = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  const PATH = [...new Set([...binDirs, ...systemDirs])].join(':');
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    // Lambda lets a function override these three...
    PATH,
    LANG: 'C.UTF-8',
    TZ: ':UTC',
    ...spec.environment,
    // ...but not these.
    HOME: instance.tmpDir,
    TMPDIR: instance.tmpDir,
    AWS_LAMBDA_RUNTIME_API: instance.runtimeApi,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: spec.codeDir,
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
