import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export const loggerOptions = (level: string): LoggerOptions => ({
  level,
  // Keys and function payloads never reach the log.
  redact: { paths: ['req.headers.authorization', 'headers.authorization', 'key'], censor: '[redacted]' },
});

export function createLogger(level = 'info'): Logger {
  return pino(loggerOptions(level));
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
