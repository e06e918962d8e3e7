import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FunctionInstance, InstanceGoneError } from '../../executor/runtime/instance.js';
import type { Isolation } from '../../executor/sandbox/isolation.js';
import type { FunctionSpec } from '../../executor/runtime/types.js';
import { copyFixtures, countedParks, event, json, makeSpec, processesOf, silentLog, useSandbox, wrapIsolation } from './helpers.js';

/**
 * One test per way out of the sandbox a hostile function could try (docs/sandbox.md). Each runs
 * the attempt inside a real sandbox, checks it failed, and checks the platform still answers.
 */
const fixtures = copyFixtures();
const PIDS_LIMIT = 64;
const sandbox = useSandbox({ pidsLimit: PIDS_LIMIT });
const offline = useSandbox({ network: 'none', spares: 0 });
const lambdaCpu = useSandbox({ cpu: 'quota', spares: 0 });
/** Outbound, with no spare made ahead: each instance's network is set up when it opens. */
const unspared = useSandbox({ spares: 0 });
/** One uid only, far from the others: each instance gets the uid the one before it released. */
const oneUid = useSandbox({ uidBase: 2_000_000_000 + randomInt(1_000_000_000), uidCount: 1, spares: 0 });
const live: FunctionInstance[] = [];

/** Counting each instance's freezes and parks (the executor's own, and the answer clock's it noted). */
function counting(counts: { frozen?: { times: number }; parked?: { times: number } }, base: Isolation = sandbox.isolation): Isolation {
  return wrapIsolation(base, (box) => ({
    freeze: () => {
      box.freeze();
      if (counts.frozen) counts.frozen.times++;
    },
    ...countedParks(box, () => {
      if (counts.parked) counts.parked.times++;
    }),
  }));
}

function hostile(overrides: Partial<FunctionSpec> = {}, isolation: Isolation = sandbox.isolation): FunctionInstance {
  const created = new FunctionInstance(makeSpec(fixtures.dir('hostile'), overrides), { log: silentLog, isolation });
  live.push(created);
  return created;
}

async function run(fn: FunctionInstance, payload: Record<string, unknown>) {
  return fn.invoke(event(payload), { requestId: `req-${randomBytes(4).toString('hex')}` });
}

/** After every attempt a fresh, benign instance still runs: the platform kept answering. */
afterEach(async () => {
  const probe = hostile();
  const result = await run(probe, { action: 'echo', n: 1 });
  expect(result.status).toBe('success');
  await Promise.all(live.splice(0).map((i) => i.dispose()));
});
afterAll(() => fixtures.remove());

describe('a hostile function', () => {
  it('runs as its own unprivileged uid: no capabilities, no_new_privs, cannot become root', async () => {
    const a = json((await run(hostile(), { action: 'identity' })).payload);
    const b = json((await run(hostile(), { action: 'identity' })).payload);
    expect(a.uid).not.toBe(0);
    expect(a.uid).toBeGreaterThanOrEqual(1_000_000_000);
    expect(a.uid).not.toBe(b.uid);
    expect(a.gid).toBe(a.uid);
    expect(a.capEff).toBe('0000000000000000');
    expect(a.capBnd).toBe('0000000000000000');
    expect(a.noNewPrivs).toBe('1');
    expect(a.setuidRoot).toEqual({ ok: false, code: 'EPERM' });
    expect(a.hostname).toBe('sandbox');
    // Its own pid namespace: bwrap's init and the runtime, nothing of the host.
    expect(a.pids.length).toBeLessThanOrEqual(3);
    expect(a.root).toEqual(expect.arrayContaining(['etc', 'proc', 'tmp', 'usr', 'var']));
    expect(a.root).not.toContain('home');
    expect(a.root).not.toContain('work');
  });

  it('cannot read the environment of the executor or of any other process', async () => {
    const result = json((await run(hostile(), { action: 'environ', pid: process.pid })).payload);
    // This test process holds DATABASE_URL: its pid is simply not there inside the sandbox.
    expect(result.target.ok).toBe(false);
    expect(result.readable.every((r: { secrets: boolean }) => !r.secrets)).toBe(true);
  });

  it("cannot see the platform's files, keys, spool, other functions' code or the host's secrets", async () => {
    const others = fixtures.dir('node-cjs-js');
    const dir = (sandbox.isolation as unknown as { options: { dir: string } }).options.dir;
    const secret = path.join(os.tmpdir(), `tally-secret-${randomBytes(4).toString('hex')}`);
    writeFileSync(secret, 'the executor key', { mode: 0o600 });
    // /root may hold an interpreter the sandbox binds read-only (pyenv): its other files stay out of view.
    const paths = [
      '/etc/shadow',
      '/root/.bashrc',
      '/root/.ssh',
      '/work',
      '/home',
      process.cwd(),
      dir,
      secret,
      others,
      path.join(others, 'index.js'),
      '/run/tally-sandbox',
      '/sys',
      '/proc/1/root/etc/shadow',
    ];
    const result = json((await run(hostile(), { action: 'readFiles', paths })).payload);
    for (const p of paths) expect(result[p], p).toMatchObject({ ok: false });
    expect(result['/etc/shadow'].code).toBe('ENOENT');
  });

  it('cannot write its own code or the root file system', async () => {
    const result = json((await run(hostile(), { action: 'writeTask' })).payload);
    expect(result.file).toEqual({ ok: false, code: 'EROFS' });
    expect(result.newFile).toEqual({ ok: false, code: 'EROFS' });
    expect(result.root.ok).toBe(false);
    expect(result.etc.ok).toBe(false);
  });

  it("cannot reach the host's loopback services, the host's own addresses or link-local metadata", async () => {
    const hostAddresses = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    expect(hostAddresses.length).toBeGreaterThan(0);
    const targets = [['127.0.0.1', 5432], ['127.0.0.1', 6379], ...hostAddresses.map((a) => [a, 5432]), ['169.254.169.254', 80]];
    const result = json((await run(hostile(), { action: 'connect', targets })).payload);
    for (const [host, port] of targets) expect(result[`${host}:${port}`], `${host}:${port}`).toMatchObject({ ok: false });
  });

  it("cannot reach the host's abstract unix sockets or its IPv6 loopback", async () => {
    const abstract = `\0tally-review-${randomBytes(4).toString('hex')}`;
    const servers = [net.createServer((s) => s.end()), net.createServer((s) => s.end())];
    await new Promise<void>((resolve) => servers[0]!.listen(abstract, resolve));
    await new Promise<void>((resolve) => servers[1]!.listen({ host: '::1', port: 0 }, resolve));
    const port = (servers[1]!.address() as net.AddressInfo).port;
    try {
      const targets = [
        ['unix', abstract],
        ['::1', port],
        ['::ffff:127.0.0.1', port],
      ];
      const result = json((await run(hostile(), { action: 'connect', targets })).payload);
      for (const [host, at] of targets) expect(result[`${host}:${at}`], `${host}:${at}`).toMatchObject({ ok: false });
    } finally {
      for (const server of servers) server.close();
    }
  });

  it("cannot reach the host through an address on the host's loopback interface other than 127.x (a service address)", async () => {
    // A TEST-NET-2 address of the host's own, on lo, as a VIP or an anycast service address would be.
    let address = '';
    for (let tries = 0; !address && tries < 20; tries++) {
      const candidate = `198.51.100.${1 + randomInt(254)}`;
      if (spawnSync('ip', ['addr', 'add', `${candidate}/32`, 'dev', 'lo']).status === 0) address = candidate;
    }
    expect(address).not.toBe('');
    const server = net.createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen({ host: '0.0.0.0', port: 0 }, resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      // A sandbox made now, so its namespace is set up knowing the address.
      const result = json((await run(hostile({}, unspared.isolation), { action: 'connect', targets: [[address, port]] })).payload);
      expect(result[`${address}:${port}`]).toMatchObject({ ok: false });
    } finally {
      server.close();
      spawnSync('ip', ['addr', 'del', `${address}/32`, 'dev', 'lo']);
    }
  });

  it("cannot reach another instance's Runtime API", async () => {
    const victim = hostile();
    await run(victim, { action: 'echo' });
    const port = Number(victim.runtimeApiAddress!.split(':')[1]);
    const result = json((await run(hostile(), { action: 'connect', targets: [['127.0.0.1', port]] })).payload);
    expect(result[`127.0.0.1:${port}`]).toMatchObject({ ok: false });
    // The victim still has its next event to itself.
    expect((await run(victim, { action: 'echo', n: 2 })).status).toBe('success');
  });

  it('gets ENOSPC past its ephemeral storage; /tmp is a disk, not its memory', async () => {
    // 128 MB of memory, 512 MB of /tmp: writing 300 MB works (the disk is not counted as memory)...
    const fn = hostile({ memoryMb: 128, timeoutS: 30, ephemeralStorageMb: 512 });
    const fits = json((await run(fn, { action: 'fillTmp', maxMb: 300 })).payload);
    expect(fits).toMatchObject({ written: 300, error: null });
    // ...and writing past 512 MB fails with ENOSPC, not with a kill.
    const past = await run(fn, { action: 'fillTmp', maxMb: 600 });
    expect(past.status).toBe('success');
    expect(json(past.payload).error).toBe('ENOSPC');
    expect(json(past.payload).written).toBeGreaterThan(400);
    expect(json(past.payload).written).toBeLessThan(512);
  });

  it('contains a fork bomb to its own process limit', async () => {
    const fn = hostile({ timeoutS: 6, memoryMb: 1769 });
    const uid = json((await run(fn, { action: 'identity' })).payload).uid as number;
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, processesOf(uid).length)), 20);
    // The bomb takes the instance's whole CPU share: the handler may not get to answer before its timeout.
    const result = await run(fn, { action: 'forkBomb', ms: 4000 });
    clearInterval(watch);
    expect(['success', 'timeout']).toContain(result.status);
    // (The handler's own fork attempts, 50 ms apart, usually meet the limit too, but not always: one run in
    // about twenty here, each found a slot free. The kernel's count below is what shows the limit held.)
    // The kernel refused its forks at its own limit, and it never held more processes than that.
    expect(fn.kernelCounters().forksRefused).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(PIDS_LIMIT);
    await fn.dispose();
    expect(processesOf(uid)).toEqual([]);
  });

  it('ends as Runtime.OutOfMemory when a child process eats past the memory size', async () => {
    const fn = hostile({ memoryMb: 128, timeoutS: 20 });
    const result = await run(fn, { action: 'childHog' });
    expect(result.status).toBe('error');
    expect(result.errorType).toBe('Runtime.OutOfMemory');
    expect(result.maxMemoryUsedMb).toBeLessThanOrEqual(128);
    expect(fn.alive).toBe(false);
  });

  it('leaves nothing running after a timeout, even a process in its own session', async () => {
    const fn = hostile({ timeoutS: 1 });
    const uid = json((await run(fn, { action: 'identity' })).payload).uid as number;
    const result = await run(fn, { action: 'escape' });
    expect(result.status).toBe('timeout');
    await expect.poll(() => processesOf(uid), { timeout: 3000 }).toEqual([]);
  });

  it('gets no CPU between invocations: frozen, then thawed for the next one', async () => {
    const fn = hostile({ memoryMb: 1769 });
    const started = await run(fn, { action: 'background' });
    expect(started.status).toBe('success');
    const uid = json((await run(fn, { action: 'identity' })).payload).uid as number;
    expect(processesOf(uid).length).toBeGreaterThanOrEqual(2);
    // Past the parked stretch (half a second: half the idle CPU period), into the frozen one.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const before = fn.kernelCounters().cpuNanos;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleMs = (fn.kernelCounters().cpuNanos - before) / 1e6;
    // A busy loop in a child and one in the runtime would burn ~1000 ms each if they ran.
    expect(idleMs).toBeLessThan(5);
    // Thawed for the next call: its timer loop runs again while it is being invoked.
    const a = json((await run(fn, { action: 'spins' })).payload).spins;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const b = json((await run(fn, { action: 'spins' })).payload).spins;
    expect(b).toBeGreaterThan(a);
    expect(fn.kernelCounters().cpuNanos - before).toBeGreaterThan(0);
  });

  it('is parked the moment it answers: 1 ms of CPU per period until it is frozen', async () => {
    // A parked stretch made longer than the default (500 ms, then it is frozen), to measure.
    const counts = { parked: { times: 0 }, frozen: { times: 0 } };
    const fn = new FunctionInstance(makeSpec(fixtures.dir('hostile'), { memoryMb: 1769 }), {
      log: silentLog,
      isolation: counting(counts),
      parkMs: 5000,
    });
    live.push(fn);
    expect((await run(fn, { action: 'background' })).status).toBe('success');
    // Parked in the turn that took the answer, before the result was built: nothing ran free since.
    expect(counts.parked.times).toBe(1);
    const before = fn.kernelCounters().cpuNanos;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const parkedMs = (fn.kernelCounters().cpuNanos - before) / 1e6;
    // Two busy loops would burn ~3000 ms in those 1.5 s. Parked, they get 1 ms per 1 s period, plus
    // what runs past the quota before a scheduler tick notices (the overrun is owed to later periods).
    expect(counts.parked.times).toBe(1);
    expect(counts.frozen.times).toBe(0);
    expect(parkedMs).toBeLessThan(20);
  });

  it('gets its CPU back when called again while parked', async () => {
    const fn = hostile({ memoryMb: 1769 });
    await run(fn, { action: 'echo', n: 1 });
    await run(fn, { action: 'echo', n: 2 });
    // Parked (a turn of the event loop after the answer), not yet frozen (500 ms): the next call lifts
    // the ceiling. Parked, it would get 1 ms per second (0.1 %); 10 % leaves room for a loaded machine.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const { cpuMs, wallMs } = json((await run(fn, { action: 'burn', ms: 200 })).payload);
    expect(cpuMs / wallMs).toBeGreaterThan(0.1);
  });
});

describe('a uid handed out again', () => {
  // The kernel keeps a uid's user, user session and persistent keyrings after its last process is gone,
  // and a uid is handed to the next instance (of any tenant) once its processes are (uids.ts).
  it("holds nothing the instance that had it before put in the kernel's keyrings", async () => {
    const secret = `tenant-a-${randomBytes(6).toString('hex')}`;
    const first = hostile({}, oneUid.isolation);
    const planted = json((await run(first, { action: 'keyrings', mode: 'plant', secret })).payload);
    await first.dispose();
    const second = hostile({}, oneUid.isolation);
    const found = json((await run(second, { action: 'keyrings', mode: 'read' })).payload);
    expect(found.uid).toBe(planted.uid);
    for (const ring of ['user', 'userSession', 'persistent']) expect(found.keys[ring], ring).not.toContain(secret);
  });
});

describe('between calls', () => {
  it('stays parked, not frozen, while called a few times a second, and is frozen half a second after its last call', async () => {
    const frozen = { times: 0 };
    const fn = hostile({}, counting({ frozen }));
    for (let n = 0; n < 4; n++) {
      expect((await run(fn, { action: 'echo', n })).status).toBe('success');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(frozen.times).toBe(0);
    await expect.poll(() => frozen.times, { timeout: 2000 }).toBe(1);
  });

  it('is frozen 10 ms after its call under TALLY_SANDBOX_CPU=quota, whose 20 ms period would give a longer park more CPU', async () => {
    const frozen = { times: 0 };
    const fn = hostile({}, counting({ frozen }, lambdaCpu.isolation));
    expect((await run(fn, { action: 'echo', n: 1 })).status).toBe('success');
    // Well before the half second a park lasts without a quota.
    await expect.poll(() => frozen.times, { timeout: 300 }).toBe(1);
  });
});

describe('when the kernel refuses to park or wake an instance', () => {
  /** The real sandbox, with one of an instance's CPU controls failing as a broken cgroup would. */
  function refusing(control: 'park' | 'unpark', parked = { times: 0 }): Isolation {
    return wrapIsolation(sandbox.isolation, (box) => ({
      ...countedParks(box, () => {
        parked.times++;
      }),
      // A group that refuses the park refuses the answer clock's write of it as well.
      ...(control === 'park' ? { parkControl: undefined } : {}),
      [control]: () => {
        throw Object.assign(new Error(`EIO: ${control}`), { code: 'EIO' });
      },
    }));
  }

  it('freezes an instance it cannot park: no CPU between calls, and it still answers', async () => {
    const fn = hostile({ memoryMb: 1769 }, refusing('park'));
    expect((await run(fn, { action: 'background' })).status).toBe('success');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = fn.kernelCounters().cpuNanos;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((fn.kernelCounters().cpuNanos - before) / 1e6).toBeLessThan(5);
    expect((await run(fn, { action: 'echo', n: 2 })).status).toBe('success');
    expect(fn.alive).toBe(true);
  });

  it('stops an instance it cannot wake, and hands the call back untaken (the pool runs it on another)', async () => {
    const parked = { times: 0 };
    const fn = hostile({}, refusing('unpark', parked));
    expect((await run(fn, { action: 'echo', n: 1 })).status).toBe('success');
    // Parked in the turn that took the answer.
    expect(parked.times).toBe(1);
    await expect(run(fn, { action: 'echo', n: 2 })).rejects.toBeInstanceOf(InstanceGoneError);
    await expect.poll(() => fn.alive).toBe(false);
  });
});

describe('function CPU', () => {
  it('with TALLY_SANDBOX_CPU=quota, gets memory / 1,769 MB of a CPU and no more, as on Lambda', async () => {
    const fn = hostile({ memoryMb: 256, timeoutS: 10 }, lambdaCpu.isolation);
    // A warm call: the ceiling lifted from the parked one (1 ms per period) is this share, not none.
    await run(fn, { action: 'echo', n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2));
    // Never more than the share; at least 0.4 of it in one of up to three calls (the other test files
    // running beside this one can take the CPU it is measured against, for a while).
    const shares: number[] = [];
    while (shares.length < 3 && !shares.some((share) => share > (256 / 1769) * 0.4)) {
      const { cpuMs, wallMs } = json((await run(fn, { action: 'burn', ms: 1000 })).payload);
      shares.push(cpuMs / wallMs);
    }
    for (const share of shares) expect(share).toBeLessThan((256 / 1769) * 1.5);
    expect(Math.max(...shares)).toBeGreaterThan((256 / 1769) * 0.4);
  });
});

describe('function network', () => {
  // A stand-in for "the internet": a network namespace behind a veth pair, with an HTTP server.
  const tag = randomBytes(3).toString('hex');
  const ns = `tally-inet-${tag}`;
  const octet = 16 + (parseInt(tag.slice(0, 2), 16) % 200);
  const outside = `198.18.${octet}.2`;
  let server: ChildProcess | null = null;
  const sh = (args: string[]) => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };

  beforeAll(async () => {
    sh(['netns', 'add', ns]);
    sh(['link', 'add', `tvh${tag}`, 'type', 'veth', 'peer', 'name', `tvn${tag}`]);
    sh(['link', 'set', `tvn${tag}`, 'netns', ns]);
    sh(['addr', 'add', `198.18.${octet}.1/30`, 'dev', `tvh${tag}`]);
    sh(['link', 'set', `tvh${tag}`, 'up']);
    sh(['-n', ns, 'addr', 'add', `${outside}/30`, 'dev', `tvn${tag}`]);
    sh(['-n', ns, 'link', 'set', `tvn${tag}`, 'up']);
    sh(['-n', ns, 'link', 'set', 'lo', 'up']);
    const www = path.join(os.tmpdir(), `tally-www-${tag}`);
    mkdirSync(www, { recursive: true });
    writeFileSync(path.join(www, 'index.html'), 'hello from outside');
    server = spawn('ip', ['netns', 'exec', ns, 'python3', '-m', 'http.server', '8080', '--bind', outside, '--directory', www], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('curl', ['-s', `http://${outside}:8080/`], { encoding: 'utf8' }).stdout === 'hello from outside') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the outside HTTP server did not start');
  });
  afterAll(() => {
    server?.kill('SIGKILL');
    spawnSync('ip', ['link', 'delete', `tvh${tag}`]);
    spawnSync('ip', ['netns', 'delete', ns]);
  });

  it('reaches the outside world through its own user-mode network', async () => {
    const result = json((await run(hostile(), { action: 'httpGet', url: `http://${outside}:8080/` })).payload);
    expect(result).toEqual({ ok: true, status: 200, body: 'hello from outside' });
  });

  it('reaches nothing but its Runtime API when the operator turns the network off', async () => {
    const fn = hostile({}, offline.isolation);
    const result = json((await run(fn, { action: 'httpGet', url: `http://${outside}:8080/` })).payload);
    expect(result.ok).toBe(false);
    expect((await run(fn, { action: 'echo' })).status).toBe('success');
  });
});

describe('a range the operator denies (TALLY_FUNCTION_DENY_CIDRS)', () => {
  // pasta gives every instance the executor's own address, with its prefix, so each instance's namespace
  // holds a route to the executor's whole subnet: where a database server next to it would be.
  const route = spawnSync('ip', ['-4', '-o', 'route', 'show', 'default'], { encoding: 'utf8' }).stdout;
  const dev = /\bdev (\S+)/.exec(route)?.[1] ?? '';
  const own = os.networkInterfaces()[dev]?.find((a) => a.family === 'IPv4');
  const toInt = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
  const prefix = Number(own?.cidr?.split('/')[1] ?? 32);
  const size = 2 ** (32 - prefix);
  const network = own ? toInt(own.address) - (toInt(own.address) % size) : 0;
  const taken = new Set([toInt(own?.address ?? '0.0.0.0'), toInt(/\bvia (\S+)/.exec(route)?.[1] ?? '0.0.0.0')]);
  let neighbour = network + 1 + randomInt(Math.max(1, size - 2));
  while (taken.has(neighbour)) neighbour = network + 1 + ((neighbour - network) % Math.max(1, size - 2));
  const peer = toIp(neighbour);
  // The private network the operator keeps functions out of, wider than the executor's subnet (as
  // README's example, 10.0.0.0/8 and 192.168.0.0/16, is for a host at 10.0.1.5/24).
  const widerPrefix = Math.max(8, prefix - 8);
  const denied = `${toIp(network - (network % 2 ** (32 - widerPrefix)))}/${widerPrefix}`;
  const denying = useSandbox({ denyCidrs: [denied], spares: 0 });
  const tag = randomBytes(3).toString('hex');
  const ns = `tally-lan-${tag}`;
  let server: ChildProcess | null = null;
  const sh = (args: string[]) => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };

  beforeAll(async () => {
    if (!own || size < 8) throw new Error(`this test needs an IPv4 subnet of 8 addresses or more on ${dev || 'the default route'}`);
    // A neighbour on the executor's subnet: a namespace behind a veth pair, routed to as one address.
    sh(['netns', 'add', ns]);
    sh(['link', 'add', `tlh${tag}`, 'type', 'veth', 'peer', 'name', `tln${tag}`]);
    sh(['link', 'set', `tln${tag}`, 'netns', ns]);
    sh(['link', 'set', `tlh${tag}`, 'up']);
    sh(['route', 'add', `${peer}/32`, 'dev', `tlh${tag}`]);
    sh(['-n', ns, 'addr', 'add', `${peer}/32`, 'dev', `tln${tag}`]);
    sh(['-n', ns, 'link', 'set', `tln${tag}`, 'up']);
    sh(['-n', ns, 'link', 'set', 'lo', 'up']);
    sh(['-n', ns, 'route', 'add', 'default', 'dev', `tln${tag}`]);
    const www = path.join(os.tmpdir(), `tally-lan-${tag}`);
    mkdirSync(www, { recursive: true });
    writeFileSync(path.join(www, 'index.html'), 'a server on the same network');
    server = spawn('ip', ['netns', 'exec', ns, 'python3', '-m', 'http.server', '8080', '--bind', peer, '--directory', www], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('curl', ['-s', `http://${peer}:8080/`], { encoding: 'utf8' }).stdout === 'a server on the same network') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the neighbour HTTP server did not start');
  });
  afterAll(() => {
    server?.kill('SIGKILL');
    spawnSync('ip', ['route', 'delete', `${peer}/32`, 'dev', `tlh${tag}`]);
    spawnSync('ip', ['link', 'delete', `tlh${tag}`]);
    spawnSync('ip', ['netns', 'delete', ns]);
  });

  it("keeps functions from the executor's own subnet inside it, not only from the rest of it", async () => {
    const url = `http://${peer}:8080/`;
    // Nothing denied: the neighbour answers an instance, so the refusal below is the deny's doing.
    expect(json((await run(hostile(), { action: 'httpGet', url })).payload)).toMatchObject({ ok: true, status: 200 });
    const result = json((await run(hostile({}, denying.isolation), { action: 'httpGet', url })).payload);
    expect(result, `${peer} with ${denied} denied`).toMatchObject({ ok: false });
    // And the instance still runs: the deny took nothing it needs (its Runtime API, its start).
    expect((await run(hostile({}, denying.isolation), { action: 'echo' })).status).toBe('success');
  });
});
