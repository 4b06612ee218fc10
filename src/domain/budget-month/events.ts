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

/** `goal`: money set aside for a savings goal; `recurring`: a recurring expense fallen due. */
export type ExpenseSource = 'manual' | 'import' | 'receipt' | 'bank' | 'goal' | 'recurring';

/** Which categorization tier chose the category of an expense recorded without one (issue 15). */
export type CategorizedBy = 'rule' | 'merchant-memory' | 'llm' | 'keywords' | 'default';

/** The fields that identify what an expense says; a reused transaction id is compared on these. */
export interface ExpenseFields {
  readonly day: LocalDate;
  readonly category: Category;
  readonly amount: bigint;
  readonly merchant?: string;
  readonly note?: string;
}

/**
 * Why a month got its plan: the user set it, or it was planned for them at the month's first write or
 * query from their `autoPlan` preference (the previous month's plan, or a suggestion from income and
 * history). Events written before reasons existed were all set by the user.
 */
export type PlanReason = 'manual' | 'auto-previous' | 'auto-suggested';

/** A month's first plan (or its replacement while nothing but the plan happened in it). */
export type BudgetPlanned = {
  type: 'BudgetPlanned';
  data: {
    userId: string;
    month: YearMonth;
    currency: Currency;
    income: bigint;
    categories: PlannedCategory[];
    splitAlgorithm: string;
    reason?: PlanReason;
    plannedAt: string;
  };
};

/**
 * A plan changed mid-month, from `effectiveFrom` on. Days before it keep their allocations; each
 * category's change of amount (new minus old) is spread over the days from `effectiveFrom` (added by
 * the split's weights, or taken from what those days hold). `moves` are those per-cell changes, decided
 * once and recorded, so replay never re-runs the split.
 */
export type BudgetReplanned = {
  type: 'BudgetReplanned';
  data: {
    effectiveFrom: LocalDate;
    income: bigint;
    categories: PlannedCategory[];
    splitAlgorithm: string;
    moves: CellMove[];
    reason?: PlanReason;
    replannedAt: string;
  };
};

export type ExpenseRecorded = {
  type: 'ExpenseRecorded';
  data: ExpenseFields & {
    transactionId: string;
    /** The amount's currency: an expense may come before any plan says the month's currency. */
    currency?: Currency;
    source: ExpenseSource;
    /** Absent when the user chose the category (and in events written before categorization). */
    categorizedBy?: CategorizedBy;
    idempotencyKey?: string;
    recordedAt: string;
  };
};

/** Carries the expense's complete new fields, so a reader never needs the older event to know it. */
export type ExpenseAmended = {
  type: 'ExpenseAmended';
  data: ExpenseFields & { transactionId: string; amendedAt: string };
};

/**
 * `movedTo`: the expense leaves this month for another, with these fields there (its merchant and note
 * as `movedMerchant`/`movedNote`: top-level, so they are encrypted like every personal field). The
 * record there is finished by a reaction keyed by this event's id, so a crash between the two months
 * loses nothing.
 */
export type ExpenseVoided = {
  type: 'ExpenseVoided';
  data: {
    transactionId: string;
    reason?: string;
    movedTo?: Pick<ExpenseFields, 'day' | 'category' | 'amount'>;
    movedMerchant?: string;
    movedNote?: string;
    voidedAt: string;
  };
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

/**
 * A declared shortfall shrinks: the spending that caused it was voided or reduced, or the cell got more
 * allocation (a re-plan, an adjustment). Compensates MonthOverdrawn; `transactionId` names the expense
 * whose change freed it, when one did.
 */
export type ShortfallReduced = {
  type: 'ShortfallReduced';
  data: { day: LocalDate; category: Category; amount: bigint; transactionId?: string; reducedAt: string };
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
  | BudgetReplanned
  | ExpenseRecorded
  | ExpenseAmended
  | ExpenseVoided
  | OverspendDetected
  | BudgetRebalanced
  | MonthOverdrawn
  | ShortfallReduced
  | AllocationAdjusted
  | DayClosed;
export type BudgetMonthEventType = BudgetMonthEvent['type'];

export const budgetMonthEventTypes: readonly BudgetMonthEventType[] = [
  'BudgetPlanned',
  'BudgetReplanned',
  'ExpenseRecorded',
  'ExpenseAmended',
  'ExpenseVoided',
  'OverspendDetected',
  'BudgetRebalanced',
  'MonthOverdrawn',
  'ShortfallReduced',
  'AllocationAdjusted',
  'DayClosed',
];
