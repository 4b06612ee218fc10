import { ContainerModule } from 'inversify';
import type { UserDirectory } from '../../application/ports/user-directory.port.js';
import { PostgresUserDirectory } from '../../infrastructure/reactions/postgres-user-directory.js';
import { ReactionRunner } from '../../infrastructure/reactions/reaction-runner.js';
import type { Resources } from '../resources.js';
import { TOKENS } from '../tokens.js';

/** Reactions to the log (jobs keyed by event id) and the directory the scheduled jobs walk. */
export const jobsModule = ({ pool, rawStore, jobs, logger, parking }: Resources) =>
  new ContainerModule(({ bind }) => {
    // Built in every role so that its parked events can be retried; it runs in the worker role only.
    bind(TOKENS.Reactions).toConstantValue(new ReactionRunner(pool, rawStore, jobs, logger, parking));
    bind<UserDirectory>(TOKENS.Directory).toConstantValue(new PostgresUserDirectory(pool));
  });
