import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The segments of a spool folder that hold records. A segment is made ahead of need full of zeros
 * (executor/spool.ts), so a file that begins with a zero byte has had nothing written into it yet.
 */
export function segmentsWithRecords(spoolDir: string): string[] {
  return readdirSync(spoolDir)
    .filter((n) => /^seg-\d+\.jsonl$/.test(n))
    .filter((n) => {
      const bytes = readFileSync(join(spoolDir, n));
      return bytes.length > 0 && bytes[0] !== 0;
    })
    .sort();
}

/** A segment's records as text, without the zeros left after them while it is still being written. */
export function segmentText(file: string): string {
  return readFileSync(file, 'utf8').replace(/\0+$/, '');
}
