import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { ExecutorConfigError, parseExecutorConfig, type ExecutorOptions } from './config.js';
import { startExecutor, type Executor, type StartOptions } from './executor.js';

export { startExecutor, parseExecutorConfig, type Executor, type ExecutorOptions, type StartOptions };

/**
 * The executor process: `node --import tsx executor/main.ts` (npm run executor). Configuration
 * from the environment (TALLY_API_URL, TALLY_EXECUTOR_KEY, PORT, HOST, TALLY_EXECUTOR_DIR, ...);
 * SIGTERM or SIGINT stops it gracefully within TALLY_EXECUTOR_SHUTDOWN_TIMEOUT_S.
 */
async function main(): Promise<void> {
  let options: ExecutorOptions;
  try {
    options = parseExecutorConfig(process.env);
  } catch (err) {
    if (err instanceof ExecutorConfigError) {
      console.error(`tally executor: bad configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const logger = pino({ level: options.logLevel, base: { process: 'executor' }, redact: ['key', 'token'] });
  const executor = await startExecutor({ ...options, logger });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown overran its deadline; exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs + 10_000);
    force.unref();
    executor.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error('tally executor: failed to start:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
