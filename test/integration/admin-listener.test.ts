import type http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminServer } from '../../src/lib/admin-listener.js';
import { ADMIN_KEY, useTestApp } from '../helpers/app.js';

// TALLY_ADMIN_PORT: /metrics and /docs only on the admin listener, which serves nothing else but health.
// Requests are written on a raw socket, byte for byte as a client may send them (fetch would tidy the path).
const t = useTestApp('2026-11-15T12:00:00.000Z', { adminListener: true });
let publicPort = 0;
let adminPort = 0;
let adminServer: http.Server;

beforeAll(async () => {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  publicPort = (t.app.server.address() as net.AddressInfo).port;
  adminServer = createAdminServer(t.app.routing);
  await new Promise<void>((resolve) => adminServer.listen(0, '127.0.0.1', resolve));
  adminPort = (adminServer.address() as net.AddressInfo).port;
});
afterAll(() => {
  adminServer?.close();
  adminServer?.closeAllConnections();
});

/** The status and body of one request whose request target is sent exactly as given. */
function raw(port: number, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const lines = Object.entries({ host: 'tally.test', connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
      socket.write(`GET ${target} HTTP/1.1\r\n${lines.join('')}\r\n`);
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      text += d;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}

describe('the admin listener (TALLY_ADMIN_PORT)', () => {
  it('keeps /metrics and /docs off the public listener, however the path is spelled', async () => {
    // Each of these reaches the metrics or docs route: percent-encoded letters (the router decodes them),
    // a fragment (the router drops it), and the absolute form of a request target (RFC 9112, 3.2.2).
    const spellings = [
      '/metrics',
      '/%6detrics',
      '/%6Detrics',
      '/metrics#x',
      'http://tally.test/metrics',
      '/docs/json',
      '/%64ocs/json',
      '/docs/json#',
      'http://tally.test/docs/json',
      '/docs/static/index.html',
      '/%64ocs/static/index.html',
    ];
    for (const target of spellings) {
      const r = await raw(publicPort, target);
      expect(r.status, `${target}: ${r.body.slice(0, 80)}`).toBe(404);
      expect(r.body, target).not.toMatch(/tally_http_request_seconds|"openapi"|swagger/i);
    }
    // The admin listener serves them, whichever spelling.
    expect((await raw(adminPort, '/metrics')).body).toMatch(/tally_http_request_seconds/);
    expect((await raw(adminPort, '/%6detrics')).body).toMatch(/tally_http_request_seconds/);
    expect((await raw(adminPort, '/docs/json')).body).toMatch(/"openapi"/);
    expect((await raw(adminPort, '/docs/static/index.html')).status).toBe(302); // to the page, /docs/
  });

  it('serves no API route on the admin listener, however the path is spelled', async () => {
    const headers = { authorization: `Bearer ${ADMIN_KEY}` };
    expect((await raw(publicPort, '/v1/accounts', headers)).status).toBe(200);
    for (const target of ['/v1/accounts', '/%761/accounts', '/v1/accounts#', 'http://tally.test/v1/accounts', '/healthz/../v1/accounts']) {
      const r = await raw(adminPort, target, headers);
      expect(r.status, `${target}: ${r.body.slice(0, 80)}`).toBe(404);
      expect(r.body, target).not.toContain('"accounts"');
    }
    expect((await raw(adminPort, '/healthz')).status).toBe(200);
    expect((await raw(adminPort, '/readyz')).status).toBe(200);
  });
});
