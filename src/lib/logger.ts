import { pino, type Logger, type LoggerOptions } from 'pino';
import { build as prettyStream, type MessageFormatFunc } from 'pino-pretty';

export type { Logger };

export type LogFormat = 'pretty' | 'json';

export const loggerOptions = (level: string): LoggerOptions => ({
  level,
  // Keys and function payloads never reach the log.
  redact: { paths: ['req.headers.authorization', 'headers.authorization', 'key'], censor: '[redacted]' },
});

/** Fields a human reading a terminal does not need on every line (they stay in JSON mode). */
const HIDDEN = 'pid,hostname,req,res,responseTime,reqId,module,job,process,method,url,statusCode';

/**
 * One short line per entry: `[module] message`, an answered request as `GET /v1/usage → 200 3.1 ms`
 * (the one line src/lib/request-log.ts writes per request), and the remaining fields (ids, counts)
 * after it on the same line.
 */
export const humanMessage: MessageFormatFunc = (log, messageKey) => {
  const scope = log.module ?? log.job;
  const prefix = typeof scope === 'string' ? `[${scope}] ` : '';
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  const id = typeof log.reqId === 'string' ? ` (${log.reqId.slice(0, 8)})` : '';
  if (typeof log.method === 'string' && typeof log.statusCode === 'number') {
    const ms = typeof log.responseTime === 'number' ? ` ${log.responseTime.toFixed(1)} ms` : '';
    return `${prefix}${log.method} ${String(log.url ?? '')} → ${log.statusCode}${ms}${id}`;
  }
  if (req?.method) return `${prefix}→ ${req.method} ${req.url ?? ''}${id}`;
  if (res?.statusCode !== undefined) {
    const ms = typeof log.responseTime === 'number' ? ` ${log.responseTime.toFixed(1)} ms` : '';
    return `${prefix}← ${res.statusCode}${ms}${id}`;
  }
  return `${prefix}${String(log[messageKey] ?? '')}`;
};

/**
 * pino's JSON lines, or (`pretty`) short human-readable lines, written synchronously to standard output, a line at
 * a time. pino's own default is an asynchronous writer: a line in flight in libuv's thread pool when the process
 * exits could come out after the lines written at exit (a CI run saw a fatal line before the line logged ahead of it)
 * or not at all (docs/performance.md, "The request log line").
 */
export function createLogger(level = 'info', format: LogFormat = 'json', destination?: NodeJS.WritableStream): Logger {
  if (format === 'json') return pino(loggerOptions(level), destination ?? pino.destination({ dest: 1, sync: true }));
  const stream = prettyStream({
    colorize: destination === undefined && process.stdout.isTTY === true,
    ...(destination ? { destination } : {}),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: HIDDEN,
    singleLine: true,
    messageFormat: humanMessage,
    sync: true,
  });
  return pino(loggerOptions(level), stream);
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
