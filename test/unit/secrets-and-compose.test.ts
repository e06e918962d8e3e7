import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSandboxConfig } from '../../executor/config.js';
import { parseConfig } from '../../src/config.js';
import { createSecretBox, SecretKeyError } from '../../src/lib/secret-box.js';

// Secrets (found by a review on 2026-12-07): a sealed value's whole GCM tag, and one secret key for docker-compose's api replicas.

describe('secret box: the GCM tag', () => {
  const key = Buffer.alloc(32, 9);

  it('refuses a sealed value whose authentication tag was truncated (a 4-byte tag is 32 bits of integrity)', () => {
    const box = createSecretBox(key);
    const sealed = box.seal('amqp://user:pass@broker/', 'row-1');
    const [v, iv, tag, body] = sealed.split('.') as [string, string, string, string];
    const short = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    // Anyone who can write the row may cut the tag to 4 bytes and it still opens: forging a value
    // then takes about 2^32 tries against an open() oracle instead of 2^128.
    expect(() => box.open([v, iv, short, body].join('.'), 'row-1')).toThrow(SecretKeyError);
  });
});

describe('secret box: rotation (TALLY_SECRET_KEY_PREVIOUS)', () => {
  const [a, b, c] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)];

  it('opens with a previous key, seals only with the current one, and reseals only what an old key sealed', () => {
    const old = createSecretBox(a).seal('secret', 'row-1');
    const box = createSecretBox(b, [c, a]);
    expect(box.open(old, 'row-1')).toBe('secret');
    const fresh = box.reseal(old, 'row-1')!;
    expect(createSecretBox(b).open(fresh, 'row-1')).toBe('secret');
    expect(box.reseal(fresh, 'row-1')).toBeNull();
    expect(() => createSecretBox(a).open(box.seal('x', 'row-1'), 'row-1')).toThrow(SecretKeyError);
    // Still bound to its row under an old key.
    expect(() => box.open(old, 'row-2')).toThrow(/neither TALLY_SECRET_KEY nor TALLY_SECRET_KEY_PREVIOUS/);
    expect(() => createSecretBox(b, [c]).reseal(old, 'row-1')).toThrow(SecretKeyError);
  });

  it('reads TALLY_SECRET_KEY_PREVIOUS as keys separated by commas, and names a bad one', () => {
    const env = { TALLY_SECRET_KEY: b.toString('base64') };
    expect(parseConfig(env).previousSecretKeys).toEqual([]);
    expect(
      parseConfig({ ...env, TALLY_SECRET_KEY_PREVIOUS: ` ${a.toString('base64')}, ${c.toString('hex')} ` }).previousSecretKeys,
    ).toEqual([a, c]);
    expect(() => parseConfig({ ...env, TALLY_SECRET_KEY_PREVIOUS: `${a.toString('base64')},short` })).toThrow(
      /TALLY_SECRET_KEY_PREVIOUS.*key 2 of 2.*32 random bytes/,
    );
  });
});

describe('docker-compose.yml: replicas share the secret key', () => {
  it('gives the api service, which runs more than one replica, one TALLY_SECRET_KEY', () => {
    const text = readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8');
    const api = /\n {2}api:\n([\s\S]*?)\n {2}[a-z][\w-]*:\n/.exec(text)?.[1] ?? '';
    expect(api).toMatch(/replicas:\s*2/);
    // README: "set it, the same on every replica, when more than one api runs". Without it each
    // container makes its own /data/secret.key (no volume): an access key or broker URL sealed by one
    // replica does not open on the other, and none opens after the containers are recreated.
    expect(api).toMatch(/TALLY_SECRET_KEY:/);
    // Rotation: the old keys, empty unless a rotation is under way (docs/operations.md).
    expect(api).toMatch(/TALLY_SECRET_KEY_PREVIOUS: \$\{TALLY_SECRET_KEY_PREVIOUS:-\}/);
  });
});

describe('docker-compose.yml: functions stay off the compose network', () => {
  const inRange = (address: string, cidr: string) => {
    const toInt = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
    const [base, bits] = cidr.split('/');
    const size = 2 ** (32 - Number(bits));
    return Math.floor(toInt(address) / size) === Math.floor(toInt(base!) / size);
  };

  it("denies the executors' functions every private range Docker gives a compose network (Postgres and the api are on it)", () => {
    const text = readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8');
    const executor = /\n {2}executor-1:[^\n]*\n([\s\S]*?)\n {2}[a-z][\w-]*:\n/.exec(text)?.[1] ?? '';
    const value = /TALLY_FUNCTION_DENY_CIDRS: (.*)/.exec(executor)?.[1]?.trim() ?? '';
    const { denyCidrs } = parseSandboxConfig({ TALLY_FUNCTION_DENY_CIDRS: value });
    // A function goes out through the executor container's own network (pasta), so without a deny it
    // reaches postgres:5432 and api:9464 by address (found by a review on 2026-12-07). Docker's default
    // pools are 172.17-31.x.x and 192.168.x.x; operators often move them into 10.x.x.x.
    for (const address of ['172.17.0.2', '172.18.0.5', '172.31.255.2', '192.168.16.3', '10.200.0.4']) {
      expect(
        denyCidrs.some((cidr) => inRange(address, cidr)),
        address,
      ).toBe(true);
    }
  });
});
