import type { ReceiptEvent } from '../../domain/receipt/events.js';
import { formatMoney } from '../../domain/shared/money.js';
import type { RealtimeMessage } from '../ports/notifier.port.js';

/** A decoded receipt event and where it sits. */
export interface ReceiptEventAt {
  readonly userId: string;
  readonly receiptId: string;
  readonly position: string;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly event: ReceiptEvent;
}

/**
 * What a user is told when their receipt is finished: read (with the suggested expense) or given up
 * on, on the `notifications` channel. Beside `messagesFor` (budget events); pure.
 */
export function receiptMessagesFor(at: ReceiptEventAt): RealtimeMessage[] {
  const message = (data: RealtimeMessage['data']): RealtimeMessage => ({
    channel: 'notifications',
    type: at.event.type,
    userId: at.userId,
    month: at.occurredAt.slice(0, 7),
    position: at.position,
    eventId: at.eventId,
    data: { receiptId: at.receiptId, ...data },
  });
  const event = at.event;
  if (event.type === 'ReceiptRead') {
    const s = event.data.suggestion;
    if (!s)
      return [
        message({
          severity: 'warning',
          text: 'Your receipt was read, but no total was found: add the amount to confirm it.',
        }),
      ];
    const amount = formatMoney({ amount: s.amount, currency: s.currency });
    const from = s.merchant ? ` from ${s.merchant}` : '';
    return [
      message({
        severity: 'info',
        amount,
        currency: s.currency,
        category: s.category,
        date: s.date,
        text: `Your receipt${from} is read: ${amount} ${s.currency} for ${s.category} on ${s.date}. Confirm it to record the expense.`,
      }),
    ];
  }
  if (event.type === 'ReceiptReadFailed' && event.data.final)
    return [
      message({
        severity: 'warning',
        attempts: event.data.attempt,
        text: `Your receipt could not be read after ${event.data.attempt} attempts; you can reprocess it.`,
      }),
    ];
  return [];
}
