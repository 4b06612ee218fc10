import type { Category } from '../shared/category.js';
import type { LocalDate, YearMonth } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';
import type {
  CategorizedBy,
  ExpenseFields,
  ExpenseSource,
  PlannedCategory,
  PlanReason,
  RolloverPolicy,
} from './events.js';

/** Time is an input: `now` is an ISO timestamp supplied by the caller's clock. */
export type PlanMonth = {
  type: 'PlanMonth';
  data: {
    userId: string;
    month: YearMonth;
    currency: Currency;
    income: bigint;
    categories: PlannedCategory[];
    splitAlgorithm?: string;
    /**
     * A month with history changes from this day on (days before keep their allocations). Default: the
     * user's `today`, clamped into the month.
     */
    effectiveFrom?: LocalDate;
    /** The user's calendar date now, in their time zone. */
    today?: LocalDate;
    reason?: PlanReason;
    now: string;
  };
};

export type RecordExpense = {
  type: 'RecordExpense';
  data: {
    transactionId: string;
    day: LocalDate;
    category: Category;
    amount: bigint;
    currency: Currency;
    merchant?: string;
    note?: string;
    source: ExpenseSource;
    categorizedBy?: CategorizedBy;
    idempotencyKey?: string;
    now: string;
  };
};

/** An expense's fields as a RecordExpense: the one place the command is put together. */
export function recordExpenseCommand(input: {
  transactionId: string;
  fields: ExpenseFields;
  currency: Currency;
  source: ExpenseSource;
  categorizedBy?: CategorizedBy | undefined;
  idempotencyKey?: string | undefined;
  now: string;
}): RecordExpense {
  const { fields } = input;
  return {
    type: 'RecordExpense',
    data: {
      transactionId: input.transactionId,
      day: fields.day,
      category: fields.category,
      amount: fields.amount,
      currency: input.currency,
      ...(fields.merchant === undefined ? {} : { merchant: fields.merchant }),
      ...(fields.note === undefined ? {} : { note: fields.note }),
      source: input.source,
      ...(input.categorizedBy === undefined ? {} : { categorizedBy: input.categorizedBy }),
      ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
      now: input.now,
    },
  };
}

export type AmendExpense = {
  type: 'AmendExpense';
  data: {
    transactionId: string;
    day?: LocalDate;
    category?: Category;
    amount?: bigint;
    currency: Currency;
    merchant?: string | null;
    note?: string | null;
    now: string;
  };
};

export type VoidExpense = {
  type: 'VoidExpense';
  data: { transactionId: string; reason?: string; movedTo?: ExpenseFields; now: string };
};

/** Cover whatever is still uncovered in an overspent cell. Repeating it changes nothing. */
export type Rebalance = {
  type: 'Rebalance';
  data: { day: LocalDate; category: Category; causedBy: string; algorithm?: string; now: string };
};

export type AdjustAllocation = {
  type: 'AdjustAllocation';
  data: {
    from: { day: LocalDate; category: Category };
    to: { day: LocalDate; category: Category };
    amount: bigint;
    reason?: string;
    now: string;
  };
};

export type CloseDay = {
  type: 'CloseDay';
  data: { day: LocalDate; policy: RolloverPolicy; now: string };
};

export type BudgetMonthCommand =
  | PlanMonth
  | RecordExpense
  | AmendExpense
  | VoidExpense
  | Rebalance
  | AdjustAllocation
  | CloseDay;
