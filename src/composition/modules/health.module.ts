import { ContainerModule } from 'inversify';
import type { HealthCheck } from '../../application/ports/health-check.port.js';
import type { ProjectionAdmin } from '../../application/ports/projection-admin.port.js';
import type { Resources } from '../resources.js';
import { TOKENS } from '../tokens.js';

/** What /health asks: each dependency, and how far the read models are behind the log. */
export const healthModule = ({ config, pool, redis, store, parking }: Resources) =>
  new ContainerModule(({ bind }) => {
    bind<HealthCheck[]>(TOKENS.HealthChecks).toDynamicValue((ctx) => {
      const admin = ctx.get<ProjectionAdmin>(TOKENS.Projections);
      const redisCheck: HealthCheck = {
        name: 'redis',
        required: true,
        check: async () => {
          await redis?.ping();
          return undefined;
        },
      };
      return [
        ...(redis ? [redisCheck] : []),
        {
          name: 'projections',
          check: async () => {
            const [status, parked] = await Promise.all([admin.status(), parking.counts()]);
            return {
              // Parked events leave read models incomplete, yet everything serves: degraded, not down.
              ...(Object.keys(parked).length > 0 ? { status: 'degraded' } : {}),
              parked,
              ...Object.fromEntries(
                status.map((p) => [
                  `${p.name}#${p.generation}`,
                  { status: p.status, position: p.position, lag: p.lag },
                ]),
              ),
            };
          },
        },
        {
          name: 'eventStore',
          required: true,
          check: async () => {
            await store.ping();
            return { adapter: store.name };
          },
        },
        {
          name: 'database',
          required: true,
          check: async () => {
            await pool.query('SELECT 1');
            return { embedded: config.DATABASE_URL === undefined };
          },
        },
      ];
    });
  });
