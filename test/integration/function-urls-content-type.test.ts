import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { tenantWebUrl, useAnsweringExecutor } from '../helpers/answering-executor.js';

const t = useTestApp(new Date().toISOString());

/** The fake executor answers every invocation with the event it was handed. */
useAnsweringExecutor(() => t.app);

describe("a function URL's request body", () => {
  it('reaches the function whatever its Content-Type says, as sent, even one the api could not parse', async () => {
    // Found by review: a Content-Type without a subtype ("json", "text", empty) or a list was refused with
    // 415 UNSUPPORTED_MEDIA_TYPE before the function ran, where Lambda hands any body to the function.
    const url = `/url/${await tenantWebUrl(t.app)}/hook`;
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
