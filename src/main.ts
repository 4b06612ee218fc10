import { ConfigError } from './infrastructure/config/config.js';
import { startDaybook } from './server.js';

try {
  const daybook = await startDaybook();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: shutting down`);
    await daybook.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Daybook failed to start:', error);
  }
  process.exit(1);
}
