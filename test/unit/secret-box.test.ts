import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, loadSecretBox, parseSecretKey, SecretKeyError } from '../../src/lib/secret-box.js';

describe('secret box', () => {
  const key = Buffer.alloc(32, 7);

  it('seals and opens, with a fresh nonce each time', () => {
    const box = createSecretBox(key);
    const a = box.seal('amqp://u:p@h/', 'row-1');
    const b = box.seal('amqp://u:p@h/', 'row-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('u:p');
    expect(box.open(a, 'row-1')).toBe('amqp://u:p@h/');
  });

  it('refuses another context, another key and a tampered value', () => {
    const sealed = createSecretBox(key).seal('secret', 'row-1');
    expect(() => createSecretBox(key).open(sealed, 'row-2')).toThrow(SecretKeyError);
    expect(() => createSecretBox(Buffer.alloc(32, 8)).open(sealed, 'row-1')).toThrow(SecretKeyError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(() => createSecretBox(key).open(parts.join('.'), 'row-1')).toThrow(SecretKeyError);
  });

  it('parses base64 and hex keys and refuses short ones', () => {
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(() => parseSecretKey('c2hvcnQ=')).toThrow(/32 random bytes/);
  });

  it('generates a key file once (mode 0600) and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tally-secret-'));
    const sealed = loadSecretBox({ secretKey: null, dataDir: dir }).seal('x');
    const file = path.join(dir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = readFileSync(file, 'utf8');
    expect(loadSecretBox({ secretKey: null, dataDir: dir }).open(sealed)).toBe('x');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
