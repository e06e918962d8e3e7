import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

// docker-compose.yml puts nginx (deploy/nginx.conf) in front of the api replicas; what the api sees of a client's
// request is what nginx forwards. Found by the operations review on 2026-12-08.

const nginx = readFileSync(path.join(__dirname, '../../deploy/nginx.conf'), 'utf8');

/** The `proxy_set_header` directives of the location that proxies to the api, by header name (lower case). */
function forwardedHeaders(): Map<string, string> {
  const location = /location \/ \{([\s\S]*?)\n {4}\}/.exec(nginx)?.[1] ?? '';
  expect(location).toMatch(/proxy_pass http:\/\/tally_api;/);
  const set = new Map<string, string>();
  for (const m of location.matchAll(/^\s*proxy_set_header\s+(\S+)\s+(.*?);/gm)) set.set(m[1]!.toLowerCase(), m[2]!);
  return set;
}

describe('deploy/nginx.conf: the Host the api sees', () => {
  it("forwards the client's own Host, port included (nginx's default is the upstream's name, tally_api)", () => {
    // The AWS SDK and CLI sign the Host header they send (SigV4), `localhost:3000` say; the api recomputes the
    // signature over the Host it receives. With nginx's default every Lambda API call through docker-compose
    // failed with InvalidSignatureException, and function URLs were answered as http://tally_api/url/<id>/.
    // `$http_host` is the header as the client sent it; `$host` would drop its port, which the SDK signs.
    expect(forwardedHeaders().get('host')).toBe('$http_host');
  });
});

describe("docker-compose.yml: the client's address behind nginx", () => {
  const compose = readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8');
  const api = /\n {2}api:\n([\s\S]*?)\n {2}[a-z][\w-]*:\n/.exec(compose)?.[1] ?? '';

  it('is what the rate limits count, per client, not one address for everyone (nginx)', async () => {
    // Without it every request reached the api from nginx's address: the 120 expensive calls a minute per
    // address (function creates, usage, logs, invoices) were shared by every client of the deployment, and
    // anyone's 30 failed authentications a minute refused every key the replica had not verified lately.
    // nginx overwrites X-Forwarded-For (a client's own would otherwise be believed) and X-Forwarded-Host.
    const headers = forwardedHeaders();
    expect(headers.get('x-forwarded-for')).toBe('$remote_addr');
    expect(headers.get('x-forwarded-host')).toBe('$http_host');
    expect(headers.get('x-forwarded-proto')).toBe('$scheme');

    const value = /TALLY_TRUST_PROXY: (.*)/.exec(api)?.[1]?.trim() ?? '';
    const { trustProxy } = parseConfig({ TALLY_TRUST_PROXY: value });
    expect(trustProxy).not.toBe(false);
    // nginx's address on the compose network is Docker's to choose: 172.17-31.x.x, 192.168.x.x, or 10.x.x.x.
    const app = Fastify({ trustProxy });
    app.get('/ip', async (req) => ({ ip: req.ip, host: req.host }));
    for (const nginxAddress of ['172.18.0.5', '192.168.16.3', '10.200.0.4']) {
      const res = await app.inject({
        url: '/ip',
        remoteAddress: nginxAddress,
        headers: { host: 'localhost:3000', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-host': 'localhost:3000' },
      });
      expect(res.json(), nginxAddress).toEqual({ ip: '203.0.113.7', host: 'localhost:3000' });
    }
    await app.close();
  });
});

describe('deploy/nginx.conf: the api replicas it sends to', () => {
  it('looks up the api service again as Docker changes it, instead of once at its own start', () => {
    // Without `resolve` (and the shared zone it needs) nginx resolved `api` once, when it started: api containers
    // recreated by `docker compose up -d` after a new build, or added with `--scale api=3`, came back on addresses it
    // did not know, and it went on sending to the old ones (502s) or never to the new ones. `resolver` alone does not
    // apply to an upstream's servers. Open-source nginx has `resolve` there since 1.27.3.
    const upstream = /upstream tally_api \{([\s\S]*?)\}/.exec(nginx)?.[1] ?? '';
    expect(upstream).toMatch(/^\s*zone \S+ \d+[km];/m);
    expect(upstream).toMatch(/^\s*server api:3000 resolve;/m);
    expect(nginx).toMatch(/^\s*resolver 127\.0\.0\.11 valid=\d+s;/m);
    const compose = readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8');
    const [major = 0, minor = 0] = (/image: nginx:(\d+)\.(\d+)/.exec(compose) ?? []).slice(1).map(Number);
    expect(major > 1 || minor >= 28, `nginx ${major}.${minor}`).toBe(true);
  });
});
