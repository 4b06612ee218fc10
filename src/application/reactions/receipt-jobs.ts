import { receiptIdOf } from '../../domain/receipt/receipt-stream.js';
import type { JsonObject, RecordedEvent } from '../ports/event-store.port.js';
import type { Job } from './rebalance-on-overspend.js';

/** Every submitted or reprocessed receipt becomes one `receipt-ocr` job, keyed by the event's id. */
export function receiptJobFor(event: RecordedEvent): Job | undefined {
  if (event.type !== 'ReceiptSubmitted' && event.type !== 'ReceiptReprocessRequested') return undefined;
  const receiptId = receiptIdOf(event.streamName);
  if (!receiptId) return undefined;
  return {
    queue: 'receipt-ocr',
    key: event.id,
    payload: {
      receiptId,
      run: event.type === 'ReceiptSubmitted' ? 1 : Number(event.data.run),
      correlationId: event.metadata.correlationId,
    },
  };
}

/** Facts a user is notified of: overspends, rebalances, overdrawn months and finished receipts. */
const NOTIFIED = new Set([
  'OverspendDetected',
  'BudgetRebalanced',
  'MonthOverdrawn',
  'ReceiptRead',
  'ReceiptReadFailed',
]);

/** One `notify` job per notified fact, keyed by its id; the job carries the event as stored. */
export function notifyJobFor(event: RecordedEvent): Job | undefined {
  if (!NOTIFIED.has(event.type)) return undefined;
  if (event.type === 'ReceiptReadFailed' && event.data.final !== true) return undefined;
  return {
    queue: 'notify',
    key: event.id,
    payload: {
      id: event.id,
      type: event.type,
      streamName: event.streamName,
      revision: event.revision.toString(),
      position: event.position,
      data: event.data,
      metadata: event.metadata as unknown as JsonObject,
    },
  };
}
