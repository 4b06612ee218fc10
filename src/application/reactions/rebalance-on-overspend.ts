import { budgetStreamOwner } from '../../domain/budget-month/stream-name.js';
import type { Category } from '../../domain/shared/category.js';
import type { LocalDate } from '../../domain/shared/local-date.js';
import type { JsonObject, RecordedEvent } from '../ports/event-store.port.js';
import type { QueueName } from '../ports/job-queue.port.js';

export interface Job {
  readonly queue: QueueName;
  readonly key: string;
  readonly payload: JsonObject;
}

/**
 * The redistribution policy: every OverspendDetected becomes one `rebalance` job, keyed by the event's
 * id so that replaying the log enqueues nothing twice.
 */
export function rebalanceJobFor(event: RecordedEvent): Job | undefined {
  if (event.type !== 'OverspendDetected') return undefined;
  const owner = budgetStreamOwner(event.streamName);
  if (!owner) return undefined;
  return {
    queue: 'rebalance',
    key: event.id,
    payload: {
      userId: owner.userId,
      day: String(event.data.day),
      category: String(event.data.category),
      causedBy: event.id,
      correlationId: event.metadata.correlationId,
    },
  };
}

export interface RebalanceJob {
  readonly userId: string;
  readonly day: LocalDate;
  readonly category: Category;
  readonly causedBy: string;
  readonly correlationId: string;
}

export function parseRebalanceJob(payload: JsonObject): RebalanceJob {
  const { userId, day, category, causedBy, correlationId } = payload;
  if ([userId, day, category, causedBy, correlationId].some((v) => typeof v !== 'string')) {
    throw new Error(`Malformed rebalance job: ${JSON.stringify(payload).slice(0, 200)}`);
  }
  return payload as unknown as RebalanceJob;
}
