import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

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
