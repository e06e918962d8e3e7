import { createCipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCmac } from '../../src/lib/cmac.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const M64 =
  '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710';

/** One message at a time, the RFC's way: CBC over the blocks, the last one XOR K1 (complete) or padded XOR K2. */
function reference(key: Buffer, message: Buffer): Buffer {
  const ecb = (b: Buffer) =>
    createCipheriv(key.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', key, null)
      .setAutoPadding(false)
      .update(b);
  const dbl = (b: Buffer) => {
    const v = (BigInt(`0x${b.toString('hex')}`) << 1n) & ((1n << 128n) - 1n);
    return hex((b[0]! & 0x80 ? v ^ 0x87n : v).toString(16).padStart(32, '0'));
  };
  const k1 = dbl(ecb(Buffer.alloc(16)));
  const k2 = dbl(k1);
  const count = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = Buffer.alloc(16);
  message.copy(last, 0, (count - 1) * 16);
  if (!complete) last[message.length - (count - 1) * 16] = 0x80;
  for (let i = 0; i < 16; i++) last[i]! ^= (complete ? k1 : k2)[i]!;
  const cbc = createCipheriv(key.length === 16 ? 'aes-128-cbc' : 'aes-256-cbc', key, Buffer.alloc(16)).setAutoPadding(false);
  const out = cbc.update(Buffer.concat([message.subarray(0, (count - 1) * 16), last]));
  return out.subarray(out.length - 16);
}

describe('AES-CMAC', () => {
  it("gives RFC 4493's and NIST SP 800-38B's tags, all in one batch", () => {
    // The messages are binary; as latin1 text they are the same bytes only below 0x80, so these go through the reference path too.
    const key128 = hex('2b7e151628aed2a6abf7158809cf4f3c');
    const key256 = hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
    const cases: [Buffer, string, string][] = [
      [key128, '', 'bb1d6929e95937287fa37d129b756746'],
      [key128, M64.slice(0, 32), '070a16b46b4d4144f79bdd9dd04a287c'],
      [key128, M64.slice(0, 80), 'dfa66747de9ae63030ca32611497c827'],
      [key128, M64, '51f0bebf7e3b9d92fc49741779363cfe'],
      [key256, '', '028962f61b7bf89efc6b551f4667d983'],
      [key256, M64.slice(0, 32), '28a7023f452e8f82bd4bf28d8c37c35c'],
      [key256, M64.slice(0, 80), 'aaf3d8f1de5640c232f5b169b9c911e6'],
    ];
    for (const [key, message, tag] of cases) expect(reference(key, hex(message)).toString('hex')).toBe(tag);
    // Text messages: the vectors' ASCII counterparts are checked against the reference below.
    expect(createCmac(key128).tags(['']).toString('hex')).toBe('bb1d6929e95937287fa37d129b756746');
    expect(createCmac(key256).tags(['']).toString('hex')).toBe('028962f61b7bf89efc6b551f4667d983');
    expect(createCmac(key128).tag('').toString('hex')).toBe('bb1d6929e95937287fa37d129b756746');
  });

  it('tags a batch of texts of any lengths, and each text alone, as one CBC chain per message would', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 32),
        fc.array(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constant('x'.repeat(48))), {
          minLength: 1,
          maxLength: 40,
        }),
        (keyLength, messages) => {
          const key = randomBytes(keyLength);
          const tags = createCmac(key).tags(messages);
          expect(tags.length).toBe(16 * messages.length);
          const cmac = createCmac(key);
          messages.forEach((m, i) => {
            const expected = reference(key, Buffer.from(m, 'utf8'));
            expect(tags.subarray(16 * i, 16 * i + 16).equals(expected)).toBe(true);
            expect(cmac.tag(m).equals(expected)).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a key that is not an AES-128 or AES-256 key', () => {
    expect(() => createCmac(randomBytes(24))).toThrow(/16 or 32 bytes/);
  });
});
