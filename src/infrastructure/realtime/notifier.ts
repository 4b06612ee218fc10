import type { Redis } from 'ioredis';
import type { Notifier } from '../../application/ports/notifier.port.js';
import type { Logger } from '../logging/logger.js';
import { InProcessNotifier } from './in-process-notifier.js';
import { RedisNotifier } from './redis-notifier.js';

/**
 * Redis pub/sub when the process has a Redis connection (`REDIS_URL`: any number of instances), in
 * process otherwise (one instance serves both roles).
 */
export function createNotifier(redis: Redis | undefined, logger: Logger): Notifier {
  return redis ? new RedisNotifier(redis, logger) : new InProcessNotifier(logger);
}
