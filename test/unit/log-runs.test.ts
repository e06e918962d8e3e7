import { describe, expect, it } from 'vitest';
import { MAX_RUN_CHARS, MAX_RUN_LINES, runsOf } from '../../src/modules/logs/logs.repository.js';

const base = { accountId: 'a', functionName: 'f', requestId: 'r' };
const line = (seq: number, timestamp: number, message = `line ${seq}`) => ({ seq, timestamp, message });
const shape = (lines: ReturnType<typeof line>[]) => runsOf(base, lines).map((r) => [r.seq, r.timestamp, r.messages.length]);

describe('log lines stored a run per row', () => {
  it('joins lines that follow one another at one timestamp, and nothing else', () => {
    expect(shape([line(0, 5), line(1, 5), line(2, 5)])).toEqual([[0, 5, 3]]);
    // Another timestamp, a gap or a repeat in the numbering starts a new row.
    expect(shape([line(0, 5), line(1, 6), line(2, 6)])).toEqual([
      [0, 5, 1],
      [1, 6, 2],
    ]);
    expect(shape([line(0, 5), line(2, 5), line(2, 5)])).toEqual([
      [0, 5, 1],
      [2, 5, 1],
      [2, 5, 1],
    ]);
    expect(runsOf(base, [])).toEqual([]);
  });

  it('keeps a line holding a newline alone, since a row is split on them', () => {
    expect(shape([line(0, 5), line(1, 5, 'a\nb'), line(2, 5), line(3, 5)])).toEqual([
      [0, 5, 1],
      [1, 5, 1],
      [2, 5, 2],
    ]);
    expect(shape([line(0, 5, 'a\nb'), line(1, 5)])).toEqual([
      [0, 5, 1],
      [1, 5, 1],
    ]);
  });

  it(`holds at most ${MAX_RUN_LINES} lines and ${MAX_RUN_CHARS} characters in a row`, () => {
    const many = Array.from({ length: MAX_RUN_LINES * 2 + 1 }, (_, i) => line(i, 5, 'x'));
    expect(shape(many)).toEqual([
      [0, 5, MAX_RUN_LINES],
      [MAX_RUN_LINES, 5, MAX_RUN_LINES],
      [2 * MAX_RUN_LINES, 5, 1],
    ]);
    const half = 'y'.repeat(MAX_RUN_CHARS / 2);
    // Two halves and the newline between them are one character over.
    expect(shape([line(0, 5, half), line(1, 5, half), line(2, 5, 'z')])).toEqual([
      [0, 5, 1],
      [1, 5, 2],
    ]);
    const rows = runsOf(base, [line(0, 5, half.slice(1)), line(1, 5, half)]);
    expect(rows.map((r) => r.messages.join('\n').length)).toEqual([MAX_RUN_CHARS]);
  });

  it('makes the same rows from the same lines, so a resend meets what it stored', () => {
    const lines = Array.from({ length: 200 }, (_, i) => line(i, 5 + Math.floor(i / 30), i % 17 === 0 ? 'a\nb' : `m${i}`));
    expect(runsOf(base, lines)).toEqual(
      runsOf(
        base,
        lines.map((l) => ({ ...l })),
      ),
    );
    expect(runsOf(base, lines).flatMap((r) => r.messages)).toEqual(lines.map((l) => l.message));
  });
});
