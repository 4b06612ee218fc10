import type { RecordedEvent } from '../ports/event-store.port.js';
import { completeMoveJobFor } from './complete-move.js';
import { goalContributionJobFor } from './goal-contribution.js';
import { type Job, rebalanceJobFor } from './rebalance-on-overspend.js';

/** Every job a fact calls for: the reactions that follow `$all`. */
export function jobsFor(event: RecordedEvent): Job[] {
  return [rebalanceJobFor(event), completeMoveJobFor(event), goalContributionJobFor(event)].filter(
    (job): job is Job => job !== undefined,
  );
}
