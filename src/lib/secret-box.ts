import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Secrets Tally must be able to read back (SigV4 secret access keys, broker URLs with passwords, the
 * dispatch-token secret, webhook signing secrets) are stored sealed with AES-256-GCM under one platform key: `TALLY_SECRET_KEY`
 * (32 bytes, base64 or hex), or else a key generated once into `TALLY_DATA_DIR/secret.key` (mode
 * 0600). More than one api replica must share `TALLY_SECRET_KEY`: each replica's own key file would
 * not open the others' secrets. A sealed value is `v1.<iv>.<tag>.<ciphertext>` (base64url); the
 * optional `context` (for example the row's id) is bound as additional data, so a sealed value copied
 * onto another row does not open.
 *
 * Rotation: the keys of `TALLY_SECRET_KEY_PREVIOUS` only open (tried after the current key, which
 * alone seals); `reseal` tells a value sealed with one of them, sealed again with the current key
 * (src/modules/secrets/secrets.service.ts does so at start; docs/operations.md has the procedure).
 */
export interface SecretBox {
  seal(plaintext: string, context?: string): string;
  /** Opens with the current key, or else a previous one; throws SecretKeyError when none opens it. */
  open(sealed: string, context?: string): string;
  /** null when `sealed` opens with the current key; else it sealed again with the current key (throws when no key opens it). */
  reseal(sealed: string, context?: string): string | null;
}

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

const PREFIX = 'v1';

/**
 * Whether a stored value has the sealed form (`v1.` and four dot-separated parts). Columns that held
 * plain values before they were sealed (the webhook signing secrets: `whsec_` and base64url, never a
 * dot) tell a legacy plain value from a sealed one by this.
 */
export function isSealed(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts[0] === PREFIX;
}

export function createSecretBox(key: Buffer, previous: readonly Buffer[] = []): SecretBox {
  for (const k of [key, ...previous]) {
    if (k.length !== 32) throw new SecretKeyError(`the secret key must be 32 bytes, got ${k.length}`);
  }
  const olds = previous.filter((k) => !k.equals(key));

  /** The plaintext, or null when the tag does not verify under `k` (another key, context or a tampered value). */
  function openWith(k: Buffer, sealed: string, context: string): string | null {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== PREFIX) throw new SecretKeyError('not a sealed secret');
    const [iv, tag, body] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
    // The whole 16-byte tag, always: Node would take a 4-byte one, and 32 bits of integrity.
    if (iv.length !== 12 || tag.length !== 16) throw new SecretKeyError('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', k, iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  function seal(plaintext: string, context = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [PREFIX, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  function openOld(sealed: string, context: string): string {
    for (const k of olds) {
      const plaintext = openWith(k, sealed, context);
      if (plaintext !== null) return plaintext;
    }
    throw new SecretKeyError(
      olds.length === 0
        ? 'a sealed secret does not open with this key (was TALLY_SECRET_KEY changed?)'
        : 'a sealed secret opens with neither TALLY_SECRET_KEY nor TALLY_SECRET_KEY_PREVIOUS',
    );
  }

  return {
    seal,
    open(sealed, context = '') {
      return openWith(key, sealed, context) ?? openOld(sealed, context);
    },
    reseal(sealed, context = '') {
      return openWith(key, sealed, context) !== null ? null : seal(openOld(sealed, context), context);
    },
  };
}

/** Parses `TALLY_SECRET_KEY`: 32 bytes as base64 (44 characters) or hex (64). */
export function parseSecretKey(raw: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new SecretKeyError('must be 32 random bytes as base64 or hex (for example: openssl rand -base64 32)');
  }
  return key;
}

/** The configured key, or the data folder's key file, made on first use; `previousKeys` only open (rotation). */
export function loadSecretBox(options: { secretKey: Buffer | null; previousKeys?: readonly Buffer[]; dataDir: string }): SecretBox {
  const previous = options.previousKeys ?? [];
  if (options.secretKey) return createSecretBox(options.secretKey, previous);
  const file = path.join(options.dataDir, 'secret.key');
  let stored = '';
  try {
    stored = readFileSync(file, 'utf8').trim();
  } catch {}
  if (stored !== '') return createSecretBox(parseSecretKey(stored), previous);
  const key = randomBytes(32);
  mkdirSync(options.dataDir, { recursive: true });
  try {
    // Written whole and synced, with its folder, before anything is sealed with it: a key lost in a
    // power cut would leave every sealed secret unreadable.
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${key.toString('base64')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    syncFolder(options.dataDir);
  } catch (err) {
    // Another process sharing the folder made it first (api replicas starting together): use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // It may not be written yet: wait for it a little (start-up is synchronous here).
    for (let i = 0; i < 100; i++) {
      const theirs = readFileSync(file, 'utf8').trim();
      if (theirs !== '') return createSecretBox(parseSecretKey(theirs), previous);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    throw new SecretKeyError(`${file} stayed empty: remove it, or set TALLY_SECRET_KEY`);
  }
  chmodSync(file, 0o600);
  return createSecretBox(key, previous);
}

function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
