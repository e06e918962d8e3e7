import { describe, expect, it } from 'vitest';
import { uuid7 } from '../../src/lib/uuid7.js';

describe('uuid7', () => {
  it('is a version 7, RFC variant uuid whose first 48 bits are the milliseconds', () => {
    const at = Date.UTC(2026, 11, 3, 12, 0, 0, 123);
    const id = uuid7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time, and never repeats', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => uuid7(1_800_000_000_000 + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 10_000 }, () => uuid7(1_800_000_000_000))).size).toBe(10_000);
  });
});
