import { ContainerModule } from 'inversify';
import type { IdempotencyStore } from '../../application/ports/idempotency-store.port.js';
import type { ImportTaskStore } from '../../application/ports/import-task-store.port.js';
import type { RateLimiter } from '../../application/ports/rate-limiter.port.js';
import { FlexibleRateLimiter } from '../../infrastructure/http/flexible-rate-limiter.js';
import { PostgresIdempotencyStore } from '../../infrastructure/http/postgres-idempotency-store.js';
import { PostgresImportTaskStore } from '../../infrastructure/imports/postgres-import-task-store.js';
import type { Resources } from '../resources.js';
import { TOKENS } from '../tokens.js';

/** What the REST API keeps between requests: rate limits, idempotency keys, import tasks. */
export const httpModule = ({ config, pool, redis }: Resources) =>
  new ContainerModule(({ bind }) => {
    bind<RateLimiter>(TOKENS.RateLimiter).toConstantValue(
      new FlexibleRateLimiter(
        {
          anonymous: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
          standard: config.RATE_LIMIT_PER_MINUTE,
          premium: config.RATE_LIMIT_PREMIUM_PER_MINUTE,
        },
        redis,
      ),
    );
    bind<IdempotencyStore>(TOKENS.IdempotencyStore).toConstantValue(new PostgresIdempotencyStore(pool));
    bind<ImportTaskStore>(TOKENS.ImportTaskStore).toConstantValue(new PostgresImportTaskStore(pool));
  });
