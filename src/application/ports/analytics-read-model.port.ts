import type { LocalDate, YearMonth } from '../../domain/shared/local-date.js';
import type { GlobalPosition } from './event-store.port.js';

/** One day of a user's budget across categories. */
export interface DayTotals {
  readonly day: LocalDate;
  readonly allocated: bigint;
  readonly spent: bigint;
  /** Live (not voided) expenses dated that day. */
  readonly transactions: number;
}

export interface CategoryMonthTotals {
  readonly month: YearMonth;
  readonly category: string;
  readonly allocated: bigint;
  readonly spent: bigint;
  readonly transactions: number;
}

export interface MerchantMonthTotals {
  /** Normalised: trimmed, lower-case; '' for expenses that name no merchant. */
  readonly merchant: string;
  readonly spent: bigint;
  readonly transactions: number;
}

/** The analytics read model. Days and months it has no row for had nothing allocated or spent. */
export interface AnalyticsReadModel {
  /** Every day with a row in the months `from` to `to` (inclusive), in date order. */
  days(userId: string, from: YearMonth, to: YearMonth): Promise<DayTotals[]>;
  /** Every (month, category) row in the months `from` to `to` (inclusive), by month then category. */
  categories(userId: string, from: YearMonth, to: YearMonth): Promise<CategoryMonthTotals[]>;
  /** The month's merchants with live expenses, most spent first (ties by name); '' excluded. */
  topMerchants(userId: string, month: YearMonth, limit: number): Promise<MerchantMonthTotals[]>;
  /** Waits, at most `timeoutMs`, until the read model has applied everything up to `position`. */
  waitFor(position: GlobalPosition, timeoutMs: number): Promise<boolean>;
}
