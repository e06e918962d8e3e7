import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ImageCache } from '../executor/image-cache.js';
import { FunctionInstance } from '../executor/runtime/instance.js';
import { javaFlags } from '../executor/runtime/launch.js';
import { resolvePython } from '../executor/runtime/pool.js';
import type { FunctionSpec } from '../executor/runtime/types.js';
import { KernelSandbox } from '../executor/sandbox/sandbox.js';
import { readImageArchive } from '../src/modules/functions/image-archive.js';
import { FIXTURES, goBootstrap, javaFunction, javaRuntime } from '../test/helpers/builds.js';
import { ociGoImage } from '../test/helpers/images.js';
import { fmt, percentile } from './lib.js';

/**
 * Cold and warm invocations per runtime in one run, in the kernel sandbox at the executor (no api in
 * the way), next to Node.js and to each runtime's own bare start (`node -e 0`, `ruby -e 0`, a JVM
 * running an empty main, a static Go binary) measured in the same run. Rounds are interleaved, so
 * drift on a shared machine hits every runtime alike. A container image's first cold start (its
 * blobs verified and unpacked by umoci) is reported apart from its later cold starts.
 */
const COLD = Number(process.env.BENCH_COLD ?? 8);
const WARM = Number(process.env.BENCH_WARM_CALLS ?? 300);
const log = pino({ level: 'warn' });
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

interface Runtime {
  name: string;
  spec: Omit<FunctionSpec, 'functionId' | 'name' | 'version' | 'memoryMb' | 'timeoutS' | 'environment'>;
  bare: string[];
}

let counter = 0;
function makeSpec(r: Runtime): FunctionSpec {
  counter += 1;
  return {
    functionId: `bench-${counter}`,
    name: 'noop',
    version: String(counter),
    memoryMb: 512,
    timeoutS: 20,
    environment: {},
    ...r.spec,
  };
}

function bareMs(argv: string[]): number {
  const started = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore', env: { PATH: '/usr/bin:/bin' } });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed`);
  return performance.now() - started;
}

export async function languagesBench(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tally-bench-languages-'));
  const sandbox = await KernelSandbox.start({
    dir: join(work, 'sandbox'),
    executorKey: 'bnchlang',
    network: 'outbound',
    spares: 2,
    log,
    pythonPath: await resolvePython(),
  });
  try {
    const [javaRuntimeDir, javaCode, goDir, archive] = await Promise.all([javaRuntime(), javaFunction(), goBootstrap(), ociGoImage()]);
    const image = await readImageArchive(archive, {
      architecture: 'x86_64',
      limits: { maxImageBytes: 1 << 30, maxImageUnpackedBytes: 1 << 30 },
    });
    const api = { fetchImageBlob: async (d: string) => new Blob([Buffer.from(image.blobs.get(d)!)]).stream() };
    const node = join(work, 'node');
    const python = join(work, 'python');
    spawnSync('mkdir', ['-p', node, python]);
    writeFileSync(join(node, 'index.mjs'), 'export const handler = async () => ({ ok: true });\n');
    writeFileSync(join(python, 'app.py'), 'def handler(event, context):\n    return {"ok": True}\n');
    const emptyMain = join(work, 'Empty.java');
    writeFileSync(emptyMain, 'public class Empty { public static void main(String[] a) {} }\n');
    spawnSync('javac', ['-d', work, emptyMain]);
    writeFileSync(join(work, 'empty.go'), 'package main\n\nfunc main() {}\n');
    spawnSync('go', ['build', '-o', join(work, 'empty-go'), join(work, 'empty.go')], {
      env: { ...process.env, CGO_ENABLED: '0', GO111MODULE: 'off' },
    });
    const runtimes: Runtime[] = [
      { name: 'nodejs', spec: { runtime: 'nodejs', handler: 'index.handler', codeDir: node }, bare: [process.execPath, '-e', '0'] },
      { name: 'python', spec: { runtime: 'python', handler: 'app.handler', codeDir: python }, bare: ['python3', '-c', '0'] },
      {
        name: 'ruby',
        spec: { runtime: 'ruby', handler: 'lambda_function.handler', codeDir: join(FIXTURES, 'ruby') },
        bare: ['ruby', '--disable-gems', '-e', '0'],
      },
      {
        name: 'java (stream)',
        spec: { runtime: 'java', handler: 'example.Shout', codeDir: javaCode },
        bare: ['java', ...javaFlags(512), '-cp', work, 'Empty'],
      },
      {
        name: 'java (POJO)',
        spec: { runtime: 'java', handler: 'example.Orders::total', codeDir: javaCode },
        bare: ['java', ...javaFlags(512), '-cp', work, 'Empty'],
      },
      { name: 'go (provided)', spec: { runtime: 'provided', handler: 'x', codeDir: goDir }, bare: [join(work, 'empty-go')] },
      {
        name: 'image (Go, OCI)',
        spec: { runtime: 'provided', handler: '', codeDir: '', imageRef: { digest: image.digest, config: {} } },
        bare: [],
      },
    ];
    const events: Record<string, string> = { 'java (stream)': '"x"', 'java (POJO)': '{"item":"a","quantity":1,"unitPrice":1}' };
    const cold: Record<string, { call: number[]; init: number[]; bare: number[] }> = Object.fromEntries(
      runtimes.map((r) => [r.name, { call: [], init: [], bare: [] }]),
    );
    let images = new ImageCache({ dir: join(work, 'images-0'), api, log });
    await images.init();
    const firstImage: number[] = [];
    for (let round = 0; round < COLD; round++) {
      for (const r of runtimes) {
        const entry = cold[r.name]!;
        if (r.bare.length > 0) entry.bare.push(bareMs(r.bare));
        if (r.name.startsWith('image') && round < 3) {
          // A fresh store each time: fetch (from memory here), verify and unpack included.
          images = new ImageCache({ dir: join(work, `images-${round}`), api, log });
          await images.init();
          const started = performance.now();
          const fn = new FunctionInstance(makeSpec(r), { log, isolation: sandbox, images });
          const result = await fn.invoke(Buffer.from('{}'), { requestId: `first-${round}` });
          if (result.status !== 'success') throw new Error(`${r.name}: ${result.payload.toString()}`);
          firstImage.push(performance.now() - started);
          await fn.dispose();
          await new Promise((resolve) => setTimeout(resolve, 400));
        }
        const fn = new FunctionInstance(makeSpec(r), { log, isolation: sandbox, javaRuntimeDir, images });
        const started = performance.now();
        const result = await fn.invoke(Buffer.from(events[r.name] ?? '{}'), { requestId: `cold-${round}` });
        if (result.status !== 'success') throw new Error(`${r.name}: ${result.payload.toString()}`);
        entry.call.push(performance.now() - started);
        entry.init.push(result.initDurationMs ?? Number.NaN);
        await fn.dispose();
        // Let the spare sandboxes refill, so every cold start finds one ready (the usual case).
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    }
    const warm: Record<string, { p50: number; p99: number }> = {};
    for (const r of runtimes) {
      const fn = new FunctionInstance(makeSpec(r), { log, isolation: sandbox, javaRuntimeDir, images });
      const event = Buffer.from(events[r.name] ?? '{}');
      for (let i = 0; i < 20; i++) await fn.invoke(event, { requestId: `warm-up-${i}` });
      const times: number[] = [];
      for (let i = 0; i < WARM; i++) {
        const started = performance.now();
        await fn.invoke(event, { requestId: `warm-${i}` });
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      warm[r.name] = { p50: percentile(times, 50), p99: percentile(times, 99) };
      await fn.dispose();
    }
    const nodeCold = median(cold.nodejs!.call);
    console.log(`\nlanguages: ${COLD} cold starts each (interleaved), ${WARM} warm calls each, 512 MB, in the kernel sandbox`);
    console.log('| runtime | bare start | cold invoke (median) | × Node.js cold | init (median) | warm p50 | warm p99 |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of runtimes) {
      const c = cold[r.name]!;
      const bare = c.bare.length > 0 ? `${fmt(median(c.bare), 1)} ms` : '–';
      console.log(
        `| ${r.name} | ${bare} | ${fmt(median(c.call), 1)} ms | ${fmt(median(c.call) / nodeCold, 2)} | ${fmt(median(c.init), 1)} ms | ${fmt(warm[r.name]!.p50, 2)} ms | ${fmt(warm[r.name]!.p99, 2)} ms |`,
      );
    }
    console.log(
      `image, first cold start of an image on an executor (verify + umoci unpack + start): median ${fmt(median(firstImage), 1)} ms`,
    );
  } finally {
    await sandbox.close();
    rmSync(work, { recursive: true, force: true });
  }
}
