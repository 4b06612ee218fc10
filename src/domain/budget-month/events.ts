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

export type BudgetMonthEvent =
  | BudgetPlanned
  | ExpenseRecorded
  | ExpenseAmended
  | ExpenseVoided
  | OverspendDetected;
export type BudgetMonthEventType = BudgetMonthEvent['type'];

export const budgetMonthEventTypes: readonly BudgetMonthEventType[] = [
  'BudgetPlanned',
  'ExpenseRecorded',
  'ExpenseAmended',
  'ExpenseVoided',
  'OverspendDetected',
];
