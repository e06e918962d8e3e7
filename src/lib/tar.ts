/**
 * Reads the regular files (and symlinks) of a tar archive held in memory: ustar, pax extended
 * headers and GNU long names, which is what `docker save`, umoci and OCI tools write. File data
 * is never copied: each entry is a view into the archive.
 */
export interface TarFile {
  name: string;
  data: Buffer;
}

export class TarError extends Error {
  override readonly name = 'TarError';
}

const BLOCK = 512;

function text(block: Buffer, at: number, length: number): string {
  const raw = block.subarray(at, at + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

/** Octal, or base-256 when the first byte has its high bit set (sizes of 8 GiB and more). */
export function number(block: Buffer, at: number, length: number): number {
  const raw = block.subarray(at, at + length);
  if (raw[0]! & 0x80) {
    let value = raw[0]! & 0x7f;
    for (let i = 1; i < raw.length; i++) value = value * 256 + raw[i]!;
    return value;
  }
  const digits = text(block, at, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new TarError(`bad number field "${digits}"`);
  return parseInt(digits, 8);
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === number(block, 148, 8);
}

function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(data.subarray(at, space).toString());
    if (!Number.isInteger(length) || length <= 0) throw new TarError('bad pax header');
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

/** Normalized entry names: no leading "./" or "/"; "a/../b" refused. */
function clean(name: string): string {
  const trimmed = name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  if (trimmed.split('/').includes('..')) throw new TarError(`entry ${name} climbs out of the archive`);
  return trimmed.replace(/\/+$/, '');
}

export function readTar(archive: Buffer): { files: Map<string, Buffer>; links: Map<string, string> } {
  const files = new Map<string, Buffer>();
  const links = new Map<string, string>();
  let at = 0;
  let longName: string | null = null;
  let pax: Map<string, string> | null = null;
  while (at + BLOCK <= archive.length) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) throw new TarError(`bad header checksum at byte ${at}`);
    const size = number(header, 124, 12);
    const type = String.fromCharCode(header[156]!);
    const dataStart = at + BLOCK;
    if (dataStart + size > archive.length) throw new TarError('the archive is truncated');
    const data = archive.subarray(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (type === 'g') continue;
    const prefix = header.subarray(257, 262).toString() === 'ustar' ? text(header, 345, 155) : '';
    const name = clean(pax?.get('path') ?? longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100)));
    const linkName = pax?.get('linkpath') ?? text(header, 157, 100);
    longName = null;
    pax = null;
    if (type === '0' || type === '\0' || type === '7') files.set(name, data);
    // A hard link names a path from the archive's root; a symlink, one relative to its folder.
    else if (type === '1') links.set(name, `/${linkName}`);
    else if (type === '2') links.set(name, linkName);
  }
  return { files, links };
}

/** A file of the archive by name, following symlinks and hard links within the archive (docker save links repeated layers). */
export function tarFile(tar: { files: Map<string, Buffer>; links: Map<string, string> }, name: string): Buffer | null {
  let current = clean(name);
  for (let hops = 0; hops < 16; hops++) {
    const file = tar.files.get(current);
    if (file) return file;
    const target = tar.links.get(current);
    if (target === undefined) return null;
    const base = current.includes('/') ? current.slice(0, current.lastIndexOf('/')) : '';
    const joined = target.startsWith('/') || !base ? target : `${base}/${target}`;
    const parts: string[] = [];
    for (const part of joined.split('/')) {
      if (part === '..') parts.pop();
      else if (part && part !== '.') parts.push(part);
    }
    current = parts.join('/');
  }
  return null;
}
