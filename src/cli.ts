import pino from 'pino';
import { ConfigError, loadConfig } from './infrastructure/config/config.js';
import { buildRuntime } from './infrastructure/container.js';
import { createLogger } from './infrastructure/logging/logger.js';
import { runCli } from './interfaces/cli/cli.js';

/** Composition root of the CLI: the same runtime as the server, without HTTP or background workers. */
try {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, DAYBOOK_ROLES: 'api' });
  const runtime = await buildRuntime(config, createLogger(config.LOG_LEVEL, pino.destination(2)));
  // A rebuild is driven by whichever process holds the generation: this one, if no worker runs.
  if (process.argv[2] === 'projections' && process.argv[3] === 'rebuild') await runtime.projections.start();
  const code = await runCli(
    runtime.daybook,
    process.argv.slice(2),
    { log: (line) => console.log(line), error: (line) => console.error(line) },
    { backupKey: process.env.DAYBOOK_BACKUP_KEY },
  ).finally(async () => {
    await runtime.projections.stop();
    await runtime.shutdown();
  });
  process.exit(code);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
