import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

describe('operations settings', () => {
  it('reads the shutdown budget, the admin listener and the api database role', () => {
    const c = parseConfig({
      DATABASE_URL: 'postgres://owner:pw@db:5432/tally',
      TALLY_APP_DATABASE_URL: 'postgres://api:pw@db:5432/tally',
      TALLY_SHUTDOWN_TIMEOUT_S: '25',
      TALLY_ADMIN_PORT: '9464',
    });
    expect(c).toMatchObject({
      shutdownTimeoutMs: 25_000,
      adminPort: 9464,
      adminHost: '127.0.0.1',
      appDatabaseUrl: 'postgres://api:pw@db:5432/tally',
    });
    expect(parseConfig({})).toMatchObject({ shutdownTimeoutMs: 20_000, adminPort: null, appDatabaseUrl: null, databaseUrl: null });
  });

  it('refuses bad values, naming the variable', () => {
    expect(() => parseConfig({ TALLY_SHUTDOWN_TIMEOUT_S: '1' })).toThrow(/TALLY_SHUTDOWN_TIMEOUT_S/);
    expect(() => parseConfig({ TALLY_ADMIN_PORT: 'x' })).toThrow(/TALLY_ADMIN_PORT/);
    expect(() => parseConfig({ TALLY_APP_DATABASE_URL: 'mysql://a@b/c', DATABASE_URL: 'postgres://a@b/c' })).toThrow(
      /TALLY_APP_DATABASE_URL/,
    );
    expect(() => parseConfig({ TALLY_APP_DATABASE_URL: 'postgres://a@b/c' })).toThrow(/needs DATABASE_URL/);
    for (const bad of ['0', '65', 'two', '1.5', '-1'])
      expect(() => parseConfig({ TALLY_API_PROCESSES: bad })).toThrow(/TALLY_API_PROCESSES/);
    expect(() => parseConfig({ TALLY_DISPATCH_TOKENS: 'v3' })).toThrow(/TALLY_DISPATCH_TOKENS/);
  });

  it('reads how many api processes serve the port: one by default, or one per core with auto', () => {
    expect(parseConfig({}).apiProcesses).toBe(1);
    expect(parseConfig({ TALLY_API_PROCESSES: '3' }).apiProcesses).toBe(3);
    expect(parseConfig({ TALLY_API_PROCESSES: 'auto' }).apiProcesses).toBe(Math.min(64, availableParallelism()));
  });

  it('signs v2 dispatch tokens unless told v1 (for a rolling upgrade)', () => {
    expect(parseConfig({}).dispatchTokenVersion).toBe(2);
    expect(parseConfig({ TALLY_DISPATCH_TOKENS: 'v1' }).dispatchTokenVersion).toBe(1);
    expect(parseConfig({ TALLY_DISPATCH_TOKENS: 'V2' }).dispatchTokenVersion).toBe(2);
  });

  // Found by the operations review on 2026-12-08: the check let through anything made of hex digits, dots, colons,
  // slashes and commas, and Fastify then threw at start-up, after the migrations, with a message naming no variable
  // ("failed to start: invalid IP address: abc"); `1`, which every other switch takes for on, was taken silently as
  // the address 0.0.0.1, so every client behind the proxy still shared its address (and its rate limits).
  it('reads TALLY_TRUST_PROXY as a switch or as addresses and CIDRs, and names it when it is neither', () => {
    expect(parseConfig({ TALLY_TRUST_PROXY: '1' }).trustProxy).toBe(true);
    expect(parseConfig({ TALLY_TRUST_PROXY: 'ON' }).trustProxy).toBe(true);
    expect(parseConfig({ TALLY_TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(parseConfig({ TALLY_TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    for (const good of ['10.0.0.1', '172.16.0.0/12, 192.168.0.0/16', '::1', 'fd00::/8,127.0.0.1/32'])
      expect(parseConfig({ TALLY_TRUST_PROXY: good }).trustProxy).toBe(good);
    for (const bad of ['abc', '2', '10.0.0.1,', '10.0.0.0/33', '10.0.0.0/0', 'fd00::/129', '10.0.0.0/8/8', '10.0.0.256', 'dead::beef::1'])
      expect(() => parseConfig({ TALLY_TRUST_PROXY: bad }), bad).toThrow(/TALLY_TRUST_PROXY/);
  });

  // Found by the operations review on 2026-12-08: the api then failed to start with "listen EADDRINUSE: address
  // already in use 127.0.0.1:3000", sending the operator to look for another process on a port that was free.
  it("refuses TALLY_ADMIN_PORT on the public listener's own port and address, naming it", () => {
    expect(() => parseConfig({ TALLY_ADMIN_PORT: '3000' })).toThrow(/TALLY_ADMIN_PORT.*PORT/);
    expect(() => parseConfig({ PORT: '8080', TALLY_ADMIN_PORT: '8080', HOST: '0.0.0.0' })).toThrow(/TALLY_ADMIN_PORT/);
    expect(() => parseConfig({ PORT: '8080', TALLY_ADMIN_PORT: '8080', TALLY_ADMIN_HOST: '::' })).toThrow(/TALLY_ADMIN_PORT/);
    // Another address, or the kernel's choice of port: no clash.
    expect(parseConfig({ PORT: '8080', TALLY_ADMIN_PORT: '8080', TALLY_ADMIN_HOST: '10.0.0.5' }).adminPort).toBe(8080);
    expect(parseConfig({ PORT: '0', TALLY_ADMIN_PORT: '0' }).adminPort).toBe(0);
  });
});
