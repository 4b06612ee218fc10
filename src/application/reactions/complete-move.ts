import { budgetStreamOwner } from '../../domain/budget-month/stream-name.js';
import type { JsonObject, RecordedEvent } from '../ports/event-store.port.js';
import type { Job } from './rebalance-on-overspend.js';

/**
 * The durable half of a move between months: every ExpenseVoided that carries `movedTo` becomes one
 * `complete-move` job, keyed by the void's event id, that records the expense in its new month (a no-op
 * when the request already did).
 */
export function completeMoveJobFor(event: RecordedEvent): Job | undefined {
  if (event.type !== 'ExpenseVoided' || event.data.movedTo === undefined) return undefined;
  const owner = budgetStreamOwner(event.streamName);
  if (!owner) return undefined;
  return {
    queue: 'complete-move',
    key: event.id,
    payload: {
      userId: owner.userId,
      month: owner.month,
      transactionId: String(event.data.transactionId),
      causedBy: event.id,
      correlationId: event.metadata.correlationId,
    },
  };
}

export interface CompleteMoveJob {
  readonly userId: string;
  readonly month: string;
  readonly transactionId: string;
  readonly causedBy: string;
  readonly correlationId: string;
}

export function parseCompleteMoveJob(payload: JsonObject): CompleteMoveJob {
  const { userId, month, transactionId, causedBy, correlationId } = payload;
  if ([userId, month, transactionId, causedBy, correlationId].some((v) => typeof v !== 'string')) {
    throw new Error(`Malformed complete-move job: ${JSON.stringify(payload).slice(0, 200)}`);
  }
  return payload as unknown as CompleteMoveJob;
}
