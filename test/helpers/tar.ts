/** Tar archives for tests, written byte by byte (ustar), so that any name, link or type can be put in one. */
export interface TarEntry {
  name: string;
  type?: '0' | '1' | '2' | '3' | '5';
  data?: Buffer | string;
  link?: string;
  mode?: number;
  device?: [number, number];
}

/** A ustar archive of these entries, in memory. */
export function tar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = Buffer.alloc(512);
    if (Buffer.byteLength(e.name) > 100 || Buffer.byteLength(e.link ?? '') > 100) throw new Error(`name too long: ${e.name}`);
    h.write(e.name, 0, 100);
    h.write(`${(e.mode ?? (e.type === '5' ? 0o755 : 0o644)).toString(8).padStart(7, '0')}\0`, 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write(e.type ?? '0', 156);
    h.write(e.link ?? '', 157, 100);
    h.write('ustar\0', 257);
    h.write('00', 263);
    if (e.device) {
      h.write(`${e.device[0].toString(8).padStart(7, '0')}\0`, 329);
      h.write(`${e.device[1].toString(8).padStart(7, '0')}\0`, 337);
    }
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
