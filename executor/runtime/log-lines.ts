import { MAX_LOG_LINE_BYTES, MAX_LOG_LINES_PER_INVOCATION } from '../../src/contracts/logs.js';

/** One line a function wrote (or START/END/REPORT), stamped when its first byte was read. */
export interface CapturedLine {
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
}

/** Log text kept per invocation; beyond it lines are dropped and counted (the executor's memory is not the function's). */
export const MAX_LOG_BYTES_PER_INVOCATION = 4 * 1024 * 1024;

const NEWLINE = 0x0a;

/** The longest prefix of `bytes` that ends on a UTF-8 character boundary. */
function cutOnCharacter(bytes: Buffer, max: number): Buffer {
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end);
}

/**
 * Splits a child's stdout and stderr into lines, each stamped with the wall-clock time its first byte
 * arrived (what CloudWatch shows as an event's timestamp). A line longer than 256 KB is cut there, as
 * Lambda does; past 10,000 lines or 4 MB in one invocation, further lines are only counted, and one
 * last line says how many were dropped.
 */
/** A line being read from one stream: open once its first byte (or its newline) arrived. */
interface OpenLine {
  at: number;
  parts: Buffer[];
  bytes: number;
  cut: boolean;
}

export type OutputStream = 'out' | 'err';

export class LineCollector {
  private lines: CapturedLine[] = [];
  private bytes = 0;
  private dropped = 0;
  /** stdout and stderr are separate pipes: a partial line on one is never glued to a line of the other. */
  private open: Record<OutputStream, OpenLine | null> = { out: null, err: null };

  push(chunk: Buffer, at = Date.now(), stream: OutputStream = 'out'): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      this.append(stream, chunk.subarray(start, nl === -1 ? chunk.length : nl), at);
      if (nl === -1) return;
      this.endLine(stream);
      start = nl + 1;
    }
  }

  /** Every line since the last take(), unfinished ones included; the collector starts afresh. */
  take(): CapturedLine[] {
    if (this.open.out) this.endLine('out');
    if (this.open.err) this.endLine('err');
    const lines = this.lines;
    if (this.dropped > 0) {
      const limits = `${MAX_LOG_LINES_PER_INVOCATION} lines, ${MAX_LOG_BYTES_PER_INVOCATION} bytes`;
      lines.push({
        timestamp: Date.now(),
        message: `[tally] ${this.dropped} more log lines of this invocation were dropped (limit: ${limits})`,
      });
    }
    this.lines = [];
    this.bytes = 0;
    this.dropped = 0;
    return lines;
  }

  private append(stream: OutputStream, piece: Buffer, at: number): void {
    const line = this.open[stream] ?? { at, parts: [], bytes: 0, cut: false };
    this.open[stream] = line;
    // Keep a few bytes beyond the limit: enough to know the line was longer, and to cut on a character.
    const room = MAX_LOG_LINE_BYTES + 4 - line.bytes;
    if (piece.length > room) line.cut = true;
    if (room <= 0 || piece.length === 0) return;
    const kept = piece.length > room ? piece.subarray(0, room) : piece;
    line.parts.push(kept);
    line.bytes += kept.length;
  }

  private endLine(stream: OutputStream): void {
    const line = this.open[stream]!;
    this.open[stream] = null;
    const whole = Buffer.concat(line.parts, line.bytes);
    const cut = line.cut || whole.length > MAX_LOG_LINE_BYTES;
    let bytes = cutOnCharacter(whole, MAX_LOG_LINE_BYTES);
    // A carriage return before the newline is part of the line ending, not of the message.
    if (!cut && bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (this.lines.length >= MAX_LOG_LINES_PER_INVOCATION || this.bytes + bytes.length > MAX_LOG_BYTES_PER_INVOCATION) {
      this.dropped += 1;
      return;
    }
    // Postgres text cannot hold U+0000; invalid UTF-8 becomes U+FFFD in the decoding.
    const message = bytes.toString('utf8').replaceAll('\u0000', '\uFFFD');
    this.lines.push({ timestamp: line.at, message });
    this.bytes += bytes.length;
  }
}

/** Lambda's log text ("START ...\n") as one stamped line. */
export const platformLine = (text: string, at = Date.now()): CapturedLine => ({ timestamp: at, message: text.replace(/\n$/, '') });

/** Splits text the executor itself wrote (a timeout message...) into stamped lines. */
export function textLines(text: string, at = Date.now()): CapturedLine[] {
  if (text === '') return [];
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((message) => ({ timestamp: at, message }));
}
