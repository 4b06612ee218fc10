import { ConfigError, loadConfig } from './infrastructure/config/config.js';
import { createLogger } from './infrastructure/logging/logger.js';
import { guardProcess } from './infrastructure/system/process-guard.js';
import { startDaybook } from './server.js';

// A shutdown that hangs (a dependency that never answers) must not keep a dying process around.
const STOP_DEADLINE_MS = 10_000;

try {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  // Signals are ours from the first instant: one during start-up waits for the start to finish, then
  // stops what it opened (the embedded PostgreSQL above all) instead of dying with it still running.
  const starting = startDaybook(process.env, logger);
  let stopping = false;
  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger[code === 0 ? 'info' : 'fatal']({ reason, exitCode: code }, 'shutting down');
    setTimeout(() => {
      logger.error({ deadlineMs: STOP_DEADLINE_MS }, 'shutdown did not finish in time: forcing exit');
      process.exit(code === 0 ? 1 : code);
    }, STOP_DEADLINE_MS);
    try {
      await (await starting).stop();
      logger.info('stopped');
    } catch (error) {
      logger.error({ err: error }, 'stop failed');
      code = code === 0 ? 1 : code;
    }
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal, 0));
  guardProcess(logger, (reason) => void stop(reason, 1));
  await starting;
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Daybook failed to start:', error);
  }
  process.exit(1);
}
