import { invariant } from '../shared/domain-error.js';
import type { YearMonth } from '../shared/local-date.js';
import { dayOfMonth } from '../shared/local-date.js';
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
}

export type BudgetMonthState =
  | { readonly status: 'unplanned' }
  | {
      readonly status: 'planned';
      readonly userId: string;
      readonly month: YearMonth;
      readonly currency: Currency;
      readonly income: bigint;
      readonly plan: readonly PlannedCategory[];
      readonly splitAlgorithm: string;
      readonly allocated: Cells;
      readonly spent: Cells;
      readonly transactions: ReadonlyMap<string, TransactionState>;
      /** Per cell, the part of an overspend already declared uncoverable (MonthOverdrawn). */
      readonly overdrawn: Cells;
      /** Moved out of the budget by day-close rollovers to savings. */
      readonly saved: bigint;
      readonly closedDays: ReadonlySet<number>;
      /**
       * True once anything but the plan happened in the month. A plan can be replaced only before that,
       * so a replacement never has to undo expenses, rebalances, adjustments or day closes.
       */
      readonly locked: boolean;
    };

export type PlannedMonth = Extract<BudgetMonthState, { status: 'planned' }>;

export const initialBudgetMonthState = (): BudgetMonthState => ({ status: 'unplanned' });

export function evolveBudgetMonth(state: BudgetMonthState, event: BudgetMonthEvent): BudgetMonthState {
  if (event.type === 'BudgetPlanned') {
    const { userId, month, currency, income, categories, splitAlgorithm: algorithm } = event.data;
    return {
      status: 'planned',
      userId,
      month,
      currency,
      income,
      plan: categories,
      splitAlgorithm: algorithm,
      allocated: splitAlgorithm(algorithm)(categories, month),
      spent: state.status === 'planned' ? state.spent : new Map(),
      transactions: state.status === 'planned' ? state.transactions : new Map(),
      overdrawn: new Map(),
      saved: 0n,
      closedDays: new Set(),
      locked: false,
    };
  }
  invariant(state.status === 'planned', `${event.type} follows BudgetPlanned`);
  return evolvePlanned(
    event.type === 'OverspendDetected' || state.locked ? state : { ...state, locked: true },
    event,
  );
}

function evolvePlanned(
  state: PlannedMonth,
  event: Exclude<BudgetMonthEvent, { type: 'BudgetPlanned' }>,
): BudgetMonthState {
  switch (event.type) {
    case 'ExpenseRecorded': {
      const { transactionId, source, day, category, amount, merchant, note } = event.data;
      const fields: ExpenseFields = { day, category, amount, merchant, note };
      const transactions = new Map(state.transactions);
      transactions.set(transactionId, { recorded: fields, current: fields, source, voided: false });
      return { ...state, transactions, spent: addToCell(state.spent, dayOfMonth(day), category, amount) };
    }
    case 'ExpenseAmended': {
      const { transactionId, day, category, amount, merchant, note } = event.data;
      const before = state.transactions.get(transactionId);
      invariant(before && !before.voided, 'ExpenseAmended names a live transaction');
      const current: ExpenseFields = { day, category, amount, merchant, note };
      const transactions = new Map(state.transactions);
      transactions.set(transactionId, { ...before, current });
      const withoutOld = addToCell(
        state.spent,
        dayOfMonth(before.current.day),
        before.current.category,
        -before.current.amount,
      );
      return { ...state, transactions, spent: addToCell(withoutOld, dayOfMonth(day), category, amount) };
    }
    case 'ExpenseVoided': {
      const before = state.transactions.get(event.data.transactionId);
      invariant(before && !before.voided, 'ExpenseVoided names a live transaction');
      const transactions = new Map(state.transactions);
      transactions.set(event.data.transactionId, { ...before, voided: true });
      const { day, category, amount } = before.current;
      return { ...state, transactions, spent: addToCell(state.spent, dayOfMonth(day), category, -amount) };
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
