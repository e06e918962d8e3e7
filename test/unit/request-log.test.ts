import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RequestLog } from '../../src/lib/request-log.js';

describe('RequestLog', () => {
  it('writes one line per request, when it is answered, with its status and time', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const app = Fastify({ loggerInstance: logger, logController: new RequestLog() });
    app.post('/x', async () => ({ ok: true }));
    const res = await app.inject({ method: 'POST', url: '/x?a=1', payload: {} });
    expect(res.statusCode).toBe(200);
    const requestLines = lines.filter(
      (l) => (typeof l.msg === 'string' && (l.msg as string).startsWith('request')) || l.msg === 'incoming request',
    );
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({ msg: 'request completed', method: 'POST', url: '/x?a=1', statusCode: 200 });
    expect(typeof requestLines[0]!.responseTime).toBe('number');
    await app.close();
  });
});
