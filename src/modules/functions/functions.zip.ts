import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { Runtime } from '../../contracts/executor.js';
import { AppError, errors } from '../../lib/errors.js';

/** Lambda's limits on a deployment package. */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;
const MAX_ENTRIES = 50_000;
/** Linux's limit on one name (NAME_MAX), and on a path within the code folder: PATH_MAX (4,096) less room for the executor's folder. */
const MAX_NAME_BYTES = 255;
const MAX_PATH_BYTES = 3072;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

export interface ZipManifest {
  /** Regular files, by path, with their Unix mode when the zip recorded one. */
  files: Map<string, number | null>;
  unzippedBytes: number;
}

export interface ZipLimits {
  maxZipBytes: number;
  maxUnzippedBytes: number;
}

export const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The Unix mode of an entry, when the zip was made on Unix (otherwise null). */
export function unixMode(entry: Pick<Entry, 'versionMadeBy' | 'externalFileAttributes'>): number | null {
  if (entry.versionMadeBy >> 8 !== 3) return null;
  const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
  return mode === 0 ? null : mode;
}

/** yauzl's own checks name the entry; they read better as ours. */
function zipError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  const unsafe = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/.exec(message);
  if (unsafe)
    return errors.invalidZip(`entry "${unsafe[2]}" points outside the code folder (absolute path, "..", or a backslash); refused`);
  return errors.invalidZip(`not a readable zip archive (${message})`);
}

/** Reads one entry fully, checking its size and CRC-32 (yauzl checks sizes, not checksums). */
async function verifyEntry(zip: ZipFile, entry: Entry): Promise<Buffer | null> {
  const stream = await zip.openReadStreamPromise(entry);
  let crc = 0;
  let size = 0;
  const keep: Buffer[] = [];
  const isLink = ((unixMode(entry) ?? 0) & S_IFMT) === S_IFLNK;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    crc = crc32(chunk, crc);
    size += chunk.length;
    if (isLink && size <= 4096) keep.push(chunk);
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) throw errors.invalidZip(`entry "${entry.fileName}" is corrupt (CRC-32 mismatch)`);
  // Linux keeps a symlink's target to 4,095 bytes; a longer one could never be made.
  if (isLink && size > 4095) throw errors.invalidZip(`symlink "${entry.fileName}" has a target of ${size} bytes; at most 4095`);
  return isLink ? Buffer.concat(keep) : null;
}

/** A symlink's target must stay inside the code folder. */
function checkLink(name: string, target: string): void {
  const parts = name.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '..') {
      if (parts.length === 0) throw errors.invalidZip(`symlink "${name}" points outside the code folder`);
      parts.pop();
    } else if (part !== '' && part !== '.') parts.push(part);
  }
  if (target.startsWith('/')) throw errors.invalidZip(`symlink "${name}" has an absolute target`);
}

/**
 * A symlink's target may end at another symlink (a library's `libx.so -> libx.so.1 -> libx.so.1.2`),
 * but may not pass through one on the way: each link's target is checked on its own, as text, and the
 * kernel follows a link met midway first, so `a/q -> ..` and `a/x -> q/..` together lead one folder
 * above the code, and deeper chains further (found by a review on 2026-12-07).
 */
function checkChain(name: string, target: string, links: Map<string, string>): void {
  const parts = name.split('/').slice(0, -1);
  const steps = target.split('/').filter((p) => p !== '' && p !== '.');
  steps.forEach((part, i) => {
    if (part === '..') parts.pop();
    else parts.push(part);
    if (i < steps.length - 1 && links.has(parts.join('/'))) {
      throw errors.invalidZip(`symlink "${name}" passes through the symlink "${parts.join('/')}"; chained links are refused`);
    }
  });
}

/**
 * Validates a deployment package the way Lambda would refuse it: unreadable, encrypted, too big
 * unzipped, unsafe paths or symlinks, corrupt data. With `verifyContents` every entry is inflated
 * and its checksum compared, so executors never meet a zip that fails half-way.
 */
export async function inspectZip(data: Buffer, limits: ZipLimits, verifyContents = true): Promise<ZipManifest> {
  if (data.length === 0) throw errors.invalidZip('is empty');
  if (data.length > limits.maxZipBytes) {
    throw errors.codeTooLarge(`zipFile: the zip is ${data.length} bytes; the limit is ${limits.maxZipBytes} bytes zipped`);
  }
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(data, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    throw zipError(err);
  }
  try {
    if (zip.entryCount > MAX_ENTRIES) throw errors.invalidZip(`has ${zip.entryCount} entries; at most ${MAX_ENTRIES} are accepted`);
    const files = new Map<string, number | null>();
    const links = new Map<string, string>();
    /** Folders the zip names as entries of their own. */
    const dirs = new Set<string>();
    let unzippedBytes = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        const name = entry.fileName;
        if (name.includes('\0')) throw errors.invalidZip(`entry "${name}" has a NUL byte in its name`);
        if (entry.isEncrypted()) throw errors.invalidZip(`entry "${name}" is encrypted; encrypted zips are not supported`);
        if (!entry.canDecodeFileData())
          throw errors.invalidZip(
            `entry "${name}" uses an unsupported compression method (${entry.compressionMethod}); use deflate or store`,
          );
        unzippedBytes += entry.uncompressedSize;
        if (unzippedBytes > limits.maxUnzippedBytes) {
          throw errors.codeTooLarge(`zipFile: the code is larger than ${limits.maxUnzippedBytes} bytes unzipped`);
        }
        const mode = unixMode(entry);
        const type = (mode ?? 0) & S_IFMT;
        // The path as the executor's unpack resolves it: `a/./b` and `a//b` are `a/b`.
        const clean = name
          .split('/')
          .filter((p) => p !== '' && p !== '.')
          .join('/');
        if (Buffer.byteLength(clean) > MAX_PATH_BYTES || clean.split('/').some((p) => Buffer.byteLength(p) > MAX_NAME_BYTES)) {
          throw errors.invalidZip(
            `entry "${name.slice(0, 100)}...": a path within the code folder is at most ${MAX_PATH_BYTES} bytes, each name in it at most ${MAX_NAME_BYTES}`,
          );
        }
        const kind = name.endsWith('/') || type === S_IFDIR ? 'folder' : type === S_IFLNK ? 'symlink' : 'file';
        // One path unpacks as one thing: a file where a folder was made (or the reverse), or a second symlink
        // where one was made, fails the executor's unpack at every cold start.
        const before = files.has(clean) ? 'file' : links.has(clean) ? 'symlink' : dirs.has(clean) ? 'folder' : null;
        if (before !== null && (before !== kind || kind === 'symlink'))
          throw errors.invalidZip(`entry "${name}" names "${clean}" again, as a ${kind} where the zip has a ${before}`);
        if (kind === 'folder') {
          if (clean !== '') dirs.add(clean);
          continue;
        }
        if (clean === '') throw errors.invalidZip(`entry "${name}" names the code folder itself as a ${kind}`);
        const target = verifyContents || type === S_IFLNK ? await verifyEntry(zip, entry) : null;
        if (type === S_IFLNK) {
          checkLink(clean, target!.toString('utf8'));
          links.set(clean, target!.toString('utf8'));
        } else {
          files.set(clean, mode);
        }
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw zipError(err);
    }
    // An entry written through a symlinked folder would land wherever the link points; one under a
    // file could not be unpacked at all (the executor would fail at every cold start).
    for (const path of [...files.keys(), ...links.keys(), ...dirs]) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const prefix = parts.slice(0, i).join('/');
        if (links.has(prefix)) throw errors.invalidZip(`entry "${path}" lies under the symlink "${prefix}"`);
        if (files.has(prefix)) throw errors.invalidZip(`entry "${path}" lies under the file "${prefix}"`);
      }
    }
    for (const [name, target] of links) checkChain(name, target, links);
    return { files, unzippedBytes };
  } finally {
    zip.close();
  }
}

/** Where a handler's code must be, per runtime, as Lambda resolves it. */
export function handlerCandidates(runtime: Runtime, handler: string): string[] | null {
  if (runtime === 'provided') return ['bootstrap'];
  if (runtime === 'nodejs' || runtime === 'ruby') {
    // "dir/file.method.nested" (Ruby: "dir/file.Module::Class.method"): the file is up to the first dot after the last slash.
    const slash = handler.lastIndexOf('/');
    const dot = handler.indexOf('.', slash + 1);
    if (dot <= slash + 1 || dot === handler.length - 1) return null;
    const base = handler.slice(0, dot);
    return runtime === 'ruby' ? [`${base}.rb`] : ['.js', '.mjs', '.cjs'].map((ext) => `${base}${ext}`);
  }
  if (runtime === 'java') {
    // "package.Class::method" or "package.Class" (handleRequest).
    const className = handler.split('::')[0]!;
    if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(className) || handler.split('::').length > 2 || handler.endsWith('::')) return null;
    return [`${className.replaceAll('.', '/')}.class`];
  }
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) return null;
  const module = handler.slice(0, dot).replaceAll('.', '/');
  return [`${module}.py`, `${module}/__init__.py`];
}

const HANDLER_HINT: Record<Runtime, string> = {
  nodejs: 'file.function, e.g. index.handler',
  python: 'module.function, e.g. app.handler',
  ruby: 'file.method, e.g. lambda_function.lambda_handler',
  java: 'package.Class::method, e.g. example.Handler::handleRequest',
  provided: 'any text, passed to the bootstrap as _HANDLER',
};

/** The handler must name a file the zip holds (and, for `provided`, an executable bootstrap). */
export function checkHandler(runtime: Runtime, handler: string, manifest: ZipManifest): void {
  const candidates = handlerCandidates(runtime, handler);
  if (!candidates || candidates.some((c) => c.split('/').includes('..') || c.startsWith('/'))) {
    throw errors.handlerNotFound(`handler "${handler}" is malformed for runtime ${runtime}: expected ${HANDLER_HINT[runtime]}`);
  }
  // A Java class may as well live in one of the package's lib/*.jar, which is not opened here.
  const inJar = runtime === 'java' && [...manifest.files.keys()].some((f) => /^lib\/[^/]+\.jar$/.test(f));
  const found = candidates.find((c) => manifest.files.has(c));
  if (!found && inJar) return;
  if (!found) {
    const what = runtime === 'provided' ? 'an executable file named bootstrap at its root' : candidates.join(' or ');
    throw errors.handlerNotFound(`handler "${handler}" (runtime ${runtime}): the zip has no ${what}`);
  }
  const mode = manifest.files.get(found);
  if (runtime === 'provided' && mode !== null && mode !== undefined && (mode & 0o111) === 0) {
    throw errors.handlerNotFound('bootstrap is not executable: run chmod +x bootstrap before zipping');
  }
}

/** Decodes base64 strictly (null when it is not): a typo must not become a different, corrupt package. */
export function strictBase64(text: string): Buffer | null {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
  return Buffer.from(compact, 'base64');
}

export function decodeBase64Zip(text: string): Buffer {
  const zip = strictBase64(text);
  if (!zip) throw errors.invalidZip('is not valid base64');
  return zip;
}
