import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { chown, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { bootstrapFolder, type LaunchOptions } from '../runtime/launch.js';
import { RuntimeApi } from '../runtime/runtime-api.js';
import type { FunctionSpec, Log } from '../runtime/types.js';
import { createCgroupDriver, type CgroupDriver, type InstanceCgroup } from './cgroups.js';
import { run } from './exec.js';
import { hostTools, HOST_TOOLS_INSIDE, type HostTools } from './host-tools.js';
import { imageRootArgs } from './image-root.js';
import type { IsolatedInstance, Isolation } from './isolation.js';
import { openNetwork, RUNTIME_API_INSIDE, type Network, type NetworkMode } from './network.js';
import { checkRequirements, SandboxUnavailableError, type Tools } from './requirements.js';
import { NoDiskRoomError, openScratch, type Scratch, ScratchRoom } from './scratch.js';
import { UidAllocator } from './uids.js';

const MIB = 1024 * 1024;
/** Lambda gives one vCPU at 1,769 MB, and CPU in proportion below and above. */
export const MB_PER_VCPU = 1769;
export const DEFAULT_EPHEMERAL_MB = 512;
/** TALLY_EXECUTOR_DISK_RESERVE_MB's default. */
export const DEFAULT_DISK_RESERVE_BYTES = 1024 * 1024 * 1024;
const TASK_ROOT = '/var/task';
const RUNTIME_DIR = '/var/runtime';
/** Where Tally's own bootstraps find the Runtime API without the network hop (see RuntimeApi.start). */
export const RUNTIME_API_SOCKET_INSIDE = '/run/tally/runtime-api.sock';

export interface SandboxOptions extends LaunchOptions {
  /** The executor's private folder for sandbox state (instance disks, sockets, pasta pid files). */
  dir: string;
  /** Names this executor's cgroups and namespaces, so a restart finds and removes its leftovers. */
  executorKey: string;
  network: NetworkMode;
  /** IPv4 ranges functions may not reach, on top of this host's addresses and link-local. */
  denyCidrs?: string[];
  /** `disk`: /tmp is a loop-mounted ext4 disk; `memory`: a tmpfs counted in the function's memory. */
  tmp?: 'disk' | 'memory';
  uidBase?: number;
  uidCount?: number;
  /** Where uid claims live, machine-wide (shared by every executor on the machine). */
  uidClaims?: string;
  /** Ready-made sandboxes kept for cold starts (everything below prepared ahead of demand). */
  spares?: number;
  /** Processes and threads per instance. */
  pidsLimit?: number;
  /**
   * `shares` (default): under contention CPU is divided in proportion to memory (1,769 MB weighs as
   * one CPU); an idle machine lends its spare CPU. `quota`: a hard ceiling of memory / 1,769 MB of a
   * CPU from the first invocation on, as Lambda allocates it.
   */
  cpu?: 'quota' | 'shares';
  maxResponseBytes?: number;
  /** Disk kept free beyond what the live /tmp disks may still write (TALLY_EXECUTOR_DISK_RESERVE_MB; scratch.ts, ScratchRoom). */
  diskReserveBytes?: number;
  /** The free bytes of the sandbox folder's disk (statfs; tests give their own). */
  diskFree?: (dir: string) => Promise<number>;
  log: Log;
  /** Where to look for the tools (default: PATH and the usual system folders). */
  searchPath?: string;
}

/**
 * Everything a sandbox needs before its function is known, prepared ahead of demand: a uid, a
 * Runtime API, a network namespace with its forwarder, a /tmp disk, a cgroup, and a launcher
 * process already inside that cgroup. The launcher is bwrap waiting for its arguments on a pipe
 * (`--args`): moving a process into a v1 cgroup costs an RCU grace period per controller (10-20 ms
 * measured), so it is paid here, off the cold-start path, and everything the launcher forks is
 * inside the limits from its first instruction.
 */
interface Slot {
  id: string;
  dir: string;
  uid: number;
  runtimeApi: RuntimeApi;
  network: Network;
  scratch: Scratch | null;
  tmpMb: number;
  cgroup: InstanceCgroup;
  launcher: ChildProcess;
}

/** /bin, /lib... as on the host: symlinks into /usr on merged-/usr systems, read-only binds otherwise. */
function rootDirs(): string[] {
  const args: string[] = [];
  for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const at = `/${name}`;
    if (!existsSync(at)) continue;
    if (lstatSync(at).isSymbolicLink()) args.push('--symlink', readlinkSync(at), at);
    else args.push('--ro-bind', at, at);
  }
  return args;
}

/**
 * Lambda's root has bash as /bin/sh, and custom runtimes written for it count on that: AWS's own
 * walkthrough's bootstrap starts "#!/bin/sh" then "set -euo pipefail" and "source". Debian's sh is dash,
 * which refuses both, so in a zip function's root the file /bin/sh names is the host's bash (which runs
 * as sh in POSIX mode, as on Lambda). Nothing when sh is bash already or the host has no bash.
 */
function bashAsSh(): string[] {
  try {
    const sh = realpathSync('/bin/sh');
    const bash = realpathSync('/bin/bash');
    return sh === bash ? [] : ['--ro-bind', bash, sh];
  } catch {
    return [];
  }
}

/** The little of /etc a runtime needs (certificates, DNS, the dynamic linker's cache); no secrets. */
const ETC_FILES = [
  '/etc/ssl/certs',
  '/etc/ssl/openssl.cnf',
  '/etc/ca-certificates',
  '/etc/resolv.conf',
  '/etc/hosts',
  '/etc/nsswitch.conf',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/alternatives',
  '/etc/localtime',
  '/etc/protocols',
  '/etc/services',
  '/etc/mime.types',
];

/** An interpreter installed outside /usr (pyenv, nvm...): its whole prefix, read-only, at the same path. */
/** The JDK's configuration (security policy, logging) lives in /etc on Debian, linked from the JDK's conf/. */
function jdkConfig(): string[] {
  try {
    return readdirSync('/etc')
      .filter((n) => /^java-\d+-openjdk$/.test(n))
      .map((n) => `/etc/${n}`);
  } catch {
    return [];
  }
}

function interpreterPrefix(binary: string | undefined): string | null {
  if (!binary || !path.isAbsolute(binary)) return null;
  const prefix = path.dirname(path.dirname(realpathSync(binary)));
  return prefix === '/usr' || prefix.startsWith('/usr/') || prefix === '/' ? null : prefix;
}

/** bwrap makes the missing parents of a mount point 0700 (unreadable to the function): make them 0755 first. */
function readableParents(target: string): string[] {
  const args: string[] = [];
  for (let dir = path.dirname(target); dir !== '/'; dir = path.dirname(dir)) args.unshift('--perms', '0755', '--dir', dir);
  return args;
}

function account(uid: number): { passwd: string; group: string } {
  return {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\nsbx_user:x:${uid}:${uid}:sandbox:/tmp:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `root:x:0:\nsbx_user:x:${uid}:\nnogroup:x:65534:\n`,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * bwrap reads options from its `--args` pipe but takes the command only from its own command line,
 * which is fixed before the function is known. So the command is this trampoline: it takes the
 * runtime's command line from one variable (quoted for the shell), removes the variable, and
 * execs the runtime in its place (one dash start, under a millisecond).
 */
const EXEC_VARIABLE = 'TALLY_SANDBOX_EXEC';
/** How long after taking a spare sandbox the next one is prepared. */
const REFILL_DELAY_MS = 250;
const TRAMPOLINE = `c=$${EXEC_VARIABLE}; unset ${EXEC_VARIABLE}; eval "exec $c"`;
const shellQuote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

export class KernelSandbox implements Isolation {
  readonly mode = 'sandbox' as const;
  private readonly spares: Slot[] = [];
  private refilling: Promise<void> | null = null;
  private closed = false;
  /** Namespaces, for every instance. */
  private readonly namespaceArgs: string[];
  /** The root of a zip function: the host's /usr and a few files of its /etc. */
  private readonly hostRootArgs: string[];
  private readonly host: HostTools;
  private watchdog: ChildProcess | null = null;
  /** The /tmp disks' claims on the executor's disk. */
  private readonly room: ScratchRoom;

  private constructor(
    private readonly options: SandboxOptions,
    private readonly tools: Tools,
    private readonly cgroups: CgroupDriver,
    private readonly uids: UidAllocator,
  ) {
    const prefixes = [interpreterPrefix(options.nodePath ?? process.execPath), interpreterPrefix(options.pythonPath)]
      .filter((p): p is string => p !== null)
      .flatMap((p) => [...readableParents(p), '--ro-bind', p, p]);
    const etc = [...ETC_FILES, ...jdkConfig()];
    this.host = hostTools(tools.drop);
    this.room = new ScratchRoom(options.dir, options.diskReserveBytes ?? DEFAULT_DISK_RESERVE_BYTES, options.diskFree);
    this.namespaceArgs = [
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--die-with-parent',
      '--new-session',
      '--hostname',
      'sandbox',
    ];
    this.hostRootArgs = [
      '--ro-bind',
      '/usr',
      '/usr',
      ...rootDirs(),
      ...bashAsSh(),
      ...prefixes,
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      ...['/var/task', `${HOST_TOOLS_INSIDE}/x`, ...etc].flatMap(readableParents),
      ...etc.flatMap((f) => ['--ro-bind-try', f, f]),
    ];
  }

  /** Checks every requirement, clears what a previous run left, and proves one sandbox starts. */
  static async start(options: SandboxOptions): Promise<KernelSandbox> {
    const tools = checkRequirements({ tmp: options.tmp ?? 'disk', searchPath: options.searchPath });
    await mkdir(path.join(options.dir, 'slots'), { recursive: true, mode: 0o700 });
    await previousWatchdogGone(options.dir);
    const cgroups = await createCgroupDriver({ executorKey: options.executorKey });
    const uids = new UidAllocator(
      options.uidClaims ?? '/run/tally-sandbox/uids',
      options.uidBase ?? 1_000_000_000,
      options.uidCount ?? 65_536,
    );
    await uids.init();
    const sandbox = new KernelSandbox(options, tools, cgroups, uids);
    await sandbox.sweep();
    sandbox.startWatchdog();
    await sandbox.smokeTest();
    options.log.info(
      { cgroups: `v${cgroups.version}`, network: options.network, tmp: options.tmp ?? 'disk', cpu: options.cpu ?? 'shares' },
      'function sandbox ready',
    );
    sandbox.refill();
    return sandbox;
  }

  async open(spec: FunctionSpec, runtime: Pick<LaunchOptions, 'javaRuntimeDir'> = {}): Promise<IsolatedInstance> {
    const tmpMb = spec.ephemeralStorageMb ?? DEFAULT_EPHEMERAL_MB;
    // A spare whose launcher died (killed from outside) is of no use: drop it.
    for (const dead of this.spares.filter((s) => s.launcher.exitCode !== null || s.launcher.signalCode !== null)) {
      this.spares.splice(this.spares.indexOf(dead), 1);
      void this.destroy(dead);
    }
    const at = this.spares.findIndex((slot) => slot.tmpMb === tmpMb);
    const slot = at >= 0 ? this.spares.splice(at, 1)[0]! : await this.prepare(tmpMb);
    // Refill once this cold start is under way, not while it competes for the same CPUs.
    setTimeout(() => this.refill(), REFILL_DELAY_MS).unref();
    try {
      await slot.cgroup.setLimits({
        memoryBytes: spec.memoryMb * MIB,
        pids: this.options.pidsLimit ?? 1024,
        shares: (spec.memoryMb / MB_PER_VCPU) * 1024,
      });
    } catch (err) {
      await this.destroy(slot);
      throw err;
    }
    try {
      return this.instance(spec, slot, runtime);
    } catch (err) {
      await this.destroy(slot);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.refilling;
    await Promise.all(this.spares.splice(0).map((slot) => this.destroy(slot)));
    await this.cgroups.close();
    this.watchdog?.stdin?.end();
  }

  /**
   * A small shell that outlives the executor: when the executor dies without closing (SIGKILL, a
   * crash), its pipe closes and the shell kills every instance and forwarder. Without it, frozen
   * instances would survive (a task frozen by the v1 freezer ignores SIGKILL until thawed), and
   * the next start of this executor would be the first to clean up.
   */
  private startWatchdog(): void {
    const slots = path.join(this.options.dir, 'slots');
    const script = [
      'read -r _',
      this.cgroups.killScript(),
      `for f in ${shellQuote(slots)}/*/pasta.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")"; done`,
    ].join('\n');
    const watchdog = spawn('/bin/sh', ['-c', `${script} 2>/dev/null; exit 0`], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    watchdog.stdin?.on('error', () => undefined);
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
    if (watchdog.pid) writeFileSync(path.join(this.options.dir, WATCHDOG_PID), `${watchdog.pid}\n`);
    this.watchdog = watchdog;
  }

  private instance(spec: FunctionSpec, slot: Slot, runtime: Pick<LaunchOptions, 'javaRuntimeDir'>): IsolatedInstance {
    const { options } = this;
    const runtimeDir = bootstrapFolder(spec, { ...options, ...runtime });
    const { cgroup, launcher } = slot;
    let closed: Promise<void> | null = null;
    let final: { cpuNanos: number; forksRefused: number } | null = null;
    return {
      runtimeApi: slot.runtimeApi,
      paths: {
        taskRoot: TASK_ROOT,
        runtimeDir: runtimeDir || spec.image ? RUNTIME_DIR : TASK_ROOT,
        tmp: '/tmp',
        runtimeApi: RUNTIME_API_INSIDE,
      },
      kernelLimits: true,
      launch: async (argv, env) => {
        const root = spec.image
          ? imageRootArgs(spec.image.rootfs)
          : [...this.hostRootArgs, '--ro-bind', spec.codeDir, TASK_ROOT, ...(runtimeDir ? ['--ro-bind', runtimeDir, RUNTIME_DIR] : [])];
        const args = [
          ...this.namespaceArgs,
          ...root,
          '--ro-bind',
          path.join(slot.dir, 'passwd'),
          '/etc/passwd',
          '--ro-bind',
          path.join(slot.dir, 'group'),
          '/etc/group',
          '--bind',
          path.join(slot.dir, 'api.sock'),
          RUNTIME_API_SOCKET_INSIDE,
          ...this.host.binds,
          ...(slot.scratch
            ? ['--bind', slot.scratch.mountPoint, '/tmp']
            : ['--perms', '1777', '--size', String(slot.tmpMb * MIB), '--tmpfs', '/tmp']),
          '--remount-ro',
          '/',
          '--chdir',
          spec.image ? spec.image.workingDirectory : TASK_ROOT,
          '--clearenv',
          ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
          '--setenv',
          EXEC_VARIABLE,
          argv.map(shellQuote).join(' '),
        ];
        if (args.some((a) => a.includes('\0'))) throw new Error('an argument or environment value holds a NUL byte');
        if (launcher.exitCode !== null || launcher.signalCode !== null) throw new Error('the sandbox launcher is gone');
        (launcher.stdio[3] as Writable).end(`${args.join('\0')}\0`);
        return launcher;
      },
      startBilledCpu: async () => {
        if (options.cpu === 'quota') await cgroup.limitCpu(spec.memoryMb / MB_PER_VCPU);
      },
      freeze: () => cgroup.freeze(),
      thaw: () => cgroup.thaw(),
      park: () => cgroup.park(),
      unpark: () => cgroup.unpark(),
      parkControl: () => cgroup.parkControl(),
      parkedWith: (value) => cgroup.parkedWith(value),
      parkMs: () => cgroup.parkMs(),
      kill: () => {
        void cgroup.kill().catch((err: unknown) => options.log.warn({ err }, 'could not kill a sandbox cgroup'));
        launcher.kill('SIGKILL');
      },
      memory: () => ({ peakKb: Math.ceil(cgroup.peakMemoryBytes() / 1024), rssKb: 0 }),
      oomKills: () => cgroup.oomKills(),
      // Kept when the group goes, so the last figures stay readable after the instance ended.
      cpuNanos: () => final?.cpuNanos ?? cgroup.cpuNanos(),
      forksRefused: () => final?.forksRefused ?? cgroup.forksRefused(),
      close: () => {
        final ??= { cpuNanos: cgroup.cpuNanos(), forksRefused: cgroup.forksRefused() };
        closed ??= this.destroy(slot);
        return closed;
      },
    };
  }

  private async prepare(tmpMb: number): Promise<Slot> {
    const id = randomBytes(5).toString('hex');
    const dir = path.join(this.options.dir, 'slots', id);
    await mkdir(dir, { mode: 0o700 });
    const undo: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
    /** Runs one setup step; its undo is registered as soon as it succeeded, even if a sibling failed. */
    const step = async <T>(make: () => Promise<T>, unmake: (made: T) => Promise<unknown>): Promise<T> => {
      const made = await make();
      undo.push(() => unmake(made));
      return made;
    };
    try {
      const uid = await step(
        () => this.uids.take(),
        (u) => this.uids.release(u),
      );
      // Independent steps run side by side: a cold start with no spare ready waits for the longest.
      const [runtimeApi, network, scratch, cgroup] = await (async () => {
        const socket = path.join(dir, 'api.sock');
        const api = step(
          () => RuntimeApi.start(this.options.maxResponseBytes, socket),
          (r) => r.close(),
        );
        const net = api.then(async (r) => {
          await chown(socket, uid, uid);
          return step(
            () =>
              openNetwork(`tly-${this.options.executorKey}-${id}`, dir, r.port, {
                mode: this.options.network,
                denyCidrs: this.options.denyCidrs ?? [],
                ip: this.tools.ip,
                pasta: this.tools.pasta,
              }),
            (n) => n.close(),
          );
        });
        const disk =
          (this.options.tmp ?? 'disk') === 'disk'
            ? step(
                () =>
                  openScratch(dir, tmpMb, { mkfs: this.tools['mkfs.ext4'], mount: this.tools.mount, umount: this.tools.umount }, this.room),
                (d) => d.close(),
              )
            : Promise.resolve(null);
        const group = step(
          () => this.cgroups.create(id),
          (g) => g.remove(),
        );
        const all = await Promise.allSettled([api, net, disk, group]);
        const failed = all.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        return [await api, await net, await disk, await group] as const;
      })();
      const files = account(uid);
      await writeFile(path.join(dir, 'passwd'), files.passwd, { mode: 0o644 });
      await writeFile(path.join(dir, 'group'), files.group, { mode: 0o644 });
      const { prlimit, nsenter, bwrap } = this.tools;
      // The static drop to the instance's uid (no groups, no capability in any set, no_new_privs), then
      // the host's shell through the host's loader: a container image's root may have no shell (host-tools.ts).
      const command = this.host.command(uid, TRAMPOLINE);
      const launcher = await step(
        async () =>
          spawn(
            prlimit,
            ['--nofile=1024:1024', '--core=0', '--', nsenter, `--net=${network.nsPath}`, '--', bwrap, '--args', '3', '--', ...command],
            {
              cwd: '/',
              env: {},
              stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
              // A process group of its own: Ctrl-C in the terminal of `npm start` signals the whole
              // foreground group, and must not kill instances the executor is still draining. The
              // launcher dies with the executor all the same (bwrap --die-with-parent, and the watchdog).
              detached: true,
            },
          ),
        async (l) => l.kill('SIGKILL'),
      );
      launcher.stdio[3]?.on('error', () => undefined);
      if (launcher.pid === undefined) throw new Error('could not start the sandbox launcher');
      await cgroup.join(launcher.pid);
      return { id, dir, uid, runtimeApi, network, scratch, tmpMb, cgroup, launcher };
    } catch (err) {
      for (const undoStep of undo.reverse()) await undoStep().catch(() => undefined);
      throw err;
    }
  }

  /** Every process first (the cgroup), then the namespace, disk, socket and uid. */
  private async destroy(slot: Slot): Promise<void> {
    slot.launcher.kill('SIGKILL');
    await slot.cgroup
      .remove()
      .catch((err: unknown) => this.options.log.error({ err, cgroup: slot.cgroup.name }, 'could not remove a sandbox cgroup'));
    await slot.runtimeApi.close().catch(() => undefined);
    await slot.network.close().catch(() => undefined);
    await slot.scratch?.close().catch(() => undefined);
    await rm(slot.dir, { recursive: true, force: true }).catch(() => undefined);
    await this.uids.release(slot.uid);
  }

  /** Keeps `spares` sandboxes ready, one at a time, in the background. */
  private refill(): void {
    if (this.refilling || this.closed) return;
    const target = this.options.spares ?? 2;
    if (this.spares.length >= target) return;
    this.refilling = (async () => {
      while (!this.closed && this.spares.length < target) {
        const slot = await this.prepare(DEFAULT_EPHEMERAL_MB);
        if (this.closed) await this.destroy(slot);
        else this.spares.push(slot);
      }
    })()
      .catch(async (err: unknown) => {
        if (err instanceof NoDiskRoomError) this.options.log.warn({ err }, 'no disk room for a spare sandbox; retrying in 5 s');
        else this.options.log.error({ err }, 'could not prepare a spare sandbox; retrying in 5 s');
        await sleep(5_000);
      })
      .finally(() => {
        this.refilling = null;
        if (!this.closed && this.spares.length < (this.options.spares ?? 2)) this.refill();
      });
  }

  /** Leftovers of a previous run of this executor (it crashed or was killed): processes, namespaces, disks. */
  private async sweep(): Promise<void> {
    const removed = await removeLeftovers({
      dir: this.options.dir,
      executorKey: this.options.executorKey,
      cgroups: this.cgroups,
      tools: this.tools,
    });
    if (removed > 0) this.options.log.warn({ removed }, 'removed sandboxes left by a previous run');
  }

  /** One real sandbox end to end (uid, namespaces, cgroup, disk, network), or a clear refusal to start. */
  private async smokeTest(): Promise<void> {
    const spec: FunctionSpec = {
      functionId: 'smoke-test',
      name: 'smoke-test',
      version: '0',
      runtime: 'provided',
      handler: 'none',
      memoryMb: 128,
      timeoutS: 10,
      environment: {},
      codeDir: '/usr/bin',
    };
    let instance: IsolatedInstance | null = null;
    try {
      instance = await this.open(spec);
      const child = await instance.launch(['/usr/bin/test', '-w', '/tmp'], { PATH: '/usr/bin:/bin' });
      let output = '';
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.once('exit', (c) => resolve(c));
      });
      if (code !== 0) throw new Error(`a test sandbox exited with ${code}: ${output.trim().slice(0, 300)}`);
    } catch (err) {
      throw new SandboxUnavailableError(`the function sandbox failed its start-up test: ${(err as Error).message}`);
    } finally {
      await instance?.close();
    }
  }
}

const WATCHDOG_PID = 'watchdog.pid';

/**
 * Waits until the watchdog of the sandbox that last used `dir` has exited. When its executor dies
 * (or closes), the watchdog kills what is left and, after a pause, removes the executor's cgroup
 * folders; an executor restarting at once in the same folder makes the same folders meanwhile, and
 * would lose them. Waits at most 5 s, then kills it.
 */
async function previousWatchdogGone(dir: string): Promise<void> {
  let pid = 0;
  try {
    pid = Number(readFileSync(path.join(dir, WATCHDOG_PID), 'utf8').trim());
  } catch {
    return; // none yet
  }
  // The pid is only ours while its command line names this folder's slots (pids are reused).
  const ours = (): boolean => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join(dir, 'slots'));
    } catch {
      return false;
    }
  };
  for (let waited = 0; pid > 0 && ours(); waited += 20) {
    if (waited >= 5_000) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      break;
    }
    await sleep(20);
  }
}

/**
 * Removes what a sandbox of `executorKey` left behind when its executor died without closing it:
 * processes (by cgroup), pasta forwarders, network namespaces, /tmp disks. Returns how many
 * cgroups and namespaces it found.
 */
export async function removeLeftovers(options: {
  dir: string;
  executorKey: string;
  cgroups?: CgroupDriver;
  tools?: Pick<Tools, 'ip' | 'umount'>;
}): Promise<number> {
  const tools = options.tools ?? { ip: 'ip', umount: 'umount' };
  // Its watchdog may still be at work (it waits a moment before removing the cgroup folders): let it
  // finish, or it would remove the folders made below.
  if (!options.cgroups) await previousWatchdogGone(options.dir);
  const cgroups = options.cgroups ?? (await createCgroupDriver({ executorKey: options.executorKey }));
  let removed = await cgroups.sweep();
  const slots = path.join(options.dir, 'slots');
  const prefix = `tly-${options.executorKey}-`;
  for (const id of await readdir(slots).catch(() => [] as string[])) {
    const pasta = Number((await readFile(path.join(slots, id, 'pasta.pid'), 'utf8').catch(() => '')).trim());
    if (pasta > 0) {
      try {
        process.kill(pasta, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await run(tools.umount, ['-l', path.join(slots, id, 'tmp')]).catch(() => undefined);
    await rm(path.join(slots, id), { recursive: true, force: true });
  }
  for (const name of (await readdir('/run/netns').catch(() => [] as string[])).filter((n) => n.startsWith(prefix))) {
    await run(tools.ip, ['netns', 'delete', name]).catch(() => undefined);
    removed += 1;
  }
  // Called on its own (not by a starting sandbox, which goes on using its folders): leave no folder behind.
  if (!options.cgroups) await cgroups.close();
  return removed;
}
