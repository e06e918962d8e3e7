import { describe, expect, it } from 'vitest';
import { parseExecutorConfig } from '../../executor/config.js';
import { ConfigError, parseConfig } from '../../src/config.js';

describe('configuration of the limits and webhooks', () => {
  it('defaults to public-only webhooks and production limits', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      allowPrivateWebhooks: false,
      accountConcurrency: 1000,
      minUnreservedConcurrency: null, // unset: a tenth of each account's own limit, at most 100
      logFollowersPerAccount: 10,
      logMaxAgeDays: 30,
      recordRetentionDays: 30,
      authFailuresPerMinute: 30,
      expensivePerMinute: 120,
      shedEventLoopDelayMs: 1000,
      trustProxy: false,
    });
  });

  it('reads the switches and numbers, and names a bad variable', () => {
    const c = parseConfig({
      TALLY_ALLOW_PRIVATE_WEBHOOKS: 'true',
      TALLY_ACCOUNT_CONCURRENCY: '50',
      TALLY_RATE_LIMIT_AUTH_FAILURES: '0',
      TALLY_TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
    });
    expect(c).toMatchObject({
      allowPrivateWebhooks: true,
      accountConcurrency: 50,
      minUnreservedConcurrency: null, // derived from each account's limit unless set
      authFailuresPerMinute: 0,
      trustProxy: '10.0.0.0/8, 192.168.1.1',
    });
    expect(parseConfig({ TALLY_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(() => parseConfig({ TALLY_ALLOW_PRIVATE_WEBHOOKS: 'maybe' })).toThrow(ConfigError);
    expect(() => parseConfig({ TALLY_TRUST_PROXY: 'everyone' })).toThrow(/TALLY_TRUST_PROXY/);
    expect(() => parseConfig({ TALLY_ACCOUNT_CONCURRENCY: '0' })).toThrow(/TALLY_ACCOUNT_CONCURRENCY/);
    expect(parseConfig({ TALLY_UNRESERVED_CONCURRENCY_MIN: '0' }).minUnreservedConcurrency).toBe(0);
    expect(parseConfig({ TALLY_UNRESERVED_CONCURRENCY_MIN: '250' }).minUnreservedConcurrency).toBe(250);
    expect(() => parseConfig({ TALLY_UNRESERVED_CONCURRENCY_MIN: '-1' })).toThrow(/TALLY_UNRESERVED_CONCURRENCY_MIN/);
    expect(parseConfig({ TALLY_LOG_FOLLOWERS_PER_ACCOUNT: '2' }).logFollowersPerAccount).toBe(2);
    expect(() => parseConfig({ TALLY_LOG_FOLLOWERS_PER_ACCOUNT: '0' })).toThrow(/TALLY_LOG_FOLLOWERS_PER_ACCOUNT/);
    expect(parseConfig({ TALLY_LOG_MAX_AGE_DAYS: '90' }).logMaxAgeDays).toBe(90);
    expect(() => parseConfig({ TALLY_LOG_MAX_AGE_DAYS: '3654' })).toThrow(/TALLY_LOG_MAX_AGE_DAYS/);
    expect(parseConfig({ TALLY_RECORD_RETENTION_DAYS: '1' }).recordRetentionDays).toBe(1);
    expect(parseConfig({ TALLY_RECORD_RETENTION_DAYS: '3653' }).recordRetentionDays).toBe(3653);
    // Less than a day would let a duplicate schedule tick or budget alert through (the database refuses it too).
    for (const bad of ['0', '3654', '1.5', 'forever']) {
      expect(() => parseConfig({ TALLY_RECORD_RETENTION_DAYS: bad })).toThrow(/TALLY_RECORD_RETENTION_DAYS/);
    }
  });

  it("reads an instance's maximum age for the in-process and the separate executor: two hours unless set, 0 for never", () => {
    const executor = (extra: Record<string, string>) =>
      parseExecutorConfig({ TALLY_EXECUTOR_KEY: 'k', TALLY_API_URL: 'http://127.0.0.1:3000', ...extra });
    expect(parseConfig({}).executorMaxInstanceAgeS).toBe(7200);
    expect(parseConfig({ TALLY_EXECUTOR_MAX_INSTANCE_AGE_S: '0' }).executorMaxInstanceAgeS).toBe(0);
    expect(executor({}).maxInstanceAgeMs).toBe(7_200_000);
    expect(executor({ TALLY_EXECUTOR_MAX_INSTANCE_AGE_S: '600' }).maxInstanceAgeMs).toBe(600_000);
    for (const bad of ['-1', '1.5', 'two hours', '604801']) {
      expect(() => parseConfig({ TALLY_EXECUTOR_MAX_INSTANCE_AGE_S: bad })).toThrow(/TALLY_EXECUTOR_MAX_INSTANCE_AGE_S/);
      expect(() => executor({ TALLY_EXECUTOR_MAX_INSTANCE_AGE_S: bad })).toThrow(/TALLY_EXECUTOR_MAX_INSTANCE_AGE_S/);
    }
  });

  it('reads the code and image cache budgets for the in-process and the separate executor: 2,048 and 10,240 MB unless set, bounded', () => {
    const executor = (extra: Record<string, string>) =>
      parseExecutorConfig({ TALLY_EXECUTOR_KEY: 'k', TALLY_API_URL: 'http://127.0.0.1:3000', ...extra });
    const MB = 1024 * 1024;
    expect(parseConfig({}).executorCaches).toEqual({ codeCacheBytes: 2048 * MB, imageCacheBytes: 10_240 * MB });
    expect(executor({}).caches).toEqual({ codeCacheBytes: 2048 * MB, imageCacheBytes: 10_240 * MB });
    const set = { TALLY_EXECUTOR_CODE_CACHE_MB: '16', TALLY_EXECUTOR_IMAGE_CACHE_MB: '1048576' };
    expect(parseConfig(set).executorCaches).toEqual({ codeCacheBytes: 16 * MB, imageCacheBytes: 1_048_576 * MB });
    expect(executor(set).caches).toEqual({ codeCacheBytes: 16 * MB, imageCacheBytes: 1_048_576 * MB });
    for (const [name, bad] of [
      ['TALLY_EXECUTOR_CODE_CACHE_MB', '15'],
      ['TALLY_EXECUTOR_CODE_CACHE_MB', '2 GB'],
      ['TALLY_EXECUTOR_IMAGE_CACHE_MB', '63'],
      ['TALLY_EXECUTOR_IMAGE_CACHE_MB', '1048577'],
    ] as const) {
      expect(() => parseConfig({ [name]: bad })).toThrow(ConfigError);
      expect(() => parseConfig({ [name]: bad })).toThrow(new RegExp(name));
      expect(() => executor({ [name]: bad })).toThrow(new RegExp(name));
    }
  });
});
