import type { Config } from '../config.js';
import type { LogFormat, Logger } from './logger.js';

/** `auto` is pretty on a terminal and JSON lines anywhere else (a file, a pipe, a container's log). */
export function resolveLogFormat(format: Config['logFormat'], isTty: boolean): LogFormat {
  if (format === 'auto') return isTty ? 'pretty' : 'json';
  return format;
}

const urlOf = (host: string, port: number) => {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
};

/** Where a database URL points, without its credentials. */
function databaseWhere(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/**
 * The first lines of `npm start`: where the console, the API docs and the data folder are. `port` is
 * the one listened on (the configured one, or the one the system gave for PORT=0).
 */
export function printWhere(
  config: Pick<Config, 'host' | 'adminHost' | 'adminPort' | 'dataDir' | 'databaseUrl'>,
  log: Logger,
  port: number,
): void {
  const base = urlOf(config.host, port);
  const docs = config.adminPort === null ? `${base}/docs` : `${urlOf(config.adminHost, config.adminPort)}/docs`;
  const database = config.databaseUrl === null ? 'embedded Postgres in pg/' : `database ${databaseWhere(config.databaseUrl)}`;
  log.info(`console   ${base}/console`);
  log.info(`API docs  ${docs}`);
  log.info(`data      ${config.dataDir} (${database})`);
}
