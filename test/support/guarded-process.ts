// A process with the entry point's guard that then commits the defect named by argv[2]:
// `reject` (a promise nobody handles) or `throw` (an exception nobody catches).
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { guardProcess } from '../../src/infrastructure/system/process-guard.js';

const logger = createLogger('info');
guardProcess(logger, () => process.exit(1));
if (process.argv[2] === 'reject') void Promise.reject(new Error('forgotten rejection'));
else
  setTimeout(() => {
    throw new Error('uncaught boom');
  }, 10);
setTimeout(() => {
  logger.info('still serving');
  process.exit(0);
}, 300);
