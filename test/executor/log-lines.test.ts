import { describe, expect, it } from 'vitest';
import { LineCollector, MAX_LOG_BYTES_PER_INVOCATION } from '../../executor/runtime/log-lines.js';

const lines = (c: LineCollector) => c.take().map((l) => l.message);

describe('function output, line by line', () => {
  it('splits on newlines across chunks, stamping each line when its first byte came', () => {
    const c = new LineCollector();
    c.push(Buffer.from('one\ntw'), 1000);
    c.push(Buffer.from('o\r\nthree'), 2000);
    const taken = c.take();
    expect(taken).toEqual([
      { timestamp: 1000, message: 'one' },
      { timestamp: 1000, message: 'two' },
      { timestamp: 2000, message: 'three' },
    ]);
    expect(c.take()).toEqual([]);
    c.push(Buffer.from('\n\nlast\n'), 3000);
    expect(lines(c)).toEqual(['', '', 'last']);
  });

  it('keeps stdout and stderr lines apart: a partial line on one is not glued to the other', () => {
    const c = new LineCollector();
    c.push(Buffer.from('partial '), 1, 'out');
    c.push(Buffer.from('an error\n'), 2, 'err');
    c.push(Buffer.from('line\n'), 3, 'out');
    expect(lines(c)).toEqual(['an error', 'partial line']);
  });

  it('cuts a line at 256 KB on a character boundary, however it arrives', () => {
    const c = new LineCollector();
    const big = 'é'.repeat(200 * 1024); // 400 KB of two-byte characters
    const bytes = Buffer.from(`${big}\nnext\n`);
    for (let i = 0; i < bytes.length; i += 65_536) c.push(bytes.subarray(i, i + 65_536), 5);
    const [first, second] = lines(c);
    expect(Buffer.byteLength(first!)).toBe(256 * 1024);
    expect(first).toBe('é'.repeat(128 * 1024));
    expect(second).toBe('next');
    const x = new LineCollector();
    x.push(Buffer.from(`${'x'.repeat(300 * 1024)}\n`));
    expect(lines(x).map((l) => l.length)).toEqual([256 * 1024]);
  });

  it('past the per-invocation limit, counts the dropped lines in one last line; NUL becomes U+FFFD', () => {
    const c = new LineCollector();
    const line = `${'y'.repeat(1023)}\n`;
    const count = MAX_LOG_BYTES_PER_INVOCATION / 1023 + 10;
    for (let i = 0; i < count; i++) c.push(Buffer.from(line));
    const taken = lines(c);
    expect(taken.at(-1)).toMatch(/^\[tally\] \d+ more log lines of this invocation were dropped/);
    expect(taken.length).toBeLessThan(count);
    c.push(Buffer.from('a\u0000b\n'));
    expect(lines(c)).toEqual(['a\uFFFDb']);
  });
});
