import { Container } from 'inversify';
import type { Daybook } from '../application/daybook.js';
import type { RateLimiter } from '../application/ports/rate-limiter.port.js';
import type { Config } from '../infrastructure/config/config.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { migrate } from '../infrastructure/postgres/migrate.js';
import type { ProjectionRunner } from '../infrastructure/projections/projection-runner.js';
import type { ReactionRunner } from '../infrastructure/reactions/reaction-runner.js';
import { authModule } from './modules/auth.module.js';
import { daybookModule } from './modules/daybook.module.js';
import { eventStoreModule } from './modules/event-store.module.js';
import { healthModule } from './modules/health.module.js';
import { httpModule } from './modules/http.module.js';
import { jobsModule } from './modules/jobs.module.js';
import { languageModelModule } from './modules/language-model.module.js';
import { readModelsModule } from './modules/read-models.module.js';
import { systemModule } from './modules/system.module.js';
import { type Closers, openDatabase, openResources, type Resources } from './resources.js';
import { TOKENS } from './tokens.js';

export interface Runtime {
  readonly container: Container;
  readonly daybook: Daybook;
  readonly projections: ProjectionRunner;
  readonly rateLimiter: RateLimiter;
  shutdown(): Promise<void>;
}

/** One container module per adapter group; which adapter each binds is read from the resources' config. */
export const containerFor = (resources: Resources): Container => {
  const container = new Container();
  container.load(
    systemModule(resources),
    eventStoreModule(resources),
    authModule(resources),
    httpModule(resources),
    readModelsModule(resources),
    jobsModule(resources),
    languageModelModule(resources),
    healthModule(resources),
    daybookModule(resources),
  );
  return container;
};

/**
 * The composition root: opens what has a lifecycle, builds the container, resolves the use cases at the
 * top, and starts the roles this process plays. Nothing below knows which adapter it got.
 */
export async function buildRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const closers: Closers = [];
  const shutdown = async () => {
    for (const close of closers.reverse())
      await close().catch((error) => logger.error({ err: error }, 'shutdown step failed'));
  };
  try {
    const container = containerFor(await openResources(config, logger, closers));
    const daybook = container.get<Daybook>(TOKENS.Daybook);
    const projections = container.get<ProjectionRunner>(TOKENS.Projections);
    // Every role needs the read models' views to exist before it serves a query.
    await projections.ensureGenerations();
    if (config.DAYBOOK_ROLES.includes('worker')) {
      const reactions = container.get<ReactionRunner>(TOKENS.Reactions);
      reactions.start();
      closers.push(() => reactions.stop());
      await projections.start();
      closers.push(() => projections.stop());
      await daybook.startWorkers();
      logger.info('worker role: reactions and jobs running');
    }
    const rateLimiter = container.get<RateLimiter>(TOKENS.RateLimiter);
    return { container, daybook, projections, rateLimiter, shutdown };
  } catch (error) {
    await shutdown();
    throw error;
  }
}

/** `daybook migrate`: the migrations alone, before a rollout, without starting queues or projections. */
export async function migrateDatabase(config: Config, logger: Logger): Promise<string[]> {
  const closers: Closers = [];
  try {
    return await migrate(await openDatabase(config, logger, closers, 2));
  } finally {
    for (const close of closers.reverse()) await close();
  }
}
