import { ContainerModule } from 'inversify';
import type { Clock } from '../../application/ports/clock.port.js';
import type { IdGenerator } from '../../application/ports/id-generator.port.js';
import type { JobQueue } from '../../application/ports/job-queue.port.js';
import type { Notifier } from '../../application/ports/notifier.port.js';
import type { WritePositions } from '../../application/ports/write-positions.port.js';
import { InProcessWritePositions } from '../../infrastructure/consistency/in-process-write-positions.js';
import { RedisWritePositions } from '../../infrastructure/consistency/redis-write-positions.js';
import { randomIds, systemClock } from '../../infrastructure/system/system-clock.js';
import type { Resources } from '../resources.js';
import { TOKENS } from '../tokens.js';

/** The opened resources as they are, time and ids, and the cross-instance state (Redis or in process). */
export const systemModule = (r: Resources) =>
  new ContainerModule(({ bind }) => {
    bind(TOKENS.Config).toConstantValue(r.config);
    bind(TOKENS.Logger).toConstantValue(r.logger);
    bind(TOKENS.Pool).toConstantValue(r.pool);
    if (r.redis) bind(TOKENS.Redis).toConstantValue(r.redis);
    bind<Clock>(TOKENS.Clock).toConstantValue(systemClock);
    bind<IdGenerator>(TOKENS.Ids).toConstantValue(randomIds);
    bind<JobQueue>(TOKENS.Jobs).toConstantValue(r.jobs);
    bind<Notifier>(TOKENS.Notifier).toConstantValue(r.notifier);
    // In Redis with REDIS_URL, so a write on one instance is awaited by a read on any other.
    bind<WritePositions>(TOKENS.WritePositions).toConstantValue(
      r.redis ? new RedisWritePositions(r.redis, r.logger) : new InProcessWritePositions(),
    );
  });
