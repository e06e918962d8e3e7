import { describe, expect, it } from 'vitest';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';
import { useAnsweringExecutor } from '../helpers/answering-executor.js';
import { injectDeploy } from '../helpers/functions.js';

const t = useTestApp(new Date().toISOString());

/** The fake executor answers every invocation with the event it was handed. */
useAnsweringExecutor(() => t.app);

describe("a function URL's request body", () => {
  it('reaches the function whatever its Content-Type says, as sent, even one the api could not parse', async () => {
    // Found by review: a Content-Type without a subtype ("json", "text", empty) or a list was refused with
    // 415 UNSUPPORTED_MEDIA_TYPE before the function ran, where Lambda hands any body to the function.
    const a = await newTenant(t.app);
    await injectDeploy(t.app, a.accountKey, 'web');
    const r = await t.app.inject({
      method: 'PUT',
      url: '/v1/functions/web/url',
      headers: bearer(a.accountKey),
      payload: { authType: 'NONE' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const url = `/url/${r.json().urlId}/hook`;
    for (const contentType of ['json', '', 'application/json, text/plain', 'application/json; charset=utf-8']) {
      const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload: Buffer.from('{"a":1}') });
      expect(res.statusCode, `${contentType}: ${res.body}`).toBe(200);
      const e = res.json();
      expect(e.headers['content-type']).toBe(contentType);
      const body = e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString() : e.body;
      expect(body).toBe('{"a":1}');
    }
  });
});
