import type { Category } from '../shared/category.js';
import type { LocalDate, YearMonth } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';

export type CategoryKind = 'flexible' | 'fixed';

export interface PlannedCategory {
  readonly category: Category;
  /** Minor units of the month's currency. */
  readonly amount: bigint;
  readonly kind: CategoryKind;
  /** Fixed categories only: the day of month the whole amount is allocated to (clamped to the month). */
  readonly dueDay?: number;
}

export type ExpenseSource = 'manual' | 'import' | 'receipt' | 'bank';

/** The fields that identify what an expense says; a reused transaction id is compared on these. */
export interface ExpenseFields {
  readonly day: LocalDate;
  readonly category: Category;
  readonly amount: bigint;
  readonly merchant?: string;
  readonly note?: string;
}

export type BudgetPlanned = {
  type: 'BudgetPlanned';
  data: {
    userId: string;
    month: YearMonth;
    currency: Currency;
    income: bigint;
    categories: PlannedCategory[];
    splitAlgorithm: string;
    plannedAt: string;
  };
};

export type ExpenseRecorded = {
  type: 'ExpenseRecorded';
  data: ExpenseFields & {
    transactionId: string;
    source: ExpenseSource;
    idempotencyKey?: string;
    recordedAt: string;
  };
};

/** Carries the expense's complete new fields, so a reader never needs the older event to know it. */
export type ExpenseAmended = {
  type: 'ExpenseAmended';
  data: ExpenseFields & { transactionId: string; amendedAt: string };
};

export type ExpenseVoided = {
  type: 'ExpenseVoided';
  data: { transactionId: string; reason?: string; voidedAt: string };
};

export type OverspendDetected = {
  type: 'OverspendDetected';
  data: { day: LocalDate; category: Category; overBy: bigint; causedBy: string };
};

/** An amount taken from (negative) or given to (positive) one (day, category) cell. */
export interface CellMove {
  readonly day: LocalDate;
  readonly category: Category;
  readonly amount: bigint;
}

/**
 * Covers an overspent cell from later days. `moves` are the amounts taken (negative) from each source
 * cell; the covered cell receives their sum (`amount`). The algorithm that chose them is recorded, so
 * replay never re-runs it.
 */
export type BudgetRebalanced = {
  type: 'BudgetRebalanced';
  data: {
    coveredDay: LocalDate;
    category: Category;
    amount: bigint;
    moves: CellMove[];
    algorithm: string;
    causedBy: string;
    rebalancedAt: string;
  };
};

/** What the rest of the month could not cover for an overspent cell. */
export type MonthOverdrawn = {
  type: 'MonthOverdrawn';
  data: { day: LocalDate; category: Category; shortfall: bigint; causedBy: string; detectedAt: string };
};

export interface CellRef {
  readonly day: LocalDate;
  readonly category: Category;
}

/** A manual move of allocation between two cells; the month's total is unchanged. */
export type AllocationAdjusted = {
  type: 'AllocationAdjusted';
  data: { from: CellRef; to: CellRef; amount: bigint; reason?: string; adjustedAt: string };
};

export type RolloverPolicy = 'forward' | 'savings' | 'none';

/**
 * A day's books are closed: each flexible category's unspent remainder goes forward into the same
 * category's later days, to savings, or stays, as the user's policy says.
 */
export type DayClosed = {
  type: 'DayClosed';
  data: {
    day: LocalDate;
    policy: RolloverPolicy;
    moves: CellMove[];
    saved: bigint;
    algorithm: string;
    closedAt: string;
  };
};

export type BudgetMonthEvent =
  | BudgetPlanned
  | ExpenseRecorded
  | ExpenseAmended
  | ExpenseVoided
  | OverspendDetected
  | BudgetRebalanced
  | MonthOverdrawn
  | AllocationAdjusted
  | DayClosed;
export type BudgetMonthEventType = BudgetMonthEvent['type'];

export const budgetMonthEventTypes: readonly BudgetMonthEventType[] = [
  'BudgetPlanned',
  'ExpenseRecorded',
  'ExpenseAmended',
  'ExpenseVoided',
  'OverspendDetected',
  'BudgetRebalanced',
  'MonthOverdrawn',
  'AllocationAdjusted',
  'DayClosed',
];
