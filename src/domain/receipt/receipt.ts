import type { Category } from '../shared/category.js';
import type { Decider } from '../shared/decider.js';
import { fail } from '../shared/domain-error.js';
import type { LocalDate } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';
import type { ReceiptEvent, ReceiptReading, ReceiptSuggestion } from './events.js';

/** Time is an input: `now` is an ISO timestamp from the caller's clock. */
export type ReceiptCommand =
  | {
      type: 'SubmitReceipt';
      data: {
        receiptId: string;
        userId: string;
        contentType: string;
        bytes: number;
        sha256: string;
        now: string;
      };
    }
  | {
      type: 'RecordReading';
      data: {
        run: number;
        attempt: number;
        engine: string;
        text: string;
        reading: ReceiptReading;
        suggestion?: ReceiptSuggestion;
        now: string;
      };
    }
  | {
      type: 'RecordReadFailure';
      data: { run: number; attempt: number; engine: string; error: string; final: boolean; now: string };
    }
  | { type: 'RequestReprocess'; data: { now: string } }
  | {
      type: 'ConfirmReceipt';
      data: {
        transactionId: string;
        amount: bigint;
        currency: Currency;
        date: LocalDate;
        category: Category;
        merchant?: string;
        automatic: boolean;
        now: string;
      };
    };

export type ReceiptStatus = 'queued' | 'read' | 'failed' | 'confirmed';

export type ReceiptState =
  | { readonly status: 'none' }
  | {
      readonly status: ReceiptStatus;
      readonly receiptId: string;
      readonly userId: string;
      readonly contentType: string;
      readonly bytes: number;
      readonly submittedAt: string;
      readonly updatedAt: string;
      /** 1 for the first reading, +1 per reprocess. */
      readonly run: number;
      /** Failed attempts of the current run. */
      readonly failures: number;
      readonly lastError?: string;
      readonly engine?: string;
      readonly text?: string;
      readonly reading?: ReceiptReading;
      readonly suggestion?: ReceiptSuggestion;
      readonly confirmation?: Extract<ReceiptEvent, { type: 'ReceiptConfirmed' }>['data'];
    };

export type ExistingReceipt = Exclude<ReceiptState, { status: 'none' }>;

export const initialReceiptState = (): ReceiptState => ({ status: 'none' });

export function evolveReceipt(state: ReceiptState, event: ReceiptEvent): ReceiptState {
  if (event.type === 'ReceiptSubmitted') {
    const { submittedAt, sha256: _, ...rest } = event.data;
    return { status: 'queued', ...rest, submittedAt, updatedAt: submittedAt, run: 1, failures: 0 };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ReceiptRead': {
      const { engine, text, reading, suggestion, readAt } = event.data;
      const { suggestion: _old, ...base } = state;
      return {
        ...base,
        status: 'read',
        engine,
        text,
        reading,
        ...(suggestion ? { suggestion } : {}),
        updatedAt: readAt,
      };
    }
    case 'ReceiptReadFailed':
      return {
        ...state,
        status: event.data.final ? 'failed' : state.status,
        failures: state.failures + 1,
        lastError: event.data.error,
        engine: event.data.engine,
        updatedAt: event.data.failedAt,
      };
    case 'ReceiptReprocessRequested':
      return {
        ...state,
        status: 'queued',
        run: event.data.run,
        failures: 0,
        updatedAt: event.data.requestedAt,
      };
    case 'ReceiptConfirmed':
      return { ...state, status: 'confirmed', confirmation: event.data, updatedAt: event.data.confirmedAt };
  }
}

const existing = (state: ReceiptState): ExistingReceipt =>
  state.status === 'none' ? fail('receipt-not-found', 'No such receipt') : state;

/** A reading or failure for the run the receipt is waiting on; anything else is a late duplicate. */
const awaits = (state: ReceiptState, run: number): boolean => state.status === 'queued' && state.run === run;

export function decideReceipt(command: ReceiptCommand, state: ReceiptState): ReceiptEvent[] {
  switch (command.type) {
    case 'SubmitReceipt': {
      if (state.status !== 'none') return [];
      const { now, ...data } = command.data;
      if (data.bytes <= 0) return fail('invalid-receipt', 'A receipt image cannot be empty');
      return [{ type: 'ReceiptSubmitted', data: { ...data, submittedAt: now } }];
    }
    case 'RecordReading': {
      if (!awaits(state, command.data.run)) return [];
      const { now, ...data } = command.data;
      return [{ type: 'ReceiptRead', data: { ...data, readAt: now } }];
    }
    case 'RecordReadFailure': {
      if (!awaits(state, command.data.run)) return [];
      const { now, ...data } = command.data;
      return [{ type: 'ReceiptReadFailed', data: { ...data, failedAt: now } }];
    }
    case 'RequestReprocess': {
      const receipt = existing(state);
      if (receipt.status === 'confirmed')
        return fail('receipt-confirmed', 'This receipt is already confirmed as an expense');
      if (receipt.status === 'queued') return [];
      return [
        { type: 'ReceiptReprocessRequested', data: { run: receipt.run + 1, requestedAt: command.data.now } },
      ];
    }
    case 'ConfirmReceipt': {
      const receipt = existing(state);
      const { now, ...data } = command.data;
      if (receipt.status === 'confirmed') {
        if (receipt.confirmation?.transactionId === data.transactionId) return [];
        return fail('receipt-confirmed', 'This receipt is already confirmed as another expense');
      }
      checkConfirmable(receipt.status);
      if (data.amount <= 0n) return fail('invalid-amount', 'A receipt confirms an expense above zero');
      return [{ type: 'ReceiptConfirmed', data: { ...data, confirmedAt: now } }];
    }
  }
}

/**
 * A receipt is confirmed once read, or, when it could not be read, with what the user typed; one still
 * being read is not (its reading may yet suggest otherwise).
 */
export function checkConfirmable(status: ReceiptStatus): void {
  if (status !== 'read' && status !== 'failed')
    fail(
      'receipt-not-ready',
      `The receipt is ${status}: it can be confirmed once it is read (or, failing that, by hand)`,
      { receiptStatus: status },
    );
}

export const receiptDecider: Decider<ReceiptCommand, ReceiptEvent, ReceiptState> = {
  decide: decideReceipt,
  evolve: evolveReceipt,
  initialState: initialReceiptState,
};
