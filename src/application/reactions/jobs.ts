import type { RecordedEvent } from '../ports/event-store.port.js';
import { completeMoveJobFor } from './complete-move.js';
import { goalContributionJobFor } from './goal-contribution.js';
import { type Job, rebalanceJobFor } from './rebalance-on-overspend.js';
import { notifyJobFor, receiptJobFor } from './receipt-jobs.js';

/** Every job a fact calls for: the reactions that follow `$all`. */
export function jobsFor(event: RecordedEvent): Job[] {
  return [
    rebalanceJobFor(event),
    completeMoveJobFor(event),
    receiptJobFor(event),
    notifyJobFor(event),
    goalContributionJobFor(event),
  ].filter((job): job is Job => job !== undefined);
}
