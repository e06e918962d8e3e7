import { randomUUID } from 'node:crypto';

/**
 * A time-ordered UUID (version 7): 48 bits of Unix milliseconds, then random bits. Invocation ids
 * are the key of the dedup table that grows forever; with random (v4) ids every insert lands on a
 * random page of an index of many gigabytes, with time-ordered ones on the few newest pages of each
 * account, which stay in memory. The random part comes from randomUUID's cached entropy pool (cheap).
 */
export function uuid7(now = Date.now()): string {
  const hex = now.toString(16).padStart(12, '0').slice(-12);
  const random = randomUUID();
  // random: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; its variant nibble V is already 8-b.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19, 23)}-${random.slice(24)}`;
}

/** The Unix milliseconds a version 7 id was made at, or null for an id of another version. */
export function uuid7Millis(id: string): number | null {
  if (id.charCodeAt(14) !== 55 /* '7' */) return null;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
