import type { ChildProcess } from 'node:child_process';
import type { ParkControl } from '../runtime/answer-clock.js';
import type { LaunchOptions, RuntimePaths } from '../runtime/launch.js';
import type { RuntimeApi } from '../runtime/runtime-api.js';
import type { FunctionSpec } from '../runtime/types.js';

/**
 * Where function instances run. `KernelSandbox` (the default, executor/sandbox/sandbox.ts) gives
 * each instance its own uid, namespaces, cgroup and scratch disk; `Unsandboxed`
 * (executor/sandbox/unsandboxed.ts) is the explicit developer switch TALLY_SANDBOX=off.
 */
export interface Isolation {
  readonly mode: 'sandbox' | 'off';
  /**
   * Everything one instance needs before its runtime starts; its Runtime API already listens.
   * `runtime` names what the instance found on its own (the Java runtime client, built on demand).
   */
  open(spec: FunctionSpec, runtime?: Pick<LaunchOptions, 'javaRuntimeDir'>): Promise<IsolatedInstance>;
  /** Tears down spare resources; instances must have been closed. */
  close(): Promise<void>;
}

export interface MemoryReading {
  /** Peak use so far, kB. */
  peakKb: number;
  /** Use now, kB (only polled when the kernel does not enforce the limit). */
  rssKb: number;
}

export interface IsolatedInstance {
  readonly runtimeApi: RuntimeApi;
  /** The paths and Runtime API address as the runtime sees them. */
  readonly paths: RuntimePaths;
  /** True when the kernel enforces memory (cgroup): no polling needed, OOM is the kernel's. */
  readonly kernelLimits: boolean;
  /** Starts the runtime; resolves once it runs inside its limits. */
  launch(argv: string[], env: Record<string, string>): Promise<ChildProcess>;
  /** The first invocation starts: from now on the CPU share of the memory size applies. */
  startBilledCpu(): Promise<void>;
  /** No CPU between invocations. */
  freeze(): void;
  thaw(): void;
  /** Almost no CPU (1 ms per period) for a short wait between invocations: cheaper than freeze and thaw. */
  park(): void;
  unpark(): void;
  /** Where and what `park` writes, for the answer clock to park the instance off the event loop (sandboxed only). */
  parkControl?(): ParkControl;
  /** The answer clock parked the group by writing `value`: true when that is the park in force now (cgroups.ts). */
  parkedWith?(value: string): boolean;
  /** How long a park may last before a freeze (half the CPU period in force). */
  parkMs(): number;
  /** Kills every process of the instance, whatever it did with sessions or process groups. */
  kill(): void;
  memory(): MemoryReading | null;
  /** Kernel OOM kills so far (always 0 unsandboxed). */
  oomKills(): number;
  /** CPU time used so far, nanoseconds (0 when unknown). */
  cpuNanos(): number;
  /** Forks refused at the process limit so far (0 when unknown). */
  forksRefused(): number;
  /** After the runtime exited: releases the uid, network, scratch disk and Runtime API. */
  close(): Promise<void>;
}
