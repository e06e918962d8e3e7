import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildJavaRuntime } from '../../executor/runtime/java-runtime.js';

const exec = promisify(execFile);
export const FIXTURES = fileURLToPath(new URL('../executor/fixtures/', import.meta.url));
/** Compiled test artifacts, kept across runs and keyed by their sources: each is built once per machine. */
const CACHE = path.join(os.tmpdir(), 'tally-test-builds');
/** The Java runtime client for tests, built once and shared by every test file and executor. */
export const JAVA_RUNTIME_CACHE = path.join(os.tmpdir(), 'tally-test-java-runtime');

function hashOf(paths: string[]): string {
  const hash = createHash('sha256');
  const walk = (at: string) => {
    if (statSync(at).isDirectory()) for (const name of readdirSync(at).sort()) walk(path.join(at, name));
    else hash.update(at).update('\0').update(readFileSync(at)).update('\0');
  };
  for (const p of paths) walk(p);
  return hash.digest('hex').slice(0, 16);
}

/** Runs `build` into a fresh folder once per version of `inputs`; later calls return the same folder. */
async function cached(name: string, inputs: string[], build: (out: string) => Promise<void>): Promise<string> {
  const target = path.join(CACHE, `${name}-${hashOf(inputs)}`);
  if (existsSync(target)) return target;
  await mkdir(CACHE, { recursive: true, mode: 0o700 });
  const scratch = path.join(CACHE, `.${name}-${randomBytes(4).toString('hex')}`);
  await mkdir(scratch);
  try {
    await build(scratch);
    await rename(scratch, target).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return target;
}

export const javaRuntime = () => buildJavaRuntime({ cacheRoot: JAVA_RUNTIME_CACHE });

/** The Go custom runtime (fixtures/go), static: a folder holding an executable `bootstrap`. */
export function goBootstrap(): Promise<string> {
  const source = path.join(FIXTURES, 'go');
  return cached('go-bootstrap', [source], async (out) => {
    await exec('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', path.join(out, 'bootstrap'), path.join(source, 'main.go')], {
      env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GO111MODULE: 'off' },
    });
  });
}

/** The Java test function (fixtures/java): classes at the root, a helper jar in lib/, as a deployment package lays them out. */
export async function javaFunction(): Promise<string> {
  const runtime = await javaRuntime();
  const source = path.join(FIXTURES, 'java');
  return cached('java-function', [source, path.join(runtime, 'serialization.classpath')], async (out) => {
    const classes = path.join(out, 'lib-classes');
    const sources = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.java'))
        .map((f) => path.join(dir, f));
    await exec('javac', ['--release', '17', '-d', classes, ...sources(path.join(source, 'lib-src'))]);
    await mkdir(path.join(out, 'code', 'lib'), { recursive: true });
    await exec('jar', ['cf', path.join(out, 'code', 'lib', 'greet.jar'), '-C', classes, '.']);
    await exec('javac', [
      '--release',
      '17',
      '-cp',
      `${path.join(runtime, 'classes')}:${classes}`,
      '-d',
      path.join(out, 'code'),
      ...sources(path.join(source, 'src')),
    ]);
    await rm(classes, { recursive: true });
  }).then((dir) => path.join(dir, 'code'));
}

/** A copy of a fixture folder (outside the repository's package scope). */
export async function fixtureCopy(name: string, into: string): Promise<string> {
  const target = path.join(into, name);
  await cp(path.join(FIXTURES, name), target, { recursive: true });
  return target;
}
