import { ConfigError, loadConfig } from './infrastructure/config/config.js';
import { createLogger } from './infrastructure/logging/logger.js';
import { guardProcess } from './infrastructure/system/process-guard.js';
import { type RunningDaybook, startDaybook } from './server.js';

// A shutdown that hangs (a dependency that never answers) must not keep a dying process around.
const STOP_DEADLINE_MS = 10_000;

try {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  let daybook: RunningDaybook | undefined;
  let stopping = false;
  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger[code === 0 ? 'info' : 'fatal']({ reason, exitCode: code }, 'shutting down');
    const deadline = new Promise((resolve) => setTimeout(resolve, STOP_DEADLINE_MS).unref());
    await Promise.race([
      daybook?.stop().catch((error) => logger.error({ err: error }, 'stop failed')),
      deadline,
    ]);
    process.exit(code);
  };
  guardProcess(logger, (reason) => void stop(reason, 1));
  daybook = await startDaybook(process.env, logger);
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Daybook failed to start:', error);
  }
  process.exit(1);
}
