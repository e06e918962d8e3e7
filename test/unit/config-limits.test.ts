import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

describe('configuration of the limits and webhooks', () => {
  it('defaults to public-only webhooks and production limits', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      allowPrivateWebhooks: false,
      accountConcurrency: 1000,
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
      authFailuresPerMinute: 0,
      trustProxy: '10.0.0.0/8, 192.168.1.1',
    });
    expect(parseConfig({ TALLY_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(() => parseConfig({ TALLY_ALLOW_PRIVATE_WEBHOOKS: 'maybe' })).toThrow(ConfigError);
    expect(() => parseConfig({ TALLY_TRUST_PROXY: 'everyone' })).toThrow(/TALLY_TRUST_PROXY/);
    expect(() => parseConfig({ TALLY_ACCOUNT_CONCURRENCY: '0' })).toThrow(/TALLY_ACCOUNT_CONCURRENCY/);
  });
});
