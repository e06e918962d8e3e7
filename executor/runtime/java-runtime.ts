import { createHash, randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../sandbox/exec.js';
import { DEFAULT_BOOTSTRAP_DIR } from './launch.js';

/** Debian's Jackson (libjackson2-databind-java); the runtime client reads the paths from serialization.classpath. */
const JACKSON_JARS = ['jackson-core', 'jackson-databind', 'jackson-annotations'].map((n) => `/usr/share/java/${n}.jar`);

async function sourcesOf(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sourcesOf(at)));
    else if (entry.name.endsWith('.java')) found.push(at);
  }
  return found.sort();
}

/**
 * The cache folder must be ours alone: whatever is in it runs in every Java function. A folder
 * another user owns or may write to is refused rather than trusted.
 */
async function privateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  if (!info.isDirectory() || info.uid !== process.getuid?.() || (info.mode & 0o022) !== 0) {
    throw new Error(`${dir} is not a private folder of this user; refusing to build the Java runtime there`);
  }
}

/**
 * Builds Tally's Java runtime client (executor/bootstrap/java) with the JDK's javac, once per
 * version of its sources, into `<cacheRoot>/<hash>/`: `classes/` (the runtime and Lambda's
 * interfaces, on the JVM's class path), `serialization/` (Jackson glue, loaded with Jackson in a
 * class loader of its own) and `serialization.classpath`. Nothing is downloaded: javac and Debian's
 * Jackson jars are all it needs. Returns the folder (bound at /var/runtime in a sandbox).
 */
export async function buildJavaRuntime(options: { cacheRoot: string; bootstrapDir?: string; javac?: string }): Promise<string> {
  const source = path.join(options.bootstrapDir ?? DEFAULT_BOOTSTRAP_DIR, 'java', 'src');
  const jars = JACKSON_JARS.filter((j) => existsSync(j)).map((j) => realpathSync(j));
  if (jars.length !== JACKSON_JARS.length) throw new Error('Jackson is missing: apt-get install -y libjackson2-databind-java');
  const files = await sourcesOf(source);
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(path.relative(source, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  for (const jar of jars) hash.update(jar).update('\0');
  const target = path.join(options.cacheRoot, hash.digest('hex').slice(0, 24));
  if (existsSync(path.join(target, 'serialization.classpath'))) return target;

  await privateFolder(options.cacheRoot);
  const scratch = path.join(options.cacheRoot, `.build-${randomBytes(6).toString('hex')}`);
  try {
    const classes = path.join(scratch, 'classes');
    await mkdir(classes, { recursive: true });
    await run(options.javac ?? 'javac', [
      '--release',
      '17',
      '-nowarn',
      '-encoding',
      'UTF-8',
      '-cp',
      jars.join(':'),
      '-d',
      classes,
      ...files,
    ]);
    // The Jackson glue moves out of the JVM's class path: only its own class loader sees it.
    await mkdir(path.join(scratch, 'serialization', 'tally'), { recursive: true });
    await rename(path.join(classes, 'tally', 'serialization'), path.join(scratch, 'serialization', 'tally', 'serialization'));
    await writeFile(path.join(scratch, 'serialization.classpath'), `${jars.join('\n')}\n`);
    await rename(scratch, target).catch(async (err: NodeJS.ErrnoException) => {
      // Another executor on this machine built the same sources first.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return target;
}
