import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { createExecutorsService, DISPATCH_SECRET_CONTEXT } from '../../src/modules/executors/executors.service.js';
import type { UsageEvent } from '../../src/contracts/usage.js';
import {
  dispatchClaimsOf,
  signDispatch,
  signDispatchV1,
  verifyDispatches,
  type DispatchClaims,
} from '../../src/modules/executors/dispatch-token.js';

const secret = randomBytes(32);
const box = createSecretBox(randomBytes(32));
const executorId = randomUUID();

function event(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    invocationId: randomUUID(),
    accountId: randomUUID(),
    functionId: 'fn-ü.1',
    architecture: 'x86_64',
    memoryMb: 256,
    durationMs: 12.5,
    startedAt: '2026-12-04T23:00:00.000Z',
    status: 'success',
    ...overrides,
  };
}
const claims = (e: UsageEvent, timeoutS = 30, forExecutor = executorId): DispatchClaims => dispatchClaimsOf(forExecutor, e, timeoutS);
const reasons = (events: UsageEvent[]) => verifyDispatches(secret, executorId, events).map((r) => r?.reason ?? null);

describe('dispatch tokens', () => {
  const alterations: [string, (e: UsageEvent) => UsageEvent][] = [
    ['the invocation', (e) => ({ ...e, invocationId: randomUUID() })],
    ['the account', (e) => ({ ...e, accountId: randomUUID() })],
    ['the function', (e) => ({ ...e, functionId: 'fn-other' })],
    ['the memory', (e) => ({ ...e, memoryMb: 512 })],
    ['the architecture', (e) => ({ ...e, architecture: 'arm64' })],
    ['the ephemeral storage', (e) => ({ ...e, ephemeralStorageMb: 1024 })],
  ];

  for (const [version, sign] of [
    ['v2 (AES-CMAC, signed now)', signDispatch],
    ['v1 (HMAC, what executors may still hold)', signDispatchV1],
  ] as const) {
    it(`${version}: accepts the genuine event, refuses it with any signed field altered, or for another executor`, () => {
      const genuine = Array.from({ length: 5 }, () => event());
      const signed = genuine.map((e) => ({ ...e, dispatchToken: sign(secret, claims(e)) }));
      expect(signed[0]!.dispatchToken).toMatch(version.startsWith('v2') ? /^v2\.30\.[A-Za-z0-9_-]{22}$/ : /^v1\.30\.[A-Za-z0-9_-]{43}$/);
      const altered = alterations.map(([, alter]) => alter(signed[0]!));
      const elsewhere = { ...genuine[1]!, dispatchToken: sign(secret, claims(genuine[1]!, 30, randomUUID())) };
      const otherSecret = { ...genuine[2]!, dispatchToken: sign(randomBytes(32), claims(genuine[2]!)) };
      const longerTimeout = { ...signed[3]!, dispatchToken: signed[3]!.dispatchToken.replace('.30.', '.900.') };
      expect(reasons([...signed, ...altered, elsewhere, otherSecret, longerTimeout])).toEqual([
        ...signed.map(() => null),
        ...altered.map(() => 'DISPATCH_TOKEN_INVALID'),
        'DISPATCH_TOKEN_INVALID',
        'DISPATCH_TOKEN_INVALID',
        'DISPATCH_TOKEN_INVALID',
      ]);
    });
  }

  it('checks a mixed batch event by event: v1 and v2 tokens, none, malformed, and the signed limits', () => {
    const [a, b, c, d, e, f] = Array.from({ length: 6 }, () => event());
    const batch = [
      { ...a!, dispatchToken: signDispatch(secret, claims(a!)) },
      { ...b!, dispatchToken: signDispatchV1(secret, claims(b!)) },
      c!,
      { ...d!, dispatchToken: 'v2.30.not-a-tag' },
      { ...e!, durationMs: 31_500, dispatchToken: signDispatch(secret, claims(e!)) },
      { ...f!, initDurationMs: 11_500, dispatchToken: signDispatch(secret, claims(f!)) },
    ];
    expect(reasons(batch)).toEqual([
      null,
      null,
      'DISPATCH_TOKEN_MISSING',
      'DISPATCH_TOKEN_INVALID',
      'DURATION_EXCEEDS_TIMEOUT',
      'INIT_DURATION_EXCEEDS_LIMIT',
    ]);
  });

  it('accepts one spelling of a v2 tag: its last character carries 2 bits, and the other spellings of those bytes are refused', () => {
    const e = event();
    const token = signDispatch(secret, claims(e));
    const last = token.at(-1)!;
    expect('AQgw').toContain(last);
    // The next letter decodes to the same 16 bytes (only the unused low bits differ).
    const sibling = token.slice(0, -1) + String.fromCharCode(last.charCodeAt(0) + 1);
    expect(Buffer.from(sibling.split('.')[2]!, 'base64url').equals(Buffer.from(token.split('.')[2]!, 'base64url'))).toBe(true);
    expect(
      reasons([
        { ...e, dispatchToken: token },
        { ...e, dispatchToken: sibling },
      ]),
    ).toEqual([null, 'DISPATCH_TOKEN_INVALID']);
  });

  it('signs v1 tokens while TALLY_DISPATCH_TOKENS=v1 (a rolling upgrade from replicas that know only v1), and checks both', async () => {
    const service = (tokenVersion?: 1 | 2) =>
      createExecutorsService({
        repo: { secret: async () => ({ sealed: box.seal(secret.toString('base64'), DISPATCH_SECRET_CONTEXT), unsealed: null }) } as never,
        log: silentLogger(),
        accounts: {} as never,
        secretBox: box,
        options: { tokenVersion },
      });
    const e = event();
    const v1 = await service(1).signDispatch(claims(e));
    const v2 = await service().signDispatch(claims(e));
    expect(v1).toMatch(/^v1\.30\./);
    expect(v2).toMatch(/^v2\.30\./);
    expect(
      reasons([
        { ...e, dispatchToken: v1 },
        { ...e, dispatchToken: v2 },
      ]),
    ).toEqual([null, null]);
  });

  it("refuses tokens swapped between a batch's events and a v1 tag spelt as v2, and keeps the others", () => {
    // Multi-byte and astral letters, and names of lengths around the cipher's block edges.
    const events = Array.from({ length: 40 }, (_, i) =>
      event({ functionId: `fn-${'ü𝐀'.repeat(i % 7)}${'x'.repeat(i)}`, memoryMb: 128 + i, architecture: i % 2 ? 'arm64' : 'x86_64' }),
    );
    const signed = events.map((e, i) => ({ ...e, dispatchToken: (i % 3 === 0 ? signDispatchV1 : signDispatch)(secret, claims(e)) }));
    for (const [a, b] of [
      [4, 5], // both v2
      [6, 7], // v1 and v2
    ] as const) {
      const token = signed[a]!.dispatchToken;
      signed[a] = { ...signed[a]!, dispatchToken: signed[b]!.dispatchToken };
      signed[b] = { ...signed[b]!, dispatchToken: token };
    }
    const v1Tag = Buffer.from(signed[9]!.dispatchToken.split('.')[2]!, 'base64url');
    signed[9] = { ...signed[9]!, dispatchToken: `v2.30.${v1Tag.subarray(0, 16).toString('base64url')}` };
    const refused = reasons(signed)
      .map((r, i) => (r === null ? -1 : i))
      .filter((i) => i >= 0);
    expect(refused).toEqual([4, 5, 6, 7, 9]);
  });
});
