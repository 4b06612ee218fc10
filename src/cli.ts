import pino from 'pino';
import { buildRuntime, migrateDatabase } from './composition/runtime.js';
import { ConfigError, loadConfig } from './infrastructure/config/config.js';
import { createLogger } from './infrastructure/logging/logger.js';
import { runCli, triage, USAGE } from './interfaces/cli/cli.js';

/**
 * Composition root of the CLI: the same runtime as the server, without HTTP or background workers.
 * Results go to stdout; usage errors, failures and logs to stderr, with a non-zero exit code.
 */
const argv = process.argv.slice(2);
try {
  const todo = triage(argv);
  if (todo !== 'run') {
    // Nothing to connect to for these: answered at once.
    (todo === 'help' ? console.log : console.error)(USAGE);
    process.exit(todo === 'help' ? 0 : 2);
  }
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, DAYBOOK_ROLES: 'api' });
  const logger = createLogger(config.LOG_LEVEL, pino.destination(2));
  if (argv[0] === 'migrate') {
    const applied = await migrateDatabase(config, logger);
    console.log(applied.length === 0 ? 'database up to date' : `applied ${applied.join(', ')}`);
    process.exit(0);
  }
  const runtime = await buildRuntime(config, logger);
  // A rebuild is driven by whichever process holds the generation: this one, if no worker runs.
  if (argv[0] === 'projections' && argv[1] === 'rebuild') await runtime.projections.start();
  const code = await runCli(
    runtime.daybook,
    argv,
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
