import { Buffer } from 'node:buffer';
import type { ExpenseSource } from '../../domain/budget-month/events.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { type LocalDate, parseLocalDate } from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import type { GlobalPosition } from './event-store.port.js';

export type TransactionStatus = 'recorded' | 'voided';

/** One expense as the transactions read model has it: its current fields, voided or not. */
export interface TransactionItem {
  readonly transactionId: string;
  readonly day: LocalDate;
  readonly category: string;
  /** Minor units of `currency`. */
  readonly amount: bigint;
  readonly currency: Currency;
  readonly merchant?: string;
  readonly note?: string;
  readonly source: ExpenseSource;
  readonly status: TransactionStatus;
  readonly recordedAt: string;
  /** When it was last amended or voided. */
  readonly updatedAt?: string;
  /** How many times it was amended. */
  readonly amended: number;
}

export interface TransactionFilter {
  /** Inclusive. */
  readonly from?: LocalDate;
  /** Inclusive. */
  readonly to?: LocalDate;
  readonly category?: string;
  /** Case-insensitive substring of the merchant. */
  readonly merchant?: string;
  /** Minor units, inclusive. */
  readonly minAmount?: bigint;
  /** Minor units, inclusive. */
  readonly maxAmount?: bigint;
  /** Voided expenses are left out unless this is true. */
  readonly includeVoided?: boolean;
}

export const MAX_PAGE_SIZE = 200;

export interface PageRequest {
  /** 1 to MAX_PAGE_SIZE. */
  readonly limit: number;
  /** `nextCursor` of the previous page; check it with `decodeTransactionCursor` first. */
  readonly cursor?: string;
}

export interface TransactionPage {
  readonly items: readonly TransactionItem[];
  /** Present when more items follow. */
  readonly nextCursor?: string;
}

/**
 * The transactions read model (the `transactions` projection). Items come newest day first, then by
 * transaction id (byte order); another user's transactions are never seen.
 */
export interface TransactionReadModel {
  /** Throws InvalidCursorError for a cursor that `decodeTransactionCursor` refuses. */
  list(userId: string, filter: TransactionFilter, page: PageRequest): Promise<TransactionPage>;
  get(userId: string, transactionId: string): Promise<TransactionItem | undefined>;
  /** Every matching item, in list order, read a page at a time (memory stays constant). */
  stream(userId: string, filter: TransactionFilter): AsyncIterable<TransactionItem>;
  /** Waits, at most `timeoutMs`, until the read model has applied everything up to `position`. */
  waitFor(position: GlobalPosition, timeoutMs: number): Promise<boolean>;
}

/** Where a page ends: the last item's (day, transaction id). */
export interface TransactionCursor {
  readonly day: LocalDate;
  readonly transactionId: string;
}

/** A malformed pagination cursor: the client's mistake, answered with a 400. */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not a cursor this API returned');
    this.name = 'InvalidCursorError';
  }
}

const CURSOR = /^[A-Za-z0-9_-]{1,600}$/;
const MAX_ID_LENGTH = 200;

/** Opaque to clients: base64url of `[day, transactionId]`. */
export const encodeTransactionCursor = (cursor: TransactionCursor): string =>
  Buffer.from(JSON.stringify([cursor.day, cursor.transactionId]), 'utf8').toString('base64url');

/** The cursor, or undefined when `value` is not one `encodeTransactionCursor` could have made. */
export function decodeTransactionCursor(value: string): TransactionCursor | undefined {
  if (!CURSOR.test(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [day, transactionId] = parsed as unknown[];
  if (typeof transactionId !== 'string' || transactionId.length === 0 || transactionId.length > MAX_ID_LENGTH)
    return undefined;
  if (transactionId.includes('\u0000')) return undefined;
  try {
    const cursor = { day: parseLocalDate(day), transactionId };
    // Only the canonical spelling: anything else was not made by this API.
    return encodeTransactionCursor(cursor) === value ? cursor : undefined;
  } catch (error) {
    if (error instanceof DomainError) return undefined;
    throw error;
  }
}
