import type { YearMonth } from '../../domain/shared/local-date.js';

export interface MonthClaim {
  readonly transactionId: string;
  readonly month: YearMonth;
}

/**
 * Which month holds each of a user's transaction ids. A claim is taken before an expense is appended,
 * so two months never both record one id; the month's stream stays the truth (a claim whose append
 * failed points at a month without the id, and is taken over).
 */
export interface TransactionMonths {
  /**
   * Claims each id for its month. Answers, for ids already claimed for ANOTHER month (or held by one
   * in history recorded before claims existed), that month; the others are claimed.
   */
  claim(userId: string, claims: readonly MonthClaim[]): Promise<ReadonlyMap<string, YearMonth>>;
  /** The month an id is claimed for, if any. */
  monthOf(userId: string, transactionId: string): Promise<YearMonth | undefined>;
  /** Points an id at another month (a move, or taking over a stale claim) whatever it pointed at. */
  assign(userId: string, transactionId: string, month: YearMonth): Promise<void>;
}
