import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { printWhere, resolveLogFormat } from '../../src/lib/start-banner.js';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('terminal logs', () => {
  it('picks pretty on a terminal and JSON elsewhere, unless LOG_FORMAT says; a bad value names the variable', () => {
    expect(resolveLogFormat(parseConfig({}).logFormat, true)).toBe('pretty');
    expect(resolveLogFormat(parseConfig({}).logFormat, false)).toBe('json');
    expect(resolveLogFormat(parseConfig({ LOG_FORMAT: 'json' }).logFormat, true)).toBe('json');
    expect(resolveLogFormat(parseConfig({ LOG_FORMAT: 'pretty' }).logFormat, false)).toBe('pretty');
    expect(() => parseConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it('pretty: one short line per entry, requests as method and path then status and time; JSON stays JSON', () => {
    const out = capture();
    const log = createLogger('info', 'pretty', out.stream);
    log.child({ module: 'usage' }).info({ accepted: 3 }, 'batch stored');
    log.info({ reqId: 'abcdef0123456789', req: { method: 'GET', url: '/v1/usage' } }, 'incoming request');
    log.info({ reqId: 'abcdef0123456789', res: { statusCode: 200 }, responseTime: 3.125 }, 'request completed');
    // The api's own request log (src/lib/request-log.ts): one line per answered request.
    log.info({ reqId: 'abcdef0123456789', method: 'POST', url: '/v1/usage', statusCode: 202, responseTime: 1.25 }, 'request completed');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[usage\] batch stored \{"accepted":3\}$/);
    expect(lines[1]).toMatch(/INFO: → GET \/v1\/usage \(abcdef01\)$/);
    expect(lines[2]).toMatch(/INFO: ← 200 3\.1 ms \(abcdef01\)$/);
    expect(lines[3]).toMatch(/INFO: POST \/v1\/usage → 202 1\.3 ms \(abcdef01\)$/);
    for (const line of lines) expect(line).not.toMatch(/hostname|"pid"/);

    const json = capture();
    createLogger('info', 'json', json.stream).info({ accepted: 3 }, 'batch stored');
    expect(JSON.parse(json.text())).toMatchObject({ level: 30, msg: 'batch stored', accepted: 3 });
  });

  it('says first where the console, the API docs and the data folder are, never a database password', () => {
    const out = capture();
    const log = createLogger('info', 'pretty', out.stream);
    printWhere({ host: '0.0.0.0', adminHost: '127.0.0.1', adminPort: null, dataDir: '/srv/tally', databaseUrl: null }, log, 3000);
    printWhere(
      {
        host: '127.0.0.1',
        adminHost: '127.0.0.1',
        adminPort: 9100,
        dataDir: '/srv/tally',
        databaseUrl: 'postgres://u:secret@db:5432/tally',
      },
      log,
      3000,
    );
    const text = out.text();
    expect(text).toContain('console   http://127.0.0.1:3000/console');
    expect(text).toContain('API docs  http://127.0.0.1:3000/docs');
    expect(text).toContain('data      /srv/tally (embedded Postgres in pg/)');
    expect(text).toContain('API docs  http://127.0.0.1:9100/docs');
    expect(text).toContain('data      /srv/tally (database db:5432/tally)');
    expect(text).not.toContain('secret');
  });
});
