import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkRequirements } from '../executor/sandbox/requirements.js';
import { LAYERS, measureLayer } from './floor.js';
import { BRIEF, deploy, measure, WARM_SECONDS } from './invoke.js';
import { benchDatabase, fmt, freePort, idleText, syncText, wakeupText } from './lib.js';

/**
 * Side by side with serverless-offline (v13 on the Serverless Framework v3: v4 needs a login), the
 * local Lambda emulator many users run today, in its default mode (each function in a worker
 * thread, no sandbox, no metering), against Tally (sandboxed instances, usage fsync'd before the
 * answer) on the same no-op Node.js function, with the same clients in the same run: one client in
 * a loop (p50, p99), then 8 connections (autocannon). serverless-offline is installed in its own
 * folder (bench/serverless-offline, its own lock file) the first time this target runs, so the
 * project's own `npm ci` stays lean. Each is compared at its best: serverless-offline's rate falls as
 * one process serves, so it is started afresh for each measure, and measured fresh (the full measure
 * and a brief one) and after a warm-up (its best figure counts); Tally's rises for its first tens of
 * thousands of invocations, so it is measured after BENCH_WARM_SECONDS (20) of 8-client load.
 * Last, the floor of Tally's design (`floor`'s last layer) is measured in the same run, so that the
 * goal's 3× can be read against what any code of that design reaches on this machine.
 */
const FOLDER = join(import.meta.dirname, 'serverless-offline');
const FUNCTION_NAME = 'tallybench-dev-noop';

function install(): void {
  if (existsSync(join(FOLDER, 'node_modules', 'serverless-offline', 'package.json'))) return;
  console.log('  installing serverless v3 and serverless-offline into bench/serverless-offline (npm ci, once)...');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: FOLDER, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci in bench/serverless-offline failed');
}

async function startOffline(): Promise<{ url: string; child: ChildProcess }> {
  const [http, lambda, websocket, alb] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      'node_modules/serverless/bin/serverless.js',
      'offline',
      'start',
      '--host',
      '127.0.0.1',
      ...['--httpPort', String(http), '--lambdaPort', String(lambda), '--websocketPort', String(websocket), '--albPort', String(alb)],
      '--noSponsor',
    ],
    {
      cwd: FOLDER,
      // No telemetry, update checks or notifications: this machine reaches no network but loopback.
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`serverless-offline did not start within 120 s:\n${out}`));
    }, 120_000);
    // The Serverless Framework v3 writes its log to stderr.
    const watch = (chunk: Buffer) => {
      out += chunk.toString();
      if (/listening on http/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', watch);
    child.once('exit', (code) => reject(new Error(`serverless-offline exited (${code}):\n${out}`)));
  });
  child.stdout!.removeAllListeners('data').resume();
  child.stderr!.removeAllListeners('data').resume();
  return { url: `http://127.0.0.1:${lambda}/2015-03-31/functions/${FUNCTION_NAME}/invocations`, child };
}

/** Stops a serverless-offline process and waits for it to exit. */
async function stop(running: { child: ChildProcess }): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  const kill = setTimeout(() => running.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(kill);
}

/** A fresh serverless-offline process in place of `old`: within one process its rate falls as it serves. */
async function restart(old: { child: ChildProcess }): Promise<Awaited<ReturnType<typeof startOffline>>> {
  await stop(old);
  return startOffline();
}

/** What `offline` measured: serverless-offline at its best, Tally both ways, and the floor (for `goals`). */
export interface OfflineResult {
  offline: { rps: number; p50: number };
  tally: { separate: boolean; p50: number; rps: number }[];
  floor: { p50: number; rps: number };
}

export async function offlineBench(): Promise<OfflineResult> {
  // Tally's sandbox first: a missing tool would otherwise show only after serverless-offline's minutes of measures.
  if (process.env.TALLY_SANDBOX !== 'off') checkRequirements({ tmp: process.env.TALLY_SANDBOX_TMP === 'memory' ? 'memory' : 'disk' });
  install();
  const database = await benchDatabase();
  let offline: Awaited<ReturnType<typeof startOffline>> | null = null;
  try {
    offline = await startOffline();
    console.log(`offline benchmark: the same no-op Node.js function on serverless-offline and on Tally, ${database.source}`);
    console.log(`  this disk: a 400-byte O_DSYNC write takes ${syncText()} (medians); every Tally invocation waits for one in place`);
    console.log(`  idle CPUs: ${idleText()}`);
    console.log(`  wake-ups: ${wakeupText()}`);
    const json = { 'content-type': 'application/json' };
    // serverless-offline is measured before and after Tally, each time freshly started, so that a
    // change in the machine's load during the run shows (Tally's ratios are against the mean of the two).
    const before = await measure(offline.url, json);
    // Stopped while Tally is measured: a serverless-offline process that has just served its load
    // can keep a core busy for a while after it (a 2 s round of Tally's warm-up fell to 63/s beside one).
    await stop(offline);
    offline = null;
    const tally: { separate: boolean; r: typeof before }[] = [];
    for (const separate of [false, true]) {
      const d = await deploy(database.url, separate);
      try {
        // Tally at its steady state: its rate rises for its first few tens of thousands of
        // invocations (V8 optimizing nine processes), where serverless-offline's falls from its start.
        const r = await measure(`${d.base}/v1/functions/noop/invoke`, { authorization: `Bearer ${d.key}`, ...json }, WARM_SECONDS);
        tally.push({ separate, r });
      } finally {
        await d.stop();
      }
    }
    // A fresh serverless-offline process: within one process its rate falls as it serves (its own
    // rounds fall from the first to the third), and the same process measured again after Tally
    // would weigh that on the comparison. Fresh each time is its best case.
    offline = await startOffline();
    const after = await measure(offline.url, json);
    // Once more, started afresh and measured after the warm-up Tally gets, and once briefly: whichever
    // way gives serverless-offline its best figure is the one Tally is compared with.
    offline = await restart(offline);
    // Under long load it may start failing requests; then only its fresh figures count.
    const warmed = await measure(offline.url, json, WARM_SECONDS).catch((err: Error) => err);
    // And briefly, in a fresh process: a full measure sends it about 40,000 requests, over which it slows down.
    offline = await restart(offline);
    const brief = await measure(offline.url, json, 0, BRIEF);
    await stop(offline);
    offline = null;
    // The floor of Tally's design in the same run (bench/floor.ts, its last layer): what any code
    // that runs each call in a process of its own, stopped between calls, and syncs its usage before
    // the answer reaches on this machine. Against it the goal's 3× can be judged.
    const floor = await measureLayer(LAYERS.length - 1);
    const fresh = { rps: (before.rps + after.rps) / 2, p50: (before.p50 + after.p50) / 2 };
    const ways = [
      { how: 'fresh, mean of before and after', ...fresh },
      { how: 'brief', rps: brief.rps, p50: brief.p50 },
    ];
    if (!(warmed instanceof Error)) ways.push({ how: 'warmed', rps: warmed.rps, p50: warmed.p50 });
    const fastest = ways.reduce((a, b) => (b.rps > a.rps ? b : a));
    const quickest = ways.reduce((a, b) => (b.p50 < a.p50 ? b : a));
    const sls = { rps: fastest.rps, p50: quickest.p50 };
    const line = (r: typeof before) =>
      `1 client p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms (rounds ${r.p50s}); 8 clients ${fmt(r.rps)} /s, p50 ${fmt(r.loadP50)} ms (rounds ${r.rpsAll})`;
    console.log(`  serverless-offline 13.9 (Lambda Invoke endpoint, worker threads), before Tally: ${line(before)}`);
    console.log(`  serverless-offline, after Tally (started again): ${line(after)}`);
    console.log(
      `  serverless-offline, started again, after ${WARM_SECONDS} s of 8-client load: ${warmed instanceof Error ? `failed (${warmed.message.slice(0, 200)})` : `(${warmed.warm} /s) ${line(warmed)}`}`,
    );
    console.log(
      `  serverless-offline, started again, measured briefly (${BRIEF.latencyCalls}-call and ${BRIEF.loadSeconds} s rounds, about 8,000 requests): ${line(brief)}`,
    );
    console.log(
      `  compared with serverless-offline's best figures: ${fmt(sls.rps)} /s (${fastest.how}), p50 ${fmt(sls.p50, 2)} ms (${quickest.how})`,
    );
    for (const { separate, r } of tally) {
      console.log(`  Tally, ${separate ? 'api and executor as separate processes' : 'npm start (one process)'}: ${line(r)}`);
      console.log(`    after ${WARM_SECONDS} s of 8-client load (2 s rounds: ${r.warm} /s)`);
      console.log(
        `    → ${fmt(r.rps / sls.rps, 2)}× serverless-offline's throughput, p50 ${fmt(r.p50 / sls.p50, 2)}× its p50 (against its best figures)`,
      );
    }
    console.log(`  the floor (${LAYERS.length - 1}: ${LAYERS.slice(1).join(' ')}): ${line(floor)}`);
    console.log(
      `    → ${fmt(floor.rps / sls.rps, 2)}× serverless-offline's throughput, p50 ${fmt(floor.p50 / sls.p50, 2)}× its p50; Tally npm start reached ${fmt(tally[0]!.r.rps / floor.rps, 2)}× the floor's rate`,
    );
    console.log('  goal: at least 3× serverless-offline throughput at a lower p50');
    return { offline: sls, tally: tally.map(({ separate, r }) => ({ separate, p50: r.p50, rps: r.rps })), floor };
  } finally {
    offline?.child.kill('SIGTERM');
    await database.drop();
  }
}
