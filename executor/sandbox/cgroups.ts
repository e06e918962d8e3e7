import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ParkControl } from '../runtime/answer-clock.js';

/**
 * Kernel limits for one function instance: memory, process count, CPU, and the freezer that
 * stops it between invocations. Both cgroup layouts are supported, detected at start:
 * - v1 (one hierarchy per controller, as on these machines): memory, pids, cpu, freezer;
 * - v2 (one unified hierarchy, current distributions): the same controllers in one folder.
 * Every group lives below the executor's own cgroup, so limits set on the executor (a container,
 * a systemd unit) still hold over its functions. Why each knob: docs/sandbox.md.
 */

export interface CgroupLimits {
  memoryBytes: number;
  /** Processes and threads together, as Lambda's per-sandbox limit. */
  pids: number;
  /** CPU weight relative to other instances (v1 cpu.shares 2-262144). */
  shares: number;
}

/** One instance's group: created empty, joined by the sandbox's first process before it execs. */
export interface InstanceCgroup {
  readonly name: string;
  /** Memory, processes and CPU weight: cheap writes, done when the function is known. */
  setLimits(limits: CgroupLimits): Promise<void>;
  /** Moves a process (and so everything it will fork) into the group. */
  join(pid: number): Promise<void>;
  /** A hard CPU ceiling: `fraction` of one CPU (1,769 MB of memory = 1.0, as Lambda). */
  limitCpu(fraction: number): Promise<void>;
  /** Synchronous: one small write on the warm path, cheaper than a round trip through the thread pool. */
  freeze(): void;
  thaw(): void;
  /**
   * Synchronous, one write: a CPU ceiling of 1 ms per period, for the moments between two
   * invocations close together; `unpark` restores the ceiling in force before (none, or the
   * `limitCpu` one). Why not only the freezer: docs/sandbox.md.
   */
  park(): void;
  unpark(): void;
  /** What `park` writes and where, for a write made off the event loop (the answer clock). */
  parkControl(): ParkControl;
  /**
   * The answer clock's thread wrote `value` (from `parkControl`) and it landed: true, and the group
   * counts as parked, when that is what `park` would write now; false when the setting moved since
   * (a first call's `limitCpu`), and `park` must still write.
   */
  parkedWith(value: string): boolean;
  /**
   * How long a park may last before the group is frozen: half the CPU period in force, so that a
   * parked stretch sees at most one period boundary and gets the 1 ms quota at most twice.
   */
  parkMs(): number;
  /** SIGKILL every process in the group, whatever sessions or process groups they made. */
  kill(): Promise<void>;
  /** Highest memory use since creation, in bytes (page cache included, as the kernel counts it). */
  peakMemoryBytes(): number;
  /** Processes the kernel's OOM killer ended in this group. */
  oomKills(): number;
  /** CPU time used by the group, nanoseconds. */
  cpuNanos(): number;
  /** Forks the kernel refused because the group was at its process limit. */
  forksRefused(): number;
  pids(): Promise<number[]>;
  /** Kills what is left and removes the group. */
  remove(): Promise<void>;
}

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** Where the instance groups live (one folder per controller on v1). */
  readonly roots: string[];
  create(name: string): Promise<InstanceCgroup>;
  /** Removes groups left behind by an earlier run of this executor (killing their processes). */
  sweep(): Promise<number>;
  /**
   * Shell commands that kill every instance, frozen or not, for a watchdog that outlives the
   * executor: a v1-frozen task ignores even SIGKILL until it is thawed.
   */
  killScript(): string;
  /** Removes this executor's folder(s), once every instance group is gone. */
  close(): Promise<void>;
}

const q = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

const V1_CONTROLLERS = ['memory', 'pids', 'cpu', 'cpuacct', 'freezer'] as const;
type V1Controller = (typeof V1_CONTROLLERS)[number];
// A short period spreads a small share evenly (a 128 MB function waits at most ~19 ms, not ~93 ms).
const CPU_PERIOD_US = 20_000;
/**
 * The period in force while no `limitCpu` ceiling is set (the kernel's longest; its default is
 * 100 ms). Without a quota it changes nothing for a running instance; for a parked one it means
 * 1 ms of CPU per second, so an instance may stay parked for half a second before it is frozen
 * (`parkMs`), and one called a few times a second is parked and unparked, never frozen and thawed.
 */
const IDLE_PERIOD_US = 1_000_000;
const parkMsOf = (periodUs: number) => periodUs / 2000;
/** A parked group's quota: the least the kernel takes (1 ms per period). */
const PARK_QUOTA_US = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * v1 only: a group with no process, kept frozen for the executor's life. The kernel turns its
 * freezer's fast path on and off (a static key: code patched on every CPU, ~150 us each way) when
 * the first group freezes and the last one thaws; with this one always frozen, freezing and
 * thawing an instance costs a few microseconds instead of ~0.3-0.7 ms per invocation.
 */
const KEEPER = 'freezer-keeper';
/**
 * v1 and v2: a group with no process and a CPU quota, kept for the executor's life. CFS bandwidth
 * has a static key of the same kind, switched on when the first group gets a quota and off when the
 * last one loses it; without this group each park and unpark of a lone instance switched it, about
 * 40 us of the executor's thread per write on a 2-vCPU VM (0.8 us with the key held on).
 */
const CPU_KEEPER = 'cpu-keeper';

/**
 * A control file held open: the warm path writes (freezer) or reads (peak memory, OOM kills) it on
 * every invocation, and an open, write and close of a cgroup file cost about twice the write alone.
 * Opened on first use, closed with the group.
 */
function controlFile(file: string, flags: 'r' | 'w') {
  let fd: number | null = null;
  const buffer = flags === 'r' ? Buffer.alloc(4096) : null;
  return {
    write(text: string): void {
      fd ??= openSync(file, flags);
      writeSync(fd, text, 0);
    },
    /** The open file's descriptor (opened now if it was not). */
    fd(): number {
      fd ??= openSync(file, flags);
      return fd;
    },
    /** The whole (small) file, read again from its start; '' when it cannot be read. */
    read(): string {
      try {
        fd ??= openSync(file, flags);
        const n = readSync(fd, buffer!, 0, buffer!.length, 0);
        return buffer!.toString('latin1', 0, n);
      } catch {
        return '';
      }
    },
    close(): void {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/**
 * Parking one group: writes the parked or the running CPU setting to its control file, and remembers
 * which is in force, so that `limitCpu`, whose writes a first call's answer can overtake, puts a park
 * that came meanwhile back once they have landed (`keep`).
 */
function parking(file: { write(text: string): void; fd(): number }, parkedValue: () => string, runningValue: () => string) {
  let parked = false;
  return {
    /** The file and the text that park the group, for the answer clock's thread to write. */
    control: (): ParkControl => ({ fd: file.fd(), value: parkedValue() }),
    parkedWith(value: string): boolean {
      if (value !== parkedValue()) return false;
      parked = true;
      return true;
    },
    park(): void {
      file.write(parkedValue());
      parked = true;
    },
    unpark(): void {
      file.write(runningValue());
      parked = false;
    },
    keep(): void {
      if (parked) file.write(parkedValue());
    },
  };
}

const numberIn = (text: string): number => {
  const trimmed = text.trim();
  return trimmed === 'max' ? Infinity : Number(trimmed) || 0;
};
const keyedIn = (text: string, key: string): number => {
  const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
};

/** Reads /proc/self/cgroup: controller name (or "" for v2) → path. */
function ownPaths(): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    for (const controller of match[1]!.split(',')) paths.set(controller, match[2]!);
  }
  return paths;
}

/** A small integer from a file ("max" reads as Infinity); 0 when absent. */
function readNumber(file: string): number {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === 'max' ? Infinity : Number(text) || 0;
  } catch {
    return 0;
  }
}

/** `key value` lines (memory.events, memory.oom_control, cpu.stat). */
function readKeyed(file: string, key: string): number {
  try {
    const text = readFileSync(file, 'utf8');
    const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

async function pidsIn(file: string): Promise<number[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number);
}

function signalAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** rmdir fails while the kernel still counts dying tasks: retry briefly. */
async function removeDir(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw err;
      await sleep(20);
    }
  }
  throw new Error(`cgroup ${dir} is still busy`);
}

/** Which layout this machine uses, and whether it has what the sandbox needs (null when fine). */
export function detectCgroups(mount = '/sys/fs/cgroup'): { version: 1 | 2; missing: string[] } {
  if (existsSync(path.join(mount, 'cgroup.controllers'))) {
    const own = ownPaths().get('') ?? '/';
    const available = readFileSync(path.join(mount, own, 'cgroup.controllers'), 'utf8')
      .trim()
      .split(/\s+/);
    return { version: 2, missing: ['memory', 'pids', 'cpu'].filter((c) => !available.includes(c)) };
  }
  return { version: 1, missing: V1_CONTROLLERS.filter((c) => !existsSync(path.join(mount, c, 'cgroup.procs'))) };
}

export async function createCgroupDriver(options: { executorKey: string; mount?: string }): Promise<CgroupDriver> {
  const mount = options.mount ?? '/sys/fs/cgroup';
  const { version, missing } = detectCgroups(mount);
  if (missing.length > 0) throw new Error(`cgroup controllers missing: ${missing.join(', ')}`);
  const folder = `tally-${options.executorKey}`;
  return version === 2 ? createV2(path.join(mount), folder) : createV1(mount, folder);
}

async function createV1(mount: string, folder: string): Promise<CgroupDriver> {
  const own = ownPaths();
  const base = {} as Record<V1Controller, string>;
  for (const c of V1_CONTROLLERS) {
    base[c] = path.join(mount, c, own.get(c) ?? '/', folder);
    await mkdir(base[c], { recursive: true });
  }
  // All instances together weigh as much as one ordinary process per CPU: without this, the folder
  // competes as a single process with everything else on the machine, and a busy host starves
  // every function at once.
  await writeFile(path.join(base.cpu, 'cpu.shares'), String(1024 * os.availableParallelism()));
  // Co-mounted controllers (cpu,cpuacct on many distributions) share one folder: visit it once.
  const distinct = [...new Map(V1_CONTROLLERS.map((c) => [realpathSync(base[c]), base[c]])).values()];
  const dirs = (name: string) => distinct.map((dir) => path.join(dir, name));
  const keeper = path.join(base.freezer, KEEPER);
  await mkdir(keeper, { recursive: true });
  await writeFile(path.join(keeper, 'freezer.state'), 'FROZEN');
  const cpuKeeper = path.join(base.cpu, CPU_KEEPER);
  await mkdir(cpuKeeper, { recursive: true });
  await writeFile(path.join(cpuKeeper, 'cpu.cfs_quota_us'), String(PARK_QUOTA_US));

  async function removeGroup(name: string): Promise<void> {
    const freezer = path.join(base.freezer, name);
    await writeFile(path.join(base.cpu, name, 'cpu.cfs_quota_us'), '-1').catch(() => undefined);
    // Frozen tasks only die once thawed; freeze first so nothing forks between listing and killing.
    await writeFile(path.join(freezer, 'freezer.state'), 'FROZEN').catch(() => undefined);
    for (let round = 0; round < 20; round++) {
      const pids = await pidsIn(path.join(freezer, 'cgroup.procs'));
      if (pids.length === 0) break;
      signalAll(pids);
      await writeFile(path.join(freezer, 'freezer.state'), 'THAWED').catch(() => undefined);
      await sleep(round === 0 ? 5 : 20);
    }
    for (const dir of dirs(name)) await removeDir(dir);
  }

  return {
    version: 1,
    roots: distinct,
    async create(name) {
      for (const dir of dirs(name)) await mkdir(dir);
      const memory = path.join(base.memory, name);
      const freezerState = path.join(base.freezer, name, 'freezer.state');
      const state = controlFile(freezerState, 'w');
      const peak = controlFile(path.join(memory, 'memory.max_usage_in_bytes'), 'r');
      const oomControl = controlFile(path.join(memory, 'memory.oom_control'), 'r');
      const quotaFile = path.join(base.cpu, name, 'cpu.cfs_quota_us');
      await writeFile(path.join(base.cpu, name, 'cpu.cfs_period_us'), String(IDLE_PERIOD_US));
      let period = IDLE_PERIOD_US;
      /** The quota `unpark` restores: none (-1) until `limitCpu` sets one. */
      let runningQuota = '-1';
      const cpuQuota = controlFile(quotaFile, 'w');
      const cpu = parking(
        cpuQuota,
        () => String(PARK_QUOTA_US),
        () => runningQuota,
      );
      return {
        name,
        async setLimits(limits) {
          // memsw (memory + swap, when swap is accounted) may never be below memory: order the writes.
          const memsw = path.join(memory, 'memory.memsw.limit_in_bytes');
          const current = readNumber(path.join(memory, 'memory.limit_in_bytes'));
          const write = async (file: string) =>
            writeFile(file, String(limits.memoryBytes)).catch((err: NodeJS.ErrnoException) => {
              if (file !== memsw || err.code !== 'ENOENT') throw err;
            });
          if (limits.memoryBytes < current) {
            await write(path.join(memory, 'memory.limit_in_bytes'));
            await write(memsw);
          } else {
            await write(memsw);
            await write(path.join(memory, 'memory.limit_in_bytes'));
          }
          await writeFile(path.join(base.pids, name, 'pids.max'), String(limits.pids));
          await writeFile(path.join(base.cpu, name, 'cpu.shares'), String(Math.max(2, Math.min(262_144, Math.round(limits.shares)))));
        },
        async join(pid) {
          for (const dir of dirs(name)) await writeFile(path.join(dir, 'cgroup.procs'), String(pid));
        },
        async limitCpu(fraction) {
          const quota = Math.max(1000, Math.round(fraction * CPU_PERIOD_US));
          // The shorter window holds from now, before the writes land.
          period = CPU_PERIOD_US;
          await writeFile(path.join(base.cpu, name, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
          runningQuota = String(quota);
          await writeFile(quotaFile, runningQuota);
          cpu.keep();
        },
        freeze: () => state.write('FROZEN'),
        thaw: () => state.write('THAWED'),
        park: cpu.park,
        unpark: cpu.unpark,
        parkControl: cpu.control,
        parkedWith: cpu.parkedWith,
        parkMs: () => parkMsOf(period),
        async kill() {
          // A parked task would wait for the next period to run its own exit.
          await writeFile(quotaFile, '-1').catch(() => undefined);
          await writeFile(freezerState, 'FROZEN').catch(() => undefined);
          signalAll(await pidsIn(path.join(base.freezer, name, 'cgroup.procs')));
          await writeFile(freezerState, 'THAWED').catch(() => undefined);
        },
        peakMemoryBytes: () => numberIn(peak.read()),
        oomKills: () => keyedIn(oomControl.read(), 'oom_kill'),
        cpuNanos: () => readNumber(path.join(base.cpuacct, name, 'cpuacct.usage')),
        forksRefused: () => readKeyed(path.join(base.pids, name, 'pids.events'), 'max'),
        pids: () => pidsIn(path.join(base.freezer, name, 'cgroup.procs')),
        remove: () => {
          for (const file of [state, peak, oomControl, cpuQuota]) file.close();
          return removeGroup(name);
        },
      };
    },
    async sweep() {
      const names = (await readdir(base.freezer, { withFileTypes: true }))
        .filter((d) => d.isDirectory() && d.name !== KEEPER && d.name !== CPU_KEEPER)
        .map((d) => d.name);
      for (const name of names) await removeGroup(name);
      return names.length;
    },
    killScript: () =>
      `for d in ${q(base.cpu)}/*/; do [ -d "$d" ] && echo -1 > "$d"cpu.cfs_quota_us; done; ` +
      `for d in ${q(base.freezer)}/*/; do [ -d "$d" ] || continue; echo FROZEN > "$d"freezer.state; ` +
      `for p in $(cat "$d"cgroup.procs); do kill -9 "$p"; done; echo THAWED > "$d"freezer.state; done; sleep 0.2; ` +
      // Then the emptied groups and this executor's folders (rmdir refuses a group that still has tasks).
      `for r in ${distinct.map(q).join(' ')}; do for d in "$r"/*/; do [ -d "$d" ] && rmdir "$d"; done; rmdir "$r"; done`,
    async close() {
      await writeFile(path.join(keeper, 'freezer.state'), 'THAWED').catch(() => undefined);
      await removeDir(keeper).catch(() => undefined);
      await writeFile(path.join(cpuKeeper, 'cpu.cfs_quota_us'), '-1').catch(() => undefined);
      await removeDir(cpuKeeper).catch(() => undefined);
      for (const dir of distinct) await removeDir(dir).catch(() => undefined);
    },
  };
}

/**
 * v2 forbids processes in a group that hands controllers to its children, so the executor's own
 * processes move into a leaf (`tally-executor`) and instances live in `tally-<executor>/<name>` beside it.
 */
async function createV2(mount: string, folder: string): Promise<CgroupDriver> {
  let parent = path.join(mount, ownPaths().get('') ?? '/');
  if (path.basename(parent) === 'tally-executor') parent = path.dirname(parent);
  else {
    const leaf = path.join(parent, 'tally-executor');
    await mkdir(leaf, { recursive: true });
    for (const pid of await pidsIn(path.join(parent, 'cgroup.procs'))) {
      await writeFile(path.join(leaf, 'cgroup.procs'), String(pid)).catch(() => undefined);
    }
  }
  const enable = (dir: string) => writeFile(path.join(dir, 'cgroup.subtree_control'), '+memory +pids +cpu');
  const root = path.join(parent, folder);
  await enable(parent);
  await mkdir(root, { recursive: true });
  await enable(root);
  // All instances together weigh as much as one ordinary process per CPU (see the v1 driver).
  await writeFile(path.join(root, 'cpu.weight'), String(Math.min(10_000, 100 * os.availableParallelism())));
  const cpuKeeper = path.join(root, CPU_KEEPER);
  await mkdir(cpuKeeper, { recursive: true });
  await writeFile(path.join(cpuKeeper, 'cpu.max'), `${PARK_QUOTA_US} ${IDLE_PERIOD_US}`);

  async function removeGroup(dir: string): Promise<void> {
    await writeFile(path.join(dir, 'cpu.max'), 'max').catch(() => undefined);
    if (existsSync(path.join(dir, 'cgroup.kill'))) {
      await writeFile(path.join(dir, 'cgroup.kill'), '1').catch(() => undefined);
    } else {
      await writeFile(path.join(dir, 'cgroup.freeze'), '1').catch(() => undefined);
      signalAll(await pidsIn(path.join(dir, 'cgroup.procs')));
      await writeFile(path.join(dir, 'cgroup.freeze'), '0').catch(() => undefined);
    }
    for (let i = 0; i < 50 && (await pidsIn(path.join(dir, 'cgroup.procs'))).length > 0; i++) await sleep(10);
    await removeDir(dir);
  }

  return {
    version: 2,
    roots: [root],
    async create(name) {
      const dir = path.join(root, name);
      await mkdir(dir);
      const freezer = controlFile(path.join(dir, 'cgroup.freeze'), 'w');
      const cpuMaxFile = path.join(dir, 'cpu.max');
      const cpuMax = controlFile(cpuMaxFile, 'w');
      // Read after every invocation, so held open as v1's are: opening a cgroup file by its path each
      // time cost about 7 µs a file more than reading it again from its start (docs/performance.md).
      const events = controlFile(path.join(dir, 'memory.events'), 'r');
      let peak: ReturnType<typeof controlFile> | null = null;
      /** What `unpark` restores (quota and period): none until `limitCpu` sets one. */
      let running = `max ${IDLE_PERIOD_US}`;
      let period = IDLE_PERIOD_US;
      const cpu = parking(
        cpuMax,
        () => `${PARK_QUOTA_US} ${period}`,
        () => running,
      );
      await writeFile(cpuMaxFile, running);
      let peakSeen = 0;
      return {
        name,
        async setLimits(limits) {
          await writeFile(path.join(dir, 'memory.max'), String(limits.memoryBytes));
          await writeFile(path.join(dir, 'memory.swap.max'), '0').catch(() => undefined);
          await writeFile(path.join(dir, 'pids.max'), String(limits.pids));
          // cpu.weight is 1-10000 where v1's shares are 2-262144 (the kernel's own conversion).
          const weight = Math.max(1, Math.min(10_000, Math.round(1 + ((limits.shares - 2) * 9999) / 262_142)));
          await writeFile(path.join(dir, 'cpu.weight'), String(weight));
        },
        join: (pid) => writeFile(path.join(dir, 'cgroup.procs'), String(pid)),
        async limitCpu(fraction) {
          running = `${Math.max(1000, Math.round(fraction * CPU_PERIOD_US))} ${CPU_PERIOD_US}`;
          // The shorter window holds from now, before the write lands.
          period = CPU_PERIOD_US;
          await writeFile(cpuMaxFile, running);
          cpu.keep();
        },
        freeze: () => freezer.write('1'),
        thaw: () => freezer.write('0'),
        park: cpu.park,
        unpark: cpu.unpark,
        parkControl: cpu.control,
        parkedWith: cpu.parkedWith,
        parkMs: () => parkMsOf(period),
        async kill() {
          await writeFile(cpuMaxFile, 'max').catch(() => undefined);
          if (existsSync(path.join(dir, 'cgroup.kill'))) return writeFile(path.join(dir, 'cgroup.kill'), '1');
          await writeFile(path.join(dir, 'cgroup.freeze'), '1').catch(() => undefined);
          signalAll(await pidsIn(path.join(dir, 'cgroup.procs')));
          await writeFile(path.join(dir, 'cgroup.freeze'), '0').catch(() => undefined);
        },
        peakMemoryBytes() {
          // memory.peak needs Linux 5.19; older kernels only show the current figure, so the highest
          // seen at the invocations' ends stands in for it.
          peak ??= controlFile(path.join(dir, existsSync(path.join(dir, 'memory.peak')) ? 'memory.peak' : 'memory.current'), 'r');
          peakSeen = Math.max(peakSeen, numberIn(peak.read()) || readNumber(path.join(dir, 'memory.current')));
          return peakSeen;
        },
        oomKills: () => keyedIn(events.read(), 'oom_kill'),
        cpuNanos: () => readKeyed(path.join(dir, 'cpu.stat'), 'usage_usec') * 1000,
        forksRefused: () => readKeyed(path.join(dir, 'pids.events'), 'max'),
        pids: () => pidsIn(path.join(dir, 'cgroup.procs')),
        remove: () => {
          for (const file of [freezer, cpuMax, events, peak]) file?.close();
          return removeGroup(dir);
        },
      };
    },
    async sweep() {
      const names = (await readdir(root, { withFileTypes: true }))
        .filter((d) => d.isDirectory() && d.name !== CPU_KEEPER)
        .map((d) => d.name);
      for (const name of names) await removeGroup(path.join(root, name));
      return names.length;
    },
    killScript: () =>
      `for d in ${q(root)}/*/; do [ -d "$d" ] || continue; echo max > "$d"cpu.max; if [ -e "$d"cgroup.kill ]; then echo 1 > "$d"cgroup.kill; else ` +
      `echo 1 > "$d"cgroup.freeze; for p in $(cat "$d"cgroup.procs); do kill -9 "$p"; done; echo 0 > "$d"cgroup.freeze; fi; done; sleep 0.2; ` +
      `for d in ${q(root)}/*/; do [ -d "$d" ] && rmdir "$d"; done; rmdir ${q(root)}`,
    async close() {
      await removeDir(cpuKeeper).catch(() => undefined);
      await removeDir(root).catch(() => undefined);
    },
  };
}
