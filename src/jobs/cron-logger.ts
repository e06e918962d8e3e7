import type { Logger } from '../lib/logger.js';

/** node-cron logs to stderr by default; its notices go to the job's structured log instead. */
export function cronLogger(log: Logger) {
  return {
    info: (m: string) => log.debug(m),
    warn: (m: string) => log.warn(m),
    error: (m: string | Error, err?: Error) => log.error({ err: err ?? m }, 'scheduler error'),
    debug: (m: string | Error) => log.debug({ m }, 'scheduler'),
  };
}
