import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { errorRetryDelayMs, throttleDelayMs } from '../../src/modules/async/retry-policy.js';

describe('events configuration', () => {
  it('defaults, bounds and TALLY_PUBLIC_URL', () => {
    expect(parseConfig({})).toMatchObject({ asyncRetryBaseMs: 60_000, asyncConcurrency: 16, asyncLeaseMs: 30_000, publicUrl: null });
    expect(parseConfig({ TALLY_ASYNC_RETRY_BASE_MS: '200', TALLY_PUBLIC_URL: 'https://tally.example.com/' })).toMatchObject({
      asyncRetryBaseMs: 200,
      publicUrl: 'https://tally.example.com',
    });
    expect(() => parseConfig({ TALLY_ASYNC_RETRY_BASE_MS: 'soon' })).toThrow(ConfigError);
    expect(() => parseConfig({ TALLY_PUBLIC_URL: 'ftp://x' })).toThrow(/TALLY_PUBLIC_URL/);
    expect(() => parseConfig({ TALLY_ASYNC_LEASE_S: '0' })).toThrow(/TALLY_ASYNC_LEASE_S/);
  });
});

describe('retry policy', () => {
  it('about 1 and 2 minutes after function errors, jittered ±15 %', () => {
    expect(errorRetryDelayMs(60_000, 1, () => 0.5)).toBe(60_000);
    expect(errorRetryDelayMs(60_000, 2, () => 0.5)).toBe(120_000);
    expect(errorRetryDelayMs(60_000, 1, () => 0)).toBe(51_000);
    expect(errorRetryDelayMs(60_000, 2, () => 1)).toBe(138_000);
  });
  it('throttles back off from 1 s doubling to 5 minutes', () => {
    expect([1, 2, 3, 9, 10, 50].map((n) => throttleDelayMs(60_000, n, () => 0.5))).toEqual([
      1_000, 2_000, 4_000, 256_000, 300_000, 300_000,
    ]);
  });
});
