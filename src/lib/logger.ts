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

/** Bytes of JSON lines held while standard output does not keep up; beyond them lines are dropped, not waited for. */
export const MAX_PENDING_LOG_BYTES = 16 * 1024 * 1024;

/** Bytes of JSON lines gathered before they are written to standard output (or every LOG_FLUSH_MS, whichever first). */
export const LOG_BATCH_BYTES = 4096;
/** The longest a JSON line waits in memory on a quiet server. */
export const LOG_FLUSH_MS = 200;

/**
 * Standard output for JSON lines, gathered: one write (through libuv's thread pool, off the api's thread) per 4 KB
 * of lines or per 200 ms, not a synchronous write per line. At Tally's default level every answered request logs
 * one line, and a write per line cost about 8 % of an invocation's CPU under load. pino writes what is still held
 * when the process exits (also on `process.exit` and on an uncaught error); a process killed outright (SIGKILL)
 * loses the lines of the last 200 ms at most. A reader that stops reading costs memory up to MAX_PENDING_LOG_BYTES,
 * then dropped lines, never a stalled api. docs/performance.md, "The request log line".
 */
export const stdoutLines = () =>
  pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS, maxLength: MAX_PENDING_LOG_BYTES });

/** pino's JSON lines (to standard output, see stdoutLines), or (`pretty`) short human-readable lines written synchronously. */
export function createLogger(level = 'info', format: LogFormat = 'json', destination?: NodeJS.WritableStream): Logger {
  if (format === 'json') return pino(loggerOptions(level), destination ?? stdoutLines());
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
