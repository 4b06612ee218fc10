import type { Category } from '../shared/category.js';
import type { LocalDate } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';

/** What the OCR text says, as the parser read it. Amounts are minor units of `currency`. */
export interface ReceiptReading {
  readonly merchant?: string;
  readonly date?: LocalDate;
  /** How the date was written: the order decides 03/04 (day-first: 3 April). */
  readonly dateOrder?: 'iso' | 'day-first' | 'month-first' | 'named';
  readonly total?: bigint;
  /** A line that says "total", or (none found) the largest amount printed. */
  readonly totalFrom?: 'total-line' | 'largest';
  readonly currency?: Currency;
  readonly items: readonly { readonly description: string; readonly amount: bigint }[];
}

/** The expense a read receipt suggests; the user confirms it (or it is confirmed automatically). */
export interface ReceiptSuggestion {
  readonly amount: bigint;
  readonly currency: Currency;
  readonly date: LocalDate;
  readonly category: Category;
  readonly categorizedBy: string;
  readonly merchant?: string;
  /** 0..1: how sure the reading is (OCR confidence times what the parser found). */
  readonly confidence: number;
}

export type ReceiptEvent =
  | {
      type: 'ReceiptSubmitted';
      data: {
        receiptId: string;
        userId: string;
        contentType: string;
        bytes: number;
        sha256: string;
        submittedAt: string;
      };
    }
  | {
      type: 'ReceiptRead';
      data: {
        run: number;
        attempt: number;
        engine: string;
        text: string;
        reading: ReceiptReading;
        suggestion?: ReceiptSuggestion;
        readAt: string;
      };
    }
  | {
      type: 'ReceiptReadFailed';
      data: { run: number; attempt: number; engine: string; error: string; final: boolean; failedAt: string };
    }
  | { type: 'ReceiptReprocessRequested'; data: { run: number; requestedAt: string } }
  | {
      type: 'ReceiptConfirmed';
      data: {
        transactionId: string;
        amount: bigint;
        currency: Currency;
        date: LocalDate;
        category: Category;
        merchant?: string;
        automatic: boolean;
        confirmedAt: string;
      };
    };

export type ReceiptEventType = ReceiptEvent['type'];
