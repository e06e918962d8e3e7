import { describe, expect, it } from 'vitest';
import { allowedEnvironment, refusedEnvironmentVariable } from '../../src/contracts/environment.js';

describe('function environment rules', () => {
  it('leaves refused variables out of what the executor passes on (versions stored before a rule)', () => {
    const stored = {
      A: '1',
      LD_PRELOAD: '/var/task/x.so',
      TALLY_SANDBOX_EXEC: 'sh',
      NODE_OPTIONS: '--require ./x',
      PYTHONPATH: '/var/task/src',
    };
    expect(allowedEnvironment(stored)).toEqual({ A: '1', PYTHONPATH: '/var/task/src' });
  });

  it('reads NODE_OPTIONS as node does: quoted tokens and underscores in flag names', () => {
    expect(refusedEnvironmentVariable('NODE_OPTIONS', '"--require" x')).toMatch(/--require/);
    expect(refusedEnvironmentVariable('NODE_OPTIONS', '--experimental_loader=x')).toMatch(/--experimental-loader/);
    expect(refusedEnvironmentVariable('NODE_OPTIONS', '--max-old-space-size=64 --enable-source-maps')).toBeNull();
  });
});
