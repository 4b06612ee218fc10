import type { Category } from '../shared/category.js';
import { invariant } from '../shared/domain-error.js';
import type { YearMonth } from '../shared/local-date.js';
import { dayOfMonth, monthOf } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';
import { addToCell, type Cells } from './cells.js';
import type { BudgetMonthEvent, CellMove, ExpenseFields, ExpenseSource, PlannedCategory } from './events.js';
import { splitAlgorithm } from './split-algorithms.js';

export interface TransactionState {
  /** What the expense said when first recorded: a retry of that record is compared against it. */
  readonly recorded: ExpenseFields;
  readonly current: ExpenseFields;
  readonly source: ExpenseSource;
  readonly voided: boolean;
  /** Set when it was voided to move to another month: its fields there. */
  readonly movedTo?: ExpenseFields;
}

/** What a month knows of its spending, planned or not. */
interface Ledger {
  readonly spent: Cells;
  readonly transactions: ReadonlyMap<string, TransactionState>;
}

/**
 * No plan yet. People spend before they plan: expenses are kept (spent, nothing allocated) and count
 * against the plan once one arrives. `month` and `currency` come from the first expense.
 */
export type UnplannedMonth = Ledger & {
  readonly status: 'unplanned';
  readonly month?: YearMonth;
  readonly currency?: Currency;
  /** The categories expenses brought in (flexible, nothing planned); they join the first plan. */
  readonly plan: readonly PlannedCategory[];
};

export type PlannedMonth = Ledger & {
  readonly status: 'planned';
  readonly userId: string;
  readonly month: YearMonth;
  readonly currency: Currency;
  readonly income: bigint;
  /** The plan, plus every category an expense brought in (flexible, nothing planned). */
  readonly plan: readonly PlannedCategory[];
  readonly splitAlgorithm: string;
  readonly allocated: Cells;
  /** Per cell, the part of an overspend declared uncoverable (MonthOverdrawn) and not since reduced. */
  readonly overdrawn: Cells;
  /** Moved out of the budget by day-close rollovers to savings. */
  readonly saved: bigint;
  readonly closedDays: ReadonlySet<number>;
  /**
   * True once anything but the plan happened in the month. Until then a new plan replaces the old one
   * whole; after, a new plan changes the month from an effective day on (BudgetReplanned).
   */
  readonly locked: boolean;
};

export type BudgetMonthState = UnplannedMonth | PlannedMonth;

export const initialBudgetMonthState = (): BudgetMonthState => ({
  status: 'unplanned',
  spent: new Map(),
  transactions: new Map(),
  plan: [],
});

/** The plan with `category` in it: an expense in a category the plan does not name joins it unplanned. */
export function withCategory(
  plan: readonly PlannedCategory[],
  category: Category,
): readonly PlannedCategory[] {
  if (plan.some((p) => p.category === category)) return plan;
  return [...plan, { category, amount: 0n, kind: 'flexible' as const }].sort((a, b) =>
    a.category < b.category ? -1 : 1,
  );
}

export function evolveBudgetMonth(state: BudgetMonthState, event: BudgetMonthEvent): BudgetMonthState {
  if (event.type === 'BudgetPlanned') return planned(state, event.data);
  if (state.status === 'unplanned') return evolveLedger(state, event);
  return evolvePlanned(
    event.type === 'OverspendDetected' || state.locked ? state : { ...state, locked: true },
    event,
  );
}

function planned(
  state: BudgetMonthState,
  data: Extract<BudgetMonthEvent, { type: 'BudgetPlanned' }>['data'],
): PlannedMonth {
  const { userId, month, currency, income, categories, splitAlgorithm: algorithm } = data;
  return {
    status: 'planned',
    userId,
    month,
    currency,
    income,
    plan: categories,
    splitAlgorithm: algorithm,
    allocated: splitAlgorithm(algorithm)(categories, month),
    spent: state.spent,
    transactions: state.transactions,
    overdrawn: new Map(),
    saved: 0n,
    closedDays: new Set(),
    locked: state.transactions.size > 0,
  };
}

/** Expenses of a month that has no plan yet: only its spending moves. */
function evolveLedger(state: UnplannedMonth, event: BudgetMonthEvent): UnplannedMonth {
  switch (event.type) {
    case 'ExpenseRecorded':
      return {
        ...state,
        ...spend(state, event),
        plan: withCategory(state.plan, event.data.category),
        month: state.month ?? monthOf(event.data.day),
        currency: state.currency ?? event.data.currency,
      };
    case 'ExpenseAmended':
      return { ...state, ...spend(state, event), plan: withCategory(state.plan, event.data.category) };
    case 'ExpenseVoided':
      return { ...state, ...spend(state, event) };
    default:
      return invariant(false, `${event.type} follows BudgetPlanned`) as never;
  }
}

/** How an expense event changes the spent cells and the transactions. */
function spend(
  state: Ledger,
  event: Extract<BudgetMonthEvent, { type: 'ExpenseRecorded' | 'ExpenseAmended' | 'ExpenseVoided' }>,
): Ledger {
  const transactions = new Map(state.transactions);
  const { transactionId } = event.data;
  if (event.type === 'ExpenseRecorded') {
    const { source, day, category, amount, merchant, note } = event.data;
    const fields: ExpenseFields = { day, category, amount, merchant, note };
    transactions.set(transactionId, { recorded: fields, current: fields, source, voided: false });
    return { transactions, spent: addToCell(state.spent, dayOfMonth(day), category, amount) };
  }
  const before = state.transactions.get(transactionId);
  invariant(before && !before.voided, `${event.type} names a live transaction`);
  const { day, category, amount } = before.current;
  const withoutOld = addToCell(state.spent, dayOfMonth(day), category, -amount);
  if (event.type === 'ExpenseVoided') {
    const { movedTo, movedMerchant, movedNote } = event.data;
    const moved = movedTo && { ...movedTo, merchant: movedMerchant, note: movedNote };
    transactions.set(transactionId, { ...before, voided: true, ...(moved ? { movedTo: moved } : {}) });
    return { transactions, spent: withoutOld };
  }
  const { merchant, note } = event.data;
  const current: ExpenseFields = {
    day: event.data.day,
    category: event.data.category,
    amount: event.data.amount,
    merchant,
    note,
  };
  transactions.set(transactionId, { ...before, current });
  return {
    transactions,
    spent: addToCell(withoutOld, dayOfMonth(current.day), current.category, current.amount),
  };
}

function evolvePlanned(
  state: PlannedMonth,
  event: Exclude<BudgetMonthEvent, { type: 'BudgetPlanned' }>,
): BudgetMonthState {
  switch (event.type) {
    case 'ExpenseRecorded':
    case 'ExpenseAmended':
      return { ...state, ...spend(state, event), plan: withCategory(state.plan, event.data.category) };
    case 'ExpenseVoided':
      return { ...state, ...spend(state, event) };
    case 'BudgetReplanned': {
      const { income, categories, splitAlgorithm: algorithm, moves } = event.data;
      return {
        ...state,
        income,
        plan: categories,
        splitAlgorithm: algorithm,
        allocated: applyMoves(state.allocated, moves),
      };
    }
    case 'OverspendDetected':
      return state;
    case 'BudgetRebalanced': {
      const { coveredDay, category, amount, moves } = event.data;
      const taken = applyMoves(state.allocated, moves);
      return { ...state, allocated: addToCell(taken, dayOfMonth(coveredDay), category, amount) };
    }
    case 'MonthOverdrawn': {
      const { day, category, shortfall } = event.data;
      return { ...state, overdrawn: addToCell(state.overdrawn, dayOfMonth(day), category, shortfall) };
    }
    case 'ShortfallReduced': {
      const { day, category, amount } = event.data;
      return { ...state, overdrawn: addToCell(state.overdrawn, dayOfMonth(day), category, -amount) };
    }
    case 'AllocationAdjusted': {
      const { from, to, amount } = event.data;
      const taken = addToCell(state.allocated, dayOfMonth(from.day), from.category, -amount);
      return { ...state, allocated: addToCell(taken, dayOfMonth(to.day), to.category, amount) };
    }
    case 'DayClosed': {
      const closedDays = new Set(state.closedDays).add(dayOfMonth(event.data.day));
      return {
        ...state,
        allocated: applyMoves(state.allocated, event.data.moves),
        saved: state.saved + event.data.saved,
        closedDays,
      };
    }
  }
}

function applyMoves(cells: Cells, moves: readonly CellMove[]): Cells {
  let next = cells;
  for (const move of moves) next = addToCell(next, dayOfMonth(move.day), move.category, move.amount);
  return next;
}
