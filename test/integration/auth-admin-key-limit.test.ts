import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, bearer } from '../helpers/app.js';
import { useReplicas } from '../helpers/replicas.js';

// An address past its failed-authentication limit may not go on guessing TALLY_ADMIN_KEY (found by a review on 2026-12-07).

describe('failed-authentication limit and the environment admin key', () => {
  const t = useReplicas(1, { rateLimits: { authFailures: 3, expensive: 0, windowMs: 60_000 } });
  const app = () => t.replicas[0]!.app;

  it('does not let a blocked address keep guessing TALLY_ADMIN_KEY', async () => {
    const remoteAddress = '198.51.100.77';
    const get = (key: string) => app().inject({ method: 'GET', url: '/v1/accounts', headers: bearer(key), remoteAddress });
    for (let i = 0; i < 3; i++) expect((await get(`guess-${i}-0123456789abcdef`)).statusCode).toBe(401);
    expect((await get('guess-3-0123456789abcdef')).statusCode).toBe(429); // blocked now
    // Blocked: every further guess answers 429, however many...
    for (let i = 4; i < 50; i++) expect((await get(`guess-${i}-0123456789abcdef`)).statusCode).toBe(429);
    // ...the right one too, which this address never used and this replica never verified lately: a 200
    // there would tell the guesser it had hit the platform's most powerful key.
    expect((await get(ADMIN_KEY)).statusCode).toBe(429);
  });
});
