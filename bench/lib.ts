import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { type Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { childrenOf } from '../executor/runtime/proc.js';
import { createDb } from '../src/db/database.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { silentLogger } from '../src/lib/logger.js';
import { createSecretBox, parseSecretKey } from '../src/lib/secret-box.js';
import { freePort } from '../src/lib/free-port.js';
export { freePort };

export interface BenchDatabase {
  url: string;
  source: string;
  drop(): Promise<void>;
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/** A fresh database (migrated unless told not to) on DATABASE_URL's server, or on an embedded server when it is unset. */
export async function benchDatabase(options: { migrate?: boolean } = {}): Promise<BenchDatabase> {
  let serverUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  let source = `DATABASE_URL (${serverUrl ? new URL(serverUrl).host : ''})`;
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'tally-bench-pg-'));
    const embedded = await startEmbeddedPostgres(dir, silentLogger(), 'postgres');
    serverUrl = embedded.url;
    source = 'embedded Postgres';
    stopServer = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  // Two databases made in one millisecond (an A/B run's) must not share a name.
  const name = `tally_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = withDatabase(serverUrl, name);
  // Unmigrated, a revision's api migrates it to its own schema at start (bench/steps.ts).
  if (options.migrate !== false) {
    const db = createDb(url, 2);
    await migrateToLatest(db);
    // BENCH_SQL: statements run after the migrations, to compare a schema setting in alternating runs.
    if (process.env.BENCH_SQL) await sql.raw(process.env.BENCH_SQL).execute(db);
    await db.destroy();
  }
  return {
    url,
    source,
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
      await stopServer();
    },
  };
}

/** A git revision exported to a temporary folder that borrows this checkout's node_modules (remove it when done). */
export function exportRevision(rev: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-rev-'));
  execFileSync('sh', ['-c', `git archive ${rev} | tar -x -C ${dir}`]);
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  // The revision's own native addon (the answer clock), where it has one.
  const native = join(dir, 'scripts', 'build-native.mjs');
  if (existsSync(native)) execFileSync(process.execPath, [native], { stdio: 'ignore' });
  return dir;
}

/**
 * The disk's sync time: the median of 400-byte `O_DSYNC` writes, appended (each grows the file: a
 * journal commit on ext4) and in place (into a file zeroed ahead, as the spool writes; docs/usage-path.md).
 */
export function syncMicros(samples = 1000): { append: number; inPlace: number } {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-sync-'));
  const record = Buffer.alloc(400, 'x');
  const median = (flags: number, zeroed: boolean): number => {
    const file = join(dir, zeroed ? 'in-place' : 'append');
    if (zeroed) {
      const zeros = openSync(file, 'w');
      writeSync(zeros, Buffer.alloc(samples * record.length));
      fsyncSync(zeros);
      closeSync(zeros);
    }
    const fd = openSync(file, flags);
    const times: number[] = [];
    try {
      for (let i = 0; i < samples; i++) {
        const started = performance.now();
        writeSync(fd, record, 0, record.length, zeroed ? i * record.length : null);
        times.push((performance.now() - started) * 1000);
      }
    } finally {
      closeSync(fd);
    }
    return percentile(
      times.sort((a, b) => a - b),
      50,
    );
  };
  try {
    return {
      append: median(constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC, false),
      inPlace: median(constants.O_WRONLY | constants.O_DSYNC, true),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `syncMicros` as the benchmarks print it. */
export function syncText(): string {
  const { append, inPlace } = syncMicros();
  return `${fmt(append)} µs appended, ${fmt(inPlace)} µs in place`;
}

/**
 * How this machine's idle CPUs wait, read from sysfs: whether a wake-up of a process on an idle CPU
 * finds it polling (cheap) or halted (on a virtual machine, an interrupt and an exit to the host).
 * Most of a warm invoke's hops are such wake-ups, so this setting moves every figure of `floor`,
 * `invoke` and `offline` (docs/performance.md, "Idle polling on the guest").
 */
export function idleText(): string {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return null;
    }
  };
  const driver = read('/sys/devices/system/cpu/cpuidle/current_driver');
  const pollNs = read('/sys/module/haltpoll/parameters/guest_halt_poll_ns');
  if (driver === null) return 'cpuidle driver unknown';
  if (driver !== 'haltpoll' || pollNs === null) return `cpuidle driver ${driver}`;
  return `cpuidle driver haltpoll, guest_halt_poll_ns ${pollNs}${pollNs === '0' ? ' (an idle CPU halts at once, so each wake-up of a process on it goes through the host)' : ' (an idle CPU polls first)'}`;
}

/**
 * What a wake-up costs on this machine: the round trip of one byte between two processes, each blocked in a read
 * until the other writes (two named pipes), as every hop of a warm invoke is; then the same with both pinned to one
 * CPU, where a wake-up is a plain switch. The first is spread out: the scheduler sometimes wakes the other process on
 * the same CPU (as cheap as pinned) and sometimes on the other one, which may have halted. On a slow VM that halts its
 * idle vCPUs the median was 72-85 µs against 12-14 pinned, and 10-13 µs with idle polling on (docs/performance.md,
 * "Idle polling on a slow VM"). The probe is bench/wakeup-probe.ts, in a process of its own, since its reads block.
 */
export function wakeupText(rounds = 4000): string {
  /** The round trip's 10th, 50th and 90th percentiles in µs, or null when it could not be measured. */
  const trip = (pin: boolean): number[] | null => {
    const probe = [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'wakeup-probe.ts'), String(rounds)];
    const [cmd, ...args] = pin ? ['taskset', '-c', '0', ...probe] : probe;
    const run = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 30_000 });
    if (run.error || run.status !== 0) return null; // no taskset, no mkfifo, or a pipe that never opened
    const us = run.stdout.trim().split(' ').map(Number);
    return us.length === 3 && us.every(Number.isFinite) ? us : null;
  };
  const apart = trip(false);
  if (apart === null) return 'not measured (no mkfifo here?)';
  const together = trip(true);
  const text = (us: number[]) => us.map((x) => x.toFixed(1)).join(' / ');
  return (
    `a round trip between two processes ${text(apart)} µs (p10 / p50 / p90: low where the scheduler kept both on one CPU)` +
    (together === null ? '' : `; both pinned to one CPU ${text(together)} µs`)
  );
}

/** BENCH_CPU_PROF=<dir>: the flags that make a process write a V8 CPU profile there when it stops (sampled every BENCH_CPU_PROF_INTERVAL µs when set). */
export const profileFlags = (): string[] =>
  process.env.BENCH_CPU_PROF
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`,
        ...(process.env.BENCH_CPU_PROF_INTERVAL ? [`--cpu-prof-interval=${process.env.BENCH_CPU_PROF_INTERVAL}`] : []),
      ]
    : [];

/**
 * The api's and executor's LOG_LEVEL: `warn` unless BENCH_LOG_LEVEL says otherwise (`info`, Tally's default, adds a
 * request line per call written to this process's stdout).
 */
export const benchLogLevel = (): string => process.env.BENCH_LOG_LEVEL ?? 'warn';

/** The api as its own process (as in production), so its memory can be read from /proc. */
/**
 * One TALLY_SECRET_KEY for every api a bench run starts. A run's deployments share a database, as
 * replicas do, so they must share the key that seals its secrets: each deployment's own key file (in
 * its own data directory) made the second one refuse to start on what the first had sealed.
 */
const BENCH_SECRET_KEY = randomBytes(32).toString('base64');

/** What the bench's apis seal with, to read back what they sealed (the dispatch-token secret). */
export const benchSecretBox = () => createSecretBox(parseSecretKey(BENCH_SECRET_KEY));

export async function startApi(databaseUrl: string, adminKey: string, env: Record<string, string> = {}, cwd = process.cwd()) {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...profileFlags(), '--import', 'tsx', 'src/server.ts'], {
    cwd,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      TALLY_ADMIN_KEY: adminKey,
      LOG_LEVEL: benchLogLevel(),
      TALLY_EXECUTOR: 'off',
      TALLY_SECRET_KEY: BENCH_SECRET_KEY,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `exited (${signal ?? `code ${code}`})`;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (let ready = false; !ready; ) {
    // A start that fails says why on stderr; the bench stops here rather than at its first request.
    if (exited) throw new Error(`the api ${exited} before it was ready`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the api was not ready within 120 s');
    }
    try {
      ready = (await fetch(`${base}/readyz`)).ok;
    } catch {
      /* starting */
    }
    if (!ready) await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    pid: child.pid!,
    /** Peak resident memory (VmHWM) of the api process, MB. */
    peakRssMb: () => peakRssMb(child.pid!),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Peak resident memory (VmHWM) of a process, MB. */
export const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** utime + stime (+ the reaped children's, with `children`) of a process, in CPU seconds; 0 once it is gone. */
export function processCpuSeconds(pid: number, children = false): number {
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks / 100; // USER_HZ
  } catch {
    return 0;
  }
}

const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);

export { childrenOf };

/**
 * CPU seconds used so far by a local Postgres server (the postmaster, its live processes, and the
 * ones that exited: a closed connection's backend is counted in the postmaster's reaped children)
 * and by given processes. CPU time, unlike throughput, does not fall when another program on the
 * machine takes the cores: it tells what each event costs, whatever else runs.
 */
export async function cpuMeter(databaseUrl: string) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const backend = (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  const postmaster = parentOf(backend); // while the backend still lives
  await c.end();
  const postgres = () => childrenOf(postmaster).reduce((total, pid) => total + processCpuSeconds(pid), processCpuSeconds(postmaster, true));
  return {
    /** A mark now: its `since()` gives the CPU seconds Postgres and each of `pids` used after it. */
    mark(pids: number[] = []) {
      const pg0 = postgres();
      const own0 = process.cpuUsage();
      const p0 = pids.map((p) => processCpuSeconds(p));
      return {
        since() {
          const own = process.cpuUsage(own0);
          return {
            postgres: postgres() - pg0,
            self: (own.user + own.system) / 1e6,
            pids: pids.map((p, i) => processCpuSeconds(p) - p0[i]!),
          };
        },
      };
    },
  };
}

/** POSTs a JSON body with a bearer key over `agent`; the status and the answer's text. */
export function postJson(url: string, key: string, body: string, agent: Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
