import { spawn } from 'node:child_process';
import { deploy, measure, WARM_SECONDS } from './invoke.js';
import { benchDatabase, fmt, freePort, idleText, syncText, wakeupText } from './lib.js';

/**
 * `npm run bench -- floor`: what the mechanisms of a warm invoke cost on this machine, with nothing
 * of Tally's own work, against Tally (`npm start`) in the same run. bench/floor-server.ts adds one
 * mechanism per layer (a child process, the Runtime API's HTTP exchange, parking and freezing, the fsync'd
 * spool); each layer is measured as the invoke benchmark measures Tally (one client's p50, then 8
 * clients). The last layer is the floor of any design that runs each call in another process,
 * stopped between calls, and syncs its usage before the answer: what is left between it and Tally is
 * Tally's own work (auth, routing, sandbox, handler, metering, logs, usage shipping and ingest).
 */
export const LAYERS = [
  'a Fastify route answering itself',
  '+ a child process over a unix socket',
  "+ the Runtime API's HTTP exchange",
  '+ parked between calls, frozen after half a period idle',
  "+ the spool's O_DSYNC write, in place",
];

/** One layer of bench/floor-server.ts, measured as the invoke benchmark measures Tally. */
export async function measureLayer(layer: number) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/floor-server.ts'], {
    env: { ...process.env, FLOOR_LAYER: String(layer), PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`floor layer ${layer} exited with ${code}`)));
    });
    return await measure(`http://127.0.0.1:${port}/floor`, { 'content-type': 'application/json' }, WARM_SECONDS);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

export async function floorBench(): Promise<void> {
  console.log('floor benchmark: the mechanisms of a warm invoke alone, layer by layer, then Tally (npm start)');
  console.log(`  this disk: a 400-byte O_DSYNC write takes ${syncText()} (medians); layer 4 and Tally write in place`);
  console.log(`  idle CPUs: ${idleText()}`);
  console.log(`  wake-ups: ${wakeupText()}`);
  console.log(`  each measured after ${WARM_SECONDS} s of 8-client load (BENCH_WARM_SECONDS)`);
  const rows: { what: string; p50: number; rps: number; p50s: string; rpsAll: string }[] = [];
  for (let layer = 0; layer < LAYERS.length; layer++) {
    const m = await measureLayer(layer);
    rows.push({ what: `${layer} ${LAYERS[layer]}`, ...m });
    console.log(`  ${layer} ${LAYERS[layer]}: 1 client p50 ${m.p50s} ms, 8 clients ${m.rpsAll} /s`);
  }
  const database = await benchDatabase();
  try {
    const d = await deploy(database.url, false);
    try {
      const m = await measure(
        `${d.base}/v1/functions/noop/invoke`,
        { authorization: `Bearer ${d.key}`, 'content-type': 'application/json' },
        WARM_SECONDS,
      );
      rows.push({ what: 'Tally, `npm start`', ...m });
      console.log(`  Tally npm start: 1 client p50 ${m.p50s} ms, 8 clients ${m.rpsAll} /s`);
    } finally {
      await d.stop();
    }
  } finally {
    await database.drop();
  }
  const floor = rows[LAYERS.length - 1]!;
  console.log('  medians of 3 rounds; ratios against the last layer (the floor of a sandbox-shaped invoke)');
  console.log('  | layer | 1 client p50 | × floor | 8 clients | × floor |');
  for (const r of rows) {
    console.log(`  | ${r.what} | ${fmt(r.p50, 3)} ms | ${fmt(r.p50 / floor.p50, 2)} | ${fmt(r.rps)} /s | ${fmt(r.rps / floor.rps, 2)} |`);
  }
}
