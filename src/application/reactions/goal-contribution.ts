import { parseGoalStream } from '../../domain/goal/goal-stream.js';
import type { JsonObject, RecordedEvent } from '../ports/event-store.port.js';
import type { Job } from './rebalance-on-overspend.js';

/**
 * The durable half of a contribution: every GoalContributed becomes one `goal-contribution` job, keyed
 * by the event's id, that records the contribution's expense in its month (a no-op when the request
 * already did: the expense's id is derived from the contribution).
 */
export function goalContributionJobFor(event: RecordedEvent): Job | undefined {
  if (event.type !== 'GoalContributed') return undefined;
  const goalId = parseGoalStream(event.streamName);
  if (!goalId) return undefined;
  return {
    queue: 'goal-contribution',
    key: event.id,
    payload: {
      goalId,
      contributionId: String(event.data.contributionId),
      causedBy: event.id,
      correlationId: event.metadata.correlationId,
    },
  };
}

export interface GoalContributionJob {
  readonly goalId: string;
  readonly contributionId: string;
  readonly causedBy: string;
  readonly correlationId: string;
}

export function parseGoalContributionJob(payload: JsonObject): GoalContributionJob {
  const { goalId, contributionId, causedBy, correlationId } = payload;
  if ([goalId, contributionId, causedBy, correlationId].some((v) => typeof v !== 'string')) {
    throw new Error(`Malformed goal-contribution job: ${JSON.stringify(payload).slice(0, 200)}`);
  }
  return payload as unknown as GoalContributionJob;
}
