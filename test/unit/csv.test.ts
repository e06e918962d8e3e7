import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/lib/csv.js';

const cells = (csv: string) => csv.split('\r\n')[1]!;

describe('toCsv', () => {
  it.each([
    ['=HYPERLINK("http://x.test","y")', `"'=HYPERLINK(""http://x.test"",""y"")"`],
    ["+1+cmd|' /C calc'!A0", `'+1+cmd|' /C calc'!A0`],
    ["-2+3+cmd|' /C calc'!A0", `'-2+3+cmd|' /C calc'!A0`],
    ['@SUM(1,2)', `"'@SUM(1,2)"`],
    ['\t=1+2', `'\t=1+2`],
    ['\r=1+2', `"'\r=1+2"`],
    ['-', `'-`],
  ])('escapes a cell starting with a formula trigger: %j', (value, written) => {
    expect(cells(toCsv(['h'], [[value]]))).toBe(written);
  });

  it('leaves plain numbers readable, negative amounts included', () => {
    expect(cells(toCsv(['a', 'b', 'c', 'd', 'e'], [['-3.00', '-0.0000166667', '12', 0, -1]]))).toBe('-3.00,-0.0000166667,12,0,-1');
  });

  it('quotes commas, quotes and line breaks as RFC 4180 does, and leaves other text alone', () => {
    expect(cells(toCsv(['a', 'b', 'c', 'd'], [['a,b', 'say "hi"', 'two\nlines', 'Late usage for 2026-10: +20 requests']]))).toBe(
      '"a,b","say ""hi""","two\nlines",Late usage for 2026-10: +20 requests',
    );
    expect(cells(toCsv(['a', 'b'], [[null, undefined]]))).toBe(',');
  });

  it('escapes the header row too', () => {
    expect(toCsv(['=evil'], []).split('\r\n')[0]).toBe(`'=evil`);
  });
});
