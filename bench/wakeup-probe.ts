import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Run by `wakeupText()` (bench/lib.ts) as its own process, since its reads block: one byte sent back
 * and forth between this process and a child over two named pipes, each side blocked in a read until
 * the other writes, as every hop of a warm invoke is. `wakeup-probe.ts <rounds>` prints the round
 * trip's 10th, 50th and 90th percentiles in µs (the first tenth of the trips left out as warm-up);
 * `wakeup-probe.ts echo <in> <out>` is the child, sending back each byte it reads.
 */
const one = Buffer.alloc(1);

if (process.argv[2] === 'echo') {
  const r = openSync(process.argv[3]!, 'r');
  const w = openSync(process.argv[4]!, 'w');
  while (readSync(r, one, 0, 1, null) === 1) writeSync(w, one);
} else {
  const rounds = Number(process.argv[2] ?? 4000);
  const dir = mkdtempSync(join(tmpdir(), 'tally-wakeup-'));
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  try {
    if (spawnSync('mkfifo', [a, b]).status !== 0) throw new Error('mkfifo failed');
    spawn(process.execPath, [...process.execArgv, import.meta.filename, 'echo', a, b], { stdio: 'ignore' });
    const w = openSync(a, 'w');
    const r = openSync(b, 'r');
    const trips: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = process.hrtime.bigint();
      writeSync(w, one);
      readSync(r, one, 0, 1, null);
      trips.push(Number(process.hrtime.bigint() - t));
    }
    closeSync(w);
    closeSync(r);
    const kept = trips.slice(Math.floor(rounds / 10)).sort((x, y) => x - y);
    console.log([0.1, 0.5, 0.9].map((q) => kept[Math.floor(q * kept.length)]! / 1000).join(' '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
