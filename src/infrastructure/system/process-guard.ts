import type { Logger } from '../logging/logger.js';
import { defects } from './operational-metrics.js';

/**
 * The last line of defence of the entry point. A rejection nobody handled is a bug, but not a reason to
 * drop every other request: it is logged, counted (`daybook_defects_total`) and the process keeps
 * serving. An uncaught exception leaves the process in an unknown state: it is logged and counted, and
 * `fatal` stops the process with a non-zero code.
 */
export function guardProcess(logger: Logger, fatal: (reason: string) => void): void {
  process.on('unhandledRejection', (reason) => {
    defects.inc({ kind: 'unhandledRejection' });
    logger.error({ err: reason }, 'defect: unhandled promise rejection; still serving');
  });
  process.on('uncaughtException', (error, origin) => {
    defects.inc({ kind: 'uncaughtException' });
    logger.fatal({ err: error, origin }, 'defect: uncaught exception');
    fatal(`uncaught exception: ${error.message}`);
  });
}
