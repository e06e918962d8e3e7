import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { tenantWebUrl, useAnsweringExecutor } from '../helpers/answering-executor.js';

// Every function URL is served on one host, the api's (`<base>/url/<id>/`), where Lambda gives each its own
// (`<id>.lambda-url.<region>.on.aws`). A cookie a function set with `Path=/` (or none: a URL's default path is
// `/url`) was sent by browsers to every other tenant's URL on that host, whose function reads it in
// `event.cookies`: tenant B's function got the session cookies of tenant A's users once they followed a link to
// B's URL. `Domain=` set it for the operator's parent domain, and `Clear-Site-Data` cleared the whole origin's
// cookies and storage (the console's key, other tenants' sessions). Found by review.
const t = useTestApp(new Date().toISOString());

/** What the fake executor answers for every invocation: the function's answer. */
let answer: unknown = null;
useAnsweringExecutor(
  () => t.app,
  () => JSON.stringify(answer),
);

async function functionUrl(): Promise<{ urlId: string; call: (path?: string) => Promise<{ headers: Record<string, unknown> }> }> {
  const urlId = await tenantWebUrl(t.app);
  return {
    urlId,
    call: async (path = '/') => {
      const res = await t.app.inject({ method: 'GET', url: `/url/${urlId}${path}` });
      expect(res.statusCode, res.body).toBe(200);
      return { headers: res.headers };
    },
  };
}

const setCookies = (headers: Record<string, unknown>) => {
  const v = headers['set-cookie'];
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
};

describe("a function URL's cookies", () => {
  it('are scoped to that URL: their path under /url/<id>, no domain', async () => {
    const { urlId, call } = await functionUrl();
    answer = {
      statusCode: 200,
      cookies: [
        'sid=s3cr3t; Path=/; HttpOnly; Secure; SameSite=Lax',
        'theme=dark',
        'cart=1; Domain=example.com; path=/shop; Max-Age=60',
        '__Secure-token=abc; Secure; Path=/',
      ],
      headers: { 'Set-Cookie': 'legacy=1; Path=/' },
      body: 'hi',
    };
    expect(setCookies((await call('/login')).headers)).toEqual([
      `sid=s3cr3t; HttpOnly; Secure; SameSite=Lax; Path=/url/${urlId}`,
      `theme=dark; Path=/url/${urlId}`,
      `cart=1; Max-Age=60; Path=/url/${urlId}/shop`,
      `__Secure-token=abc; Secure; Path=/url/${urlId}`,
      `legacy=1; Path=/url/${urlId}`,
    ]);
  });

  it('leave out what would reach past the URL: Clear-Site-Data', async () => {
    const { call } = await functionUrl();
    answer = { statusCode: 200, headers: { 'Clear-Site-Data': '"cookies", "storage"', 'X-Kept': 'yes' }, body: 'bye' };
    const { headers } = await call();
    expect(headers['clear-site-data']).toBeUndefined();
    expect(headers['x-kept']).toBe('yes');
  });
});
