import type { Logger } from 'pino';

/**
 * On SIGTERM or SIGINT, runs the closers in order (stop taking work, finish what is running, then
 * close pools) once; a second signal, or a closer that hangs past the grace period, exits at once.
 */
export function onShutdown(logger: Logger, closers: (() => Promise<unknown>)[], graceMs = 25_000): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    for (const close of closers) {
      try {
        await close();
      } catch (error) {
        logger.error({ err: error }, 'error while shutting down');
      }
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
