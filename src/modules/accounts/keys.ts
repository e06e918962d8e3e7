import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyRole } from '../../db/schema.js';

const ROLE_TAG: Record<KeyRole, string> = { admin: 'adm', account: 'acc', executor: 'exe' };

/** A key is 32 random bytes; the role tag in front only helps a human tell keys apart. */
export function generateKey(role: KeyRole): { key: string; hash: Buffer; prefix: string } {
  const key = `tly_${ROLE_TAG[role]}_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashKey(key), prefix: key.slice(0, 12) };
}

/** Keys are high-entropy random strings, so a plain SHA-256 is a sound storage hash (no password stretching needed). */
export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
