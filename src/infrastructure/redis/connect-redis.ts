import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { dependencyErrors } from '../system/operational-metrics.js';

/**
 * One Redis connection for the process's shared-state roles; start-up fails clearly when it is unreachable.
 * Later outages never make a request wait: while disconnected a command fails at once (no offline
 * queue, no retry), a hung server is given 500 ms, and ioredis reconnects in the background (back-off up
 * to 2 s). Each use decides what a failure means (README, "When a dependency goes away").
 */
export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
  });
  let down = false;
  redis.on('error', (error) => {
    dependencyErrors.inc({ dependency: 'redis' });
    // ioredis reports every failed reconnect: log the outage once.
    if (!down) logger.warn({ err: error }, 'Redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('Redis connection back');
    down = false;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`REDIS_URL: cannot connect (${(error as Error).message})`, { cause: error });
  }
  return redis;
}
