import { describe, it } from 'vitest';
import type { ReceiptEvent } from '../../src/domain/receipt/events.js';
import { receiptDecider } from '../../src/domain/receipt/receipt.js';
import type { Category } from '../../src/domain/shared/category.js';
import type { LocalDate } from '../../src/domain/shared/local-date.js';
import type { Currency } from '../../src/domain/shared/money.js';
import { deciderSpec } from '../support/decider-spec.js';

const given = deciderSpec(receiptDecider);
const NOW = '2026-03-14T10:00:00.000Z';
const USD = 'USD' as Currency;

const submitted: ReceiptEvent = {
  type: 'ReceiptSubmitted',
  data: {
    receiptId: 'r-1',
    userId: 'u-1',
    contentType: 'image/png',
    bytes: 100,
    sha256: 'ab',
    submittedAt: NOW,
  },
};
const reading = { merchant: 'Corner Cafe', total: 1250n, currency: USD, items: [] };
const suggestion = {
  amount: 1250n,
  currency: USD,
  date: '2026-03-14' as LocalDate,
  category: 'food' as Category,
  categorizedBy: 'keywords',
  merchant: 'Corner Cafe',
  confidence: 0.9,
};
const read: ReceiptEvent = {
  type: 'ReceiptRead',
  data: { run: 1, attempt: 1, engine: 'tesseract', text: 'CORNER CAFE', reading, suggestion, readAt: NOW },
};
const confirm = {
  type: 'ConfirmReceipt' as const,
  data: {
    transactionId: 't-1',
    amount: 1250n,
    currency: USD,
    date: '2026-03-14' as LocalDate,
    category: 'food' as Category,
    automatic: false,
    now: NOW,
  },
};
const failure = (attempt: number, final: boolean) => ({
  type: 'RecordReadFailure' as const,
  data: { run: 1, attempt, engine: 'google-vision', error: 'HTTP 503', final, now: NOW },
});

describe('receipt decider', () => {
  it('a submitted receipt is queued once; the same id again changes nothing', () => {
    given([])
      .when({ type: 'SubmitReceipt', data: { ...submitted.data, now: NOW } as never })
      .thenEmits([submitted]);
    given([submitted])
      .when({ type: 'SubmitReceipt', data: { ...submitted.data, now: NOW } as never })
      .thenEmits([]);
  });

  it('a reading for the run it waits on is recorded; a late duplicate is not', () => {
    const { readAt: _, ...data } = read.data as Extract<ReceiptEvent, { type: 'ReceiptRead' }>['data'];
    given([submitted])
      .when({ type: 'RecordReading', data: { ...data, now: NOW } })
      .thenEmits([read]);
    given([submitted, read])
      .when({ type: 'RecordReading', data: { ...data, now: NOW } })
      .thenEmits([]);
  });

  it('failed attempts are recorded; the final one fails the receipt, and reprocessing starts a new run', () => {
    const failed = (attempt: number, final: boolean): ReceiptEvent => {
      const { now: _, ...data } = failure(attempt, final).data;
      return { type: 'ReceiptReadFailed', data: { ...data, failedAt: NOW } };
    };
    given([submitted])
      .when(failure(1, false))
      .thenEmits([failed(1, false)]);
    const gaveUp = [submitted, failed(1, false), failed(2, true)];
    given(gaveUp).when(failure(3, true)).thenEmits([]);
    // What could not be read is confirmed with what the user typed.
    const { now: _, ...typed } = confirm.data;
    given(gaveUp)
      .when(confirm)
      .thenEmits([{ type: 'ReceiptConfirmed', data: { ...typed, confirmedAt: NOW } }]);
    given(gaveUp)
      .when({ type: 'RequestReprocess', data: { now: NOW } })
      .thenEmits([{ type: 'ReceiptReprocessRequested', data: { run: 2, requestedAt: NOW } }]);
  });

  it('a read receipt is confirmed once: again with the same transaction is nothing, with another is refused', () => {
    const { now: _, ...data } = confirm.data;
    const confirmed: ReceiptEvent = { type: 'ReceiptConfirmed', data: { ...data, confirmedAt: NOW } };
    given([submitted, read]).when(confirm).thenEmits([confirmed]);
    given([submitted, read, confirmed]).when(confirm).thenEmits([]);
    given([submitted, read, confirmed])
      .when({ ...confirm, data: { ...confirm.data, transactionId: 't-2' } })
      .thenRejects('receipt-confirmed');
    given([submitted, read, confirmed])
      .when({ type: 'RequestReprocess', data: { now: NOW } })
      .thenRejects('receipt-confirmed');
  });

  it('a queued receipt cannot be confirmed, an unknown one is not found, and nothing confirms at zero', () => {
    given([submitted]).when(confirm).thenRejects('receipt-not-ready', { receiptStatus: 'queued' });
    given([]).when(confirm).thenRejects('receipt-not-found');
    given([])
      .when({ type: 'RequestReprocess', data: { now: NOW } })
      .thenRejects('receipt-not-found');
    given([submitted, read])
      .when({ ...confirm, data: { ...confirm.data, amount: 0n } })
      .thenRejects('invalid-amount');
  });
});
