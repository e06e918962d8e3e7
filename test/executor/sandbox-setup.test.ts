import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecutorConfigError, parseSandboxConfig } from '../../executor/config.js';
import { createCgroupDriver } from '../../executor/sandbox/cgroups.js';
import { checkRequirements, SandboxUnavailableError } from '../../executor/sandbox/requirements.js';
import type { FunctionSpec } from '../../executor/runtime/types.js';
import { KernelSandbox } from '../../executor/sandbox/sandbox.js';
import { silentLog } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tally-sandbox-setup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A function whose code folder is /usr/bin: enough to launch `true` in a sandbox. */
const trueSpec: FunctionSpec = {
  functionId: 'f',
  name: 'f',
  version: '1',
  runtime: 'provided',
  handler: 'x',
  memoryMb: 128,
  timeoutS: 3,
  environment: {},
  codeDir: '/usr/bin',
};

/** Opens an instance, runs `true` in it, and answers its exit code. */
async function runsTrue(sandbox: KernelSandbox): Promise<unknown> {
  const box = await sandbox.open(trueSpec);
  try {
    const child = await box.launch(['/usr/bin/true'], { PATH: '/usr/bin' });
    return await new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
  } finally {
    await box.close();
  }
}

describe('sandbox start-up', () => {
  it('refuses to start without its tools, and says exactly what to install', async () => {
    const empty = path.join(tmp, 'empty-path');
    mkdirSync(empty);
    const start = KernelSandbox.start({
      dir: path.join(tmp, 'sb'),
      executorKey: 'setup001',
      network: 'outbound',
      log: silentLog,
      searchPath: empty,
    });
    await expect(start).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(start).rejects.toThrow(/apt-get install -y bubblewrap util-linux mount iproute2 passt e2fsprogs/);
    await expect(start).rejects.toThrow(/TALLY_SANDBOX=off/);
  });

  it('drops a spare sandbox whose launcher was killed, and still starts the next instance', async () => {
    const sandbox = await KernelSandbox.start({
      dir: path.join(tmp, 'sb-spare'),
      executorKey: 'setup002',
      network: 'none',
      log: silentLog,
      spares: 1,
    });
    try {
      const spares = (
        sandbox as unknown as { spares: { launcher: { kill(s: string): void; exitCode: number | null; signalCode: string | null } }[] }
      ).spares;
      for (let i = 0; i < 100 && spares.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(spares.length).toBe(1);
      const launcher = spares[0]!.launcher;
      launcher.kill('SIGKILL');
      for (let i = 0; i < 100 && launcher.signalCode === null; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await runsTrue(sandbox)).toBe(0);
    } finally {
      await sandbox.close();
    }
  });

  it("restarting at once in the same folder keeps its cgroups: the last run's watchdog finishes first", async () => {
    const options = { dir: path.join(tmp, 'sb-restart'), executorKey: 'setup003', network: 'none' as const, log: silentLog, spares: 0 };
    const first = await KernelSandbox.start(options);
    await first.close();
    // The closed sandbox's watchdog now kills what is left and, 0.2 s later, removes the folders.
    const second = await KernelSandbox.start(options);
    try {
      await new Promise((r) => setTimeout(r, 600));
      expect(await runsTrue(second)).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('needs no loop devices or mkfs when /tmp lives in memory', () => {
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin);
    for (const tool of ['bwrap', 'nsenter', 'prlimit', 'ip', 'pasta']) {
      writeFileSync(path.join(bin, tool), '#!/bin/sh\n', { mode: 0o755 });
    }
    expect(() => checkRequirements({ tmp: 'disk', searchPath: bin })).toThrow(/e2fsprogs/);
    expect(Object.keys(checkRequirements({ tmp: 'memory', searchPath: bin })).sort()).toEqual([
      'bwrap',
      'drop',
      'ip',
      'nsenter',
      'pasta',
      'prlimit',
    ]);
  });

  it('reads its switches from the environment and names a bad one', () => {
    expect(parseSandboxConfig({})).toMatchObject({
      enabled: true,
      network: 'outbound',
      tmp: 'disk',
      cpu: 'shares',
      pids: 1024,
      denyCidrs: [],
    });
    expect(
      parseSandboxConfig({ TALLY_SANDBOX: 'off', TALLY_FUNCTION_NETWORK: 'none', TALLY_FUNCTION_DENY_CIDRS: '10.0.0.0/8, 192.168.0.0/16' }),
    ).toMatchObject({
      enabled: false,
      network: 'none',
      denyCidrs: ['10.0.0.0/8', '192.168.0.0/16'],
    });
    expect(() => parseSandboxConfig({ TALLY_SANDBOX: 'maybe' })).toThrow(ExecutorConfigError);
    expect(() => parseSandboxConfig({ TALLY_SANDBOX: 'maybe' })).toThrow(/TALLY_SANDBOX/);
    expect(() => parseSandboxConfig({ TALLY_FUNCTION_NETWORK: 'all' })).toThrow(/TALLY_FUNCTION_NETWORK/);
    expect(() => parseSandboxConfig({ TALLY_FUNCTION_DENY_CIDRS: '10.0.0.0/33' })).toThrow(/TALLY_FUNCTION_DENY_CIDRS/);
  });
});

/**
 * The v2 layout cannot run for real here (these machines give every controller to v1), so this
 * checks the files the v2 driver writes against a folder laid out as a cgroup2 mount.
 */
describe('cgroup v2 driver (against a cgroup2-shaped folder)', () => {
  const mount = path.join(tmp, 'cgroup2');
  const ownPath = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('0::'))!
    .slice(3);
  const own = path.join(mount, ownPath);

  it('moves the executor into a leaf, enables the controllers, and writes limits, parks, freezes and kills by file', async () => {
    mkdirSync(own, { recursive: true });
    writeFileSync(path.join(mount, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids\n');
    if (own !== mount) writeFileSync(path.join(own, 'cgroup.controllers'), 'cpu memory pids\n');
    writeFileSync(path.join(own, 'cgroup.procs'), `${process.pid}\n`);
    writeFileSync(path.join(own, 'cgroup.subtree_control'), '');
    const driver = await createCgroupDriver({ executorKey: 'v2test01', mount });
    expect(driver.version).toBe(2);
    expect(readFileSync(path.join(own, 'tally-executor', 'cgroup.procs'), 'utf8')).toBe(String(process.pid));
    expect(readFileSync(path.join(own, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +pids +cpu');
    const root = path.join(own, 'tally-v2test01');
    expect(readFileSync(path.join(root, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +pids +cpu');

    const group = await driver.create('inst1');
    await group.setLimits({ memoryBytes: 256 * 1024 * 1024, pids: 1024, shares: (256 / 1769) * 1024 });
    const file = (name: string) => readFileSync(path.join(root, 'inst1', name), 'utf8');
    // A control file held open is written in place, which the kernel takes whole; a plain file keeps
    // the tail of a longer earlier write.
    const written = (name: string, text: string) => expect(file(name).slice(0, text.length)).toBe(text);
    expect(file('memory.max')).toBe(String(256 * 1024 * 1024));
    expect(file('memory.swap.max')).toBe('0');
    expect(file('pids.max')).toBe('1024');
    expect(Number(file('cpu.weight'))).toBeGreaterThanOrEqual(1);
    // Parked between invocations: 1 ms per period (the kernel's longest without a quota, so the park
    // lasts half a second before a freeze), then back to what was in force.
    expect(file('cpu.max')).toBe('max 1000000');
    expect(group.parkMs()).toBe(500);
    group.park();
    written('cpu.max', '1000 1000000');
    group.unpark();
    written('cpu.max', 'max 1000000');
    await group.limitCpu(256 / 1769);
    expect(file('cpu.max')).toBe('2894 20000');
    expect(group.parkMs()).toBe(10);
    group.park();
    written('cpu.max', '1000 20000');
    group.unpark();
    written('cpu.max', '2894 20000');
    group.freeze();
    expect(file('cgroup.freeze')).toBe('1');
    group.thaw();
    expect(file('cgroup.freeze')).toBe('0');
    await group.join(12345);
    expect(file('cgroup.procs')).toBe('12345');
    writeFileSync(path.join(root, 'inst1', 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    expect(group.oomKills()).toBe(1);
    // Read on every invocation through a file held open: each read sees what the file holds now.
    writeFileSync(path.join(root, 'inst1', 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n');
    expect(group.oomKills()).toBe(2);
    writeFileSync(path.join(root, 'inst1', 'memory.peak'), '52428800\n');
    writeFileSync(path.join(root, 'inst1', 'memory.current'), '1048576\n');
    expect(group.peakMemoryBytes()).toBe(52_428_800);
    writeFileSync(path.join(root, 'inst1', 'memory.peak'), '62914560\n');
    expect(group.peakMemoryBytes()).toBe(62_914_560);
    const heldOpen = (file: string) =>
      readdirSync('/proc/self/fd').some((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === file;
        } catch {
          return false; // the descriptor readdir itself used, gone by now
        }
      });
    expect(heldOpen(path.join(root, 'inst1', 'memory.events'))).toBe(true);
    expect(heldOpen(path.join(root, 'inst1', 'memory.peak'))).toBe(true);
    // Before Linux 5.19 there is no memory.peak: the highest memory.current read stands in for it.
    const old = await driver.create('inst2');
    writeFileSync(path.join(root, 'inst2', 'memory.current'), '31457280\n');
    expect(old.peakMemoryBytes()).toBe(31_457_280);
    writeFileSync(path.join(root, 'inst2', 'memory.current'), '2097152\n');
    expect(old.peakMemoryBytes()).toBe(31_457_280);
    writeFileSync(path.join(root, 'inst2', 'memory.current'), '41943040\n');
    expect(old.peakMemoryBytes()).toBe(41_943_040);
    // A memory.peak that reads as nothing (a read that failed) falls back to memory.current, as before.
    const blank = await driver.create('inst3');
    writeFileSync(path.join(root, 'inst3', 'memory.peak'), '');
    writeFileSync(path.join(root, 'inst3', 'memory.current'), '5242880\n');
    expect(blank.peakMemoryBytes()).toBe(5_242_880);
    writeFileSync(path.join(root, 'inst1', 'pids.events'), 'max 7\n');
    expect(group.forksRefused()).toBe(7);
    expect(driver.killScript()).toContain('cgroup.kill');
  });
});

describe("cgroup driver (this machine's)", () => {
  it("keeps a park written while the first call's CPU ceiling was still being set, and parks for half a period", async () => {
    const driver = await createCgroupDriver({ executorKey: 'setup004' });
    await driver.sweep(); // what an interrupted earlier run left
    const group = await driver.create('race1');
    try {
      const file = driver.version === 1 ? 'cpu.cfs_quota_us' : 'cpu.max';
      const root = driver.roots.find((r) => readdirSync(path.join(r, 'race1')).includes(file))!;
      const quota = () =>
        readFileSync(path.join(root, 'race1', file), 'utf8')
          .trim()
          .split(' ')[0];
      expect(group.parkMs()).toBe(500);
      // TALLY_SANDBOX_CPU=quota sets the ceiling at the first call without waiting; a call answered
      // at once is parked before those writes land.
      const limiting = group.limitCpu(256 / 1769);
      group.park();
      expect(group.parkMs()).toBe(10);
      await limiting;
      expect(quota()).toBe('1000');
      group.unpark();
      expect(quota()).toBe('2894');
    } finally {
      await group.remove();
      await driver.close();
    }
  });
});
