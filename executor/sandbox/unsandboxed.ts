import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bootstrapFolder, type LaunchOptions } from '../runtime/launch.js';
import { killGroup, sampleMemory } from '../runtime/proc.js';
import { RuntimeApi } from '../runtime/runtime-api.js';
import type { FunctionSpec } from '../runtime/types.js';
import type { IsolatedInstance, Isolation } from './isolation.js';

const MIB = 1024 * 1024;

export interface UnsandboxedOptions extends LaunchOptions {
  tmpRoot?: string;
  prlimitPath?: string;
  /** RLIMIT_NPROC counts every process and thread of the user, so it is a fork-bomb brake, not a quota. */
  nprocLimit?: number;
  maxResponseBytes?: number;
}

/**
 * TALLY_SANDBOX=off, a developer switch only: instances run as the executor's user, in its
 * namespaces, limited by prlimit and a memory watch over /proc. Nothing here contains a hostile
 * function; the executor says so loudly at start and in /readyz.
 */
export function unsandboxed(options: UnsandboxedOptions = {}): Isolation {
  return {
    mode: 'off',
    async open(spec: FunctionSpec, runtime: Pick<LaunchOptions, 'javaRuntimeDir'> = {}): Promise<IsolatedInstance> {
      // An image needs its own root; only the kernel sandbox gives one.
      if (spec.image) throw new Error('container images run only in the kernel sandbox (TALLY_SANDBOX=on)');
      const tmp = await mkdtemp(path.join(options.tmpRoot ?? os.tmpdir(), 'tally-fn-'));
      const runtimeApi = await RuntimeApi.start(options.maxResponseBytes);
      let child: ChildProcess | null = null;
      return {
        runtimeApi,
        paths: {
          taskRoot: spec.codeDir,
          runtimeDir: bootstrapFolder(spec, { ...options, ...runtime }) ?? spec.codeDir,
          tmp,
          runtimeApi: runtimeApi.address,
        },
        kernelLimits: false,
        async launch(argv, env) {
          // RLIMIT_DATA also catches Buffers outside the JS heap; below heap + 64 MB node hangs at start-up.
          const heapMb = Math.max(16, Math.floor(spec.memoryMb * 0.9));
          const dataMb = spec.runtime === 'nodejs' ? Math.max(spec.memoryMb, heapMb + 64) : spec.memoryMb + 64;
          const limits = [`--nproc=${options.nprocLimit ?? 1024}`, '--nofile=1024', `--data=${dataMb * MIB}`];
          child = spawn(options.prlimitPath ?? 'prlimit', [...limits, '--', ...argv], {
            cwd: spec.codeDir,
            env,
            detached: true,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          return child;
        },
        startBilledCpu: async () => undefined,
        freeze: () => undefined,
        thaw: () => undefined,
        park: () => undefined,
        unpark: () => undefined,
        parkMs: () => 0,
        kill() {
          if (child?.pid !== undefined) killGroup(child.pid);
        },
        // The whole process tree: a custom runtime's descendants (curl...) count too.
        memory: () => (child?.pid === undefined ? null : sampleMemory(child.pid)),
        oomKills: () => 0,
        cpuNanos: () => 0,
        forksRefused: () => 0,
        async close() {
          await runtimeApi.close();
          await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
        },
      };
    },
    close: async () => undefined,
  };
}
