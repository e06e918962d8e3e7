import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bearer, newTenant, useTestApp } from '../helpers/app.js';

const t = useTestApp(new Date().toISOString());
const MB = 1024 * 1024;

/** `bytes` of body, then a stream that stays open: the answer must not wait for the rest. */
function endless(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) return; // no more data, and no end
      const n = Math.min(MB, bytes - sent);
      sent += n;
      this.push(Buffer.alloc(n));
    },
  });
}

/** The answer, or null when none came within `ms`. */
async function within<T>(ms: number, answer: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

// A raw zip may be 50 MB; the route's body limit is an image archive's as JSON (about 341 MB), so a raw zip
// body was read whole into memory, up to that, before the zip limit refused it.
describe('a raw zip upload is refused at the zip limit as it arrives', () => {
  for (const [what, method, url] of [
    ['create', 'POST', '/v1/functions?name=big&runtime=nodejs'],
    ['code update', 'PUT', '/v1/functions/big/code'],
  ] as const) {
    it(`${what}: 413 CODE_TOO_LARGE once past 50 MB, without waiting for the rest of the body`, async () => {
      const a = await newTenant(t.app);
      const r = await within(
        10_000,
        t.app.inject({
          method,
          url,
          headers: { ...bearer(a.accountKey), 'content-type': 'application/zip' },
          payload: endless(51 * MB),
        }),
      );
      expect(r, 'no answer: the body was still being buffered').not.toBeNull();
      expect(r!.statusCode).toBe(413);
      expect(r!.json().error.code).toBe('CODE_TOO_LARGE');
    });
  }

  it('a Content-Length past the zip limit is refused before any of the body is read', async () => {
    const a = await newTenant(t.app);
    const r = await within(
      10_000,
      t.app.inject({
        method: 'POST',
        url: '/v1/functions?name=big&runtime=nodejs',
        headers: { ...bearer(a.accountKey), 'content-type': 'application/zip', 'content-length': String(100 * MB) },
        payload: endless(MB),
      }),
    );
    expect(r, 'no answer: the body was still being waited for').not.toBeNull();
    expect(r!.statusCode).toBe(413);
    expect(r!.json().error.code).toBe('CODE_TOO_LARGE');
  });
});
