import type { Category } from '../shared/category.js';
import { invariant } from '../shared/domain-error.js';
import type { YearMonth } from '../shared/local-date.js';
import { dayOfMonth, monthOf } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';
import { type CellKey, type Cells, cellKey } from './cells.js';
import { allocationMoves, expenseChange } from './deltas.js';
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
  /** Events folded into this state: the month's stream length (bounded, see decide). */
  readonly events: number;
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
  events: 0,
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

/**
 * The maps and sets a fold made itself. Nobody else holds them (the states in between are dropped), so
 * the fold changes them in place: folding n events copies each map once instead of once per event, which
 * made a month's load quadratic. `evolveBudgetMonth` alone owns nothing and copies as a pure function must.
 */
type Owned = WeakSet<object>;

export const evolveBudgetMonth = (state: BudgetMonthState, event: BudgetMonthEvent): BudgetMonthState =>
  evolveOwned(new WeakSet(), state, event);

/** `events.reduce(evolveBudgetMonth, state)` in linear time; `state` itself is left as it was. */
export function foldBudgetMonth(
  state: BudgetMonthState,
  events: Iterable<BudgetMonthEvent>,
): BudgetMonthState {
  const owned: Owned = new WeakSet();
  let folded = state;
  for (const event of events) folded = evolveOwned(owned, folded, event);
  return folded;
}

function evolveOwned(owned: Owned, state: BudgetMonthState, event: BudgetMonthEvent): BudgetMonthState {
  const counted = { ...state, events: state.events + 1 };
  if (event.type === 'BudgetPlanned') return planned(counted, event.data);
  if (counted.status === 'unplanned') return evolveLedger(owned, counted, event);
  return evolvePlanned(
    owned,
    event.type === 'OverspendDetected' ? counted : { ...counted, locked: true },
    event,
  );
}

function mine<T extends Map<unknown, unknown> | Set<unknown>>(
  owned: Owned,
  shared: T,
  copy: (from: T) => T,
): T {
  if (owned.has(shared)) return shared;
  const made = copy(shared);
  owned.add(made);
  return made;
}

function addToCell(owned: Owned, cells: Cells, day: number, category: string, delta: bigint): Cells {
  const next = mine(owned, cells as Map<CellKey, bigint>, (from) => new Map(from));
  const key = cellKey(day, category);
  const value = (next.get(key) ?? 0n) + delta;
  if (value === 0n) next.delete(key);
  else next.set(key, value);
  return next;
}

function planned(
  state: BudgetMonthState,
  data: Extract<BudgetMonthEvent, { type: 'BudgetPlanned' }>['data'],
): PlannedMonth {
  const { userId, month, currency, income, categories, splitAlgorithm: algorithm } = data;
  return {
    status: 'planned',
    events: state.events,
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
function evolveLedger(owned: Owned, state: UnplannedMonth, event: BudgetMonthEvent): UnplannedMonth {
  switch (event.type) {
    case 'ExpenseRecorded':
      return {
        ...state,
        ...spend(owned, state, event),
        plan: withCategory(state.plan, event.data.category),
        month: state.month ?? monthOf(event.data.day),
        currency: state.currency ?? event.data.currency,
      };
    case 'ExpenseAmended':
      return { ...state, ...spend(owned, state, event), plan: withCategory(state.plan, event.data.category) };
    case 'ExpenseVoided':
      return { ...state, ...spend(owned, state, event) };
    default:
      return invariant(false, `${event.type} follows BudgetPlanned`) as never;
  }
}

/** How an expense event changes the spent cells and the transactions. */
function spend(
  owned: Owned,
  state: Ledger,
  event: Extract<BudgetMonthEvent, { type: 'ExpenseRecorded' | 'ExpenseAmended' | 'ExpenseVoided' }>,
): Pick<Ledger, 'spent' | 'transactions'> {
  const transactions = mine(
    owned,
    state.transactions as Map<string, TransactionState>,
    (from) => new Map(from),
  );
  const { transactionId } = event.data;
  if (event.type === 'ExpenseRecorded') {
    const { source, day, category, amount, merchant, note } = event.data;
    const fields: ExpenseFields = { day, category, amount, merchant, note };
    transactions.set(transactionId, { recorded: fields, current: fields, source, voided: false });
    return { transactions, spent: addToCell(owned, state.spent, dayOfMonth(day), category, amount) };
  }
  const before = state.transactions.get(transactionId);
  invariant(before && !before.voided, `${event.type} names a live transaction`);
  if (event.type === 'ExpenseVoided') {
    const { movedTo, movedMerchant, movedNote } = event.data;
    const moved = movedTo && { ...movedTo, merchant: movedMerchant, note: movedNote };
    transactions.set(transactionId, { ...before, voided: true, ...(moved ? { movedTo: moved } : {}) });
    return { transactions, spent: spendChange(owned, state.spent, before.current) };
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
  return { transactions, spent: spendChange(owned, state.spent, before.current, current) };
}

function spendChange(owned: Owned, spent: Cells, before: ExpenseFields, after?: ExpenseFields): Cells {
  let next = spent;
  for (const [{ day, category, amount }, sign] of expenseChange(before, after))
    next = addToCell(owned, next, dayOfMonth(day), category, sign === 1 ? amount : -amount);
  return next;
}

function evolvePlanned(
  owned: Owned,
  state: PlannedMonth,
  event: Exclude<BudgetMonthEvent, { type: 'BudgetPlanned' }>,
): BudgetMonthState {
  switch (event.type) {
    case 'ExpenseRecorded':
    case 'ExpenseAmended':
      return { ...state, ...spend(owned, state, event), plan: withCategory(state.plan, event.data.category) };
    case 'ExpenseVoided':
      return { ...state, ...spend(owned, state, event) };
    case 'BudgetReplanned': {
      const { income, categories, splitAlgorithm: algorithm } = event.data;
      return {
        ...state,
        income,
        plan: categories,
        splitAlgorithm: algorithm,
        allocated: applyMoves(owned, state.allocated, allocationMoves(event)),
      };
    }
    case 'OverspendDetected':
      return state;
    case 'BudgetRebalanced':
    case 'AllocationAdjusted':
      return { ...state, allocated: applyMoves(owned, state.allocated, allocationMoves(event)) };
    case 'MonthOverdrawn': {
      const { day, category, shortfall } = event.data;
      return { ...state, overdrawn: addToCell(owned, state.overdrawn, dayOfMonth(day), category, shortfall) };
    }
    case 'ShortfallReduced': {
      const { day, category, amount } = event.data;
      return { ...state, overdrawn: addToCell(owned, state.overdrawn, dayOfMonth(day), category, -amount) };
    }
    case 'DayClosed': {
      const closedDays = mine(owned, state.closedDays as Set<number>, (from) => new Set(from)).add(
        dayOfMonth(event.data.day),
      );
      return {
        ...state,
        allocated: applyMoves(owned, state.allocated, allocationMoves(event)),
        saved: state.saved + event.data.saved,
        closedDays,
      };
    }
  }
}

function applyMoves(owned: Owned, cells: Cells, moves: readonly CellMove[]): Cells {
  let next = cells;
  for (const move of moves) next = addToCell(owned, next, dayOfMonth(move.day), move.category, move.amount);
  return next;
}
