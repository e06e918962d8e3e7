import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createOutboundHttp, type Resolver } from '../../src/lib/outbound-http.js';
import { bearer } from '../helpers/app.js';
import { burn, createBudget, payingTenant, startReceiver, useBudgetsApp } from '../helpers/budgets.js';

/** A stub DNS: each name answers what the test set last, so a name can change its answer between two lookups (rebinding). */
const dns = new Map<string, string[]>();
const lookups: string[] = [];
const resolver: Resolver = async (hostname) => {
  lookups.push(hostname);
  const addresses = dns.get(hostname);
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

// The default: no private webhooks. Only the resolver is a stub.
const t = useBudgetsApp('2026-11-20T12:00:00.000Z', { webhooks: { resolver } });
const earlier = () => new Date(t.clock.now().getTime() - 3600_000);

async function postBudget(key: string, webhookUrl: string) {
  return t.app.inject({ method: 'POST', url: '/v1/budgets', headers: bearer(key), payload: { amount: '1.00', webhookUrl } });
}

describe('webhook URLs at creation', () => {
  it.each([
    ['http://127.0.0.1/hook', /127\.0\.0\.1 is a loopback address/],
    ['http://[::1]:8080/hook', /::1 is a loopback address/],
    ['http://10.1.2.3/hook', /private address/],
    ['http://172.16.5.4/hook', /private address/],
    ['https://192.168.0.10/hook', /private address/],
    ['http://100.64.1.1/hook', /carrier-grade NAT/],
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://[fe80::1]/hook', /link-local/],
    ['http://[fd00:ec2::254]/hook', /unique-local/],
    ['http://0.0.0.0:3000/hook', /this network/],
    ['http://[::ffff:127.0.0.1]/hook', /loopback address.*inside an IPv6/],
    ['http://2130706433/hook', /127\.0\.0\.1 is a loopback/],
    ['http://224.0.0.1/hook', /multicast/],
    ['http://[ff02::1]/hook', /multicast/],
  ])('refuses %s with a 400 naming the reason', async (url, reason) => {
    const a = await payingTenant(t.app);
    const r = await postBudget(a.accountKey, url);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().error.code).toBe('VALIDATION_FAILED');
    expect(r.json().error.message).toMatch(/^webhookUrl: /);
    expect(r.json().error.message).toMatch(reason);
    expect(r.json().error.message).toMatch(/TALLY_ALLOW_PRIVATE_WEBHOOKS/);
  });

  it('refuses a host name that resolves to a private address (any of its addresses), on create and on update', async () => {
    dns.set('intranet.test', ['10.0.0.7']);
    dns.set('mixed.test', ['93.184.216.34', '127.0.0.1']);
    dns.set('public.test', ['93.184.216.34', '2606:2800:220:1::248']);
    const a = await payingTenant(t.app);
    const internal = await postBudget(a.accountKey, 'https://intranet.test/hook');
    expect(internal.statusCode).toBe(400);
    expect(internal.json().error.message).toMatch(/intranet\.test resolves to 10\.0\.0\.7, which is a private address/);
    const mixed = await postBudget(a.accountKey, 'https://mixed.test/hook');
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().error.message).toMatch(/mixed\.test resolves to 127\.0\.0\.1/);

    const ok = await postBudget(a.accountKey, 'https://public.test/hook');
    expect(ok.statusCode, ok.body).toBe(201);
    // a name that does not resolve yet is accepted: it is checked again at every send
    expect((await postBudget(a.accountKey, 'https://not-yet.test/hook')).statusCode).toBe(201);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/v1/budgets/${ok.json().id}`,
      headers: bearer(a.accountKey),
      payload: { webhookUrl: 'http://localhost.test:9/x' },
    });
    expect(patched.statusCode).toBe(200); // not refused: the name does not resolve yet
    dns.set('localhost.test', ['::1']);
    const refused = await t.app.inject({
      method: 'PATCH',
      url: `/v1/budgets/${ok.json().id}`,
      headers: bearer(a.accountKey),
      payload: { webhookUrl: 'http://localhost.test:9/x' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/localhost\.test resolves to ::1, which is a loopback address/);
  });
});

describe('webhook delivery', () => {
  it('checks the address again at send time: a name rebound to loopback after creation gets nothing sent', async () => {
    const receiver = await startReceiver();
    try {
      dns.set('rebind.test', ['93.184.216.34']);
      const a = await payingTenant(t.app);
      await createBudget(t.app, a.accountKey, { amount: '1.00', thresholds: [10], webhookUrl: `http://rebind.test:${receiver.port}/hook` });
      dns.set('rebind.test', ['127.0.0.1']); // the attacker's DNS now answers loopback
      await burn(t.app, a, 1, { at: earlier() });
      await t.services.budgets.evaluate([a.id], 'schedule');
      lookups.length = 0;
      expect(await t.services.alerts.deliverDue()).toMatchObject({ attempted: 1, delivered: 0 });
      expect(lookups).toContain('rebind.test');
      expect(receiver.received).toHaveLength(0);
      const alerts = (await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(a.accountKey) })).json().alerts;
      expect(alerts[0].delivery).toMatchObject({ status: 'pending' });
      expect(alerts[0].delivery.lastError).toMatch(/rebind\.test resolves to 127\.0\.0\.1, which is a loopback address/);
    } finally {
      await receiver.close();
    }
  });
});

describe('the guarded client', () => {
  it('connects to the address it checked, keeping the host name in the Host header', async () => {
    const receiver = await startReceiver();
    try {
      const resolveOnce: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
      const allowed = createOutboundHttp({ allowPrivate: true, resolver: resolveOnce });
      expect(await allowed.post(`http://hook.test:${receiver.port}/hook`, { 'content-type': 'application/json' }, '{}', 5_000)).toBe(200);
      expect(receiver.received[0]!.headers.host).toBe(`hook.test:${receiver.port}`);

      const guarded = createOutboundHttp({ resolver: resolveOnce });
      await expect(guarded.post(`http://hook.test:${receiver.port}/hook`, {}, '{}', 5_000)).rejects.toThrow(/loopback/);
      await expect(guarded.post(`http://[::ffff:127.0.0.1]:${receiver.port}/hook`, {}, '{}', 5_000)).rejects.toThrow(/loopback/);
      await expect(guarded.post(`http://127.0.0.1:${receiver.port}/hook`, {}, '{}', 5_000)).rejects.toThrow(/loopback/);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('does not follow redirects', async () => {
    const target = await startReceiver();
    const redirector = http.createServer((_req, res) => res.writeHead(302, { location: target.url }).end());
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const client = createOutboundHttp({ allowPrivate: true });
      const port = (redirector.address() as { port: number }).port;
      expect(await client.post(`http://127.0.0.1:${port}/hook`, {}, '{}', 5_000)).toBe(302);
      expect(target.received).toHaveLength(0);
    } finally {
      redirector.close();
      await target.close();
    }
  });
});
