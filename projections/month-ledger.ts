import {
  allocationMoves,
  expenseChange,
  type MonthPlan,
  planAllocations,
} from '../src/domain/budget-month/deltas.js';
import type { BudgetMonthEvent, CellMove, ExpenseFields } from '../src/domain/budget-month/events.js';
import type { YearMonth } from '../src/domain/shared/local-date.js';
import { key } from './budget-events.js';

export type { MonthPlan } from '../src/domain/budget-month/deltas.js';

/**
 * The plan and expense fold that the budget read models (daily-allocation, analytics) share: what a
 * plan, a re-plan, a move, an expense, an amendment or a void change, as allocation and spend deltas
 * handed to the read model's book. The deltas are the aggregate's own (src/domain/budget-month/deltas.ts);
 * each read model keeps its own rows.
 */

/** Where an expense counts, as a read model keeps it (its `expenses` table). */
export interface LedgerExpense {
  readonly day: string;
  readonly category: string;
  readonly amount: bigint;
  readonly voided: boolean;
}

/** A batch's row of a table keyed by user and month. */
export interface MonthWrite {
  readonly user: string;
  readonly month: string;
}
export type ExpenseWrite<X extends LedgerExpense> = X & MonthWrite & { readonly transactionId: string };

/** A read model's view of one month while an event of it is folded. */
export interface MonthBook<X extends LedgerExpense> {
  allocate(day: string, category: string, amount: bigint): void;
  /** An expense counted (`sign` 1) or taken back out (-1). */
  spend(expense: X, sign: 1 | -1): void;
  /** The plan whose split the month's allocations hold; none before a plan arrives. */
  allocatedPlan(): MonthPlan | undefined;
  expense(transactionId: string): X | undefined;
  keepExpense(transactionId: string, expense: X): void;
  /** The expense an ExpenseRecorded or an ExpenseAmended makes. */
  toExpense(fields: ExpenseFields): X;
}

/** Folds one event's allocation and spend into `book`; what else the event says is the read model's. */
export function foldLedger<X extends LedgerExpense>(
  book: MonthBook<X>,
  month: YearMonth,
  event: BudgetMonthEvent,
): void {
  switch (event.type) {
    case 'BudgetPlanned': {
      // Only before anything else happened in the month: the new split in, the previous one out.
      const previous = book.allocatedPlan();
      if (previous) for (const m of split(month, previous)) book.allocate(m.day, m.category, -m.amount);
      const next = { splitAlgorithm: event.data.splitAlgorithm, plan: event.data.categories };
      for (const m of split(month, next)) book.allocate(m.day, m.category, m.amount);
      return;
    }
    case 'ExpenseRecorded': {
      const expense = book.toExpense(event.data);
      book.spend(expense, 1);
      book.keepExpense(event.data.transactionId, expense);
      return;
    }
    case 'ExpenseAmended':
    case 'ExpenseVoided': {
      const { transactionId } = event.data;
      const before = book.expense(transactionId);
      if (!before) throw new Error(`${event.type} for unknown transaction ${transactionId}`);
      if (before.voided) throw new Error(`${event.type} for voided transaction ${transactionId}`);
      const after = event.type === 'ExpenseAmended' ? book.toExpense(event.data) : undefined;
      for (const [expense, sign] of expenseChange(before, after)) book.spend(expense, sign);
      book.keepExpense(transactionId, after ?? { ...before, voided: true });
      return;
    }
    default:
      for (const m of allocationMoves(event)) book.allocate(m.day, m.category, m.amount);
  }
}

/**
 * A batch of a budget read model: folds each event into the read model's book, and keeps the expenses
 * it writes (where each now counts) over those stored before, so an amendment or a void finds them.
 */
export abstract class LedgerBatch<X extends LedgerExpense> implements MonthBook<X> {
  /** The user and month whose event is being folded: where the deltas go. */
  protected user = '';
  protected month: YearMonth = '' as YearMonth;
  /** Expenses written by this batch, by `key(user, month, transaction)`. */
  readonly expenses = new Map<string, ExpenseWrite<X>>();

  constructor(private readonly knownExpenses: ReadonlyMap<string, X>) {}

  protected fold(user: string, month: YearMonth, event: BudgetMonthEvent): void {
    this.user = user;
    this.month = month;
    foldLedger(this, month, event);
  }

  expense(transactionId: string): X | undefined {
    const id = key(this.user, this.month, transactionId);
    return this.expenses.get(id) ?? this.knownExpenses.get(id);
  }

  keepExpense(transactionId: string, expense: X): void {
    const { user, month } = this;
    this.expenses.set(key(user, month, transactionId), { ...expense, user, month, transactionId });
  }

  abstract allocate(day: string, category: string, amount: bigint): void;
  abstract spend(expense: X, sign: 1 | -1): void;
  abstract allocatedPlan(): MonthPlan | undefined;
  abstract toExpense(fields: ExpenseFields): X;
}

/** Splits are pure and plans repeat (users who plan alike, a batch at a time): the last few are kept. */
const splits = new Map<string, readonly CellMove[]>();
const MAX_SPLITS = 256;

function split(month: YearMonth, plan: MonthPlan): readonly CellMove[] {
  const id = `${month}\u0000${plan.splitAlgorithm}\u0000${plan.plan
    .map((c) => `${c.category}\u0001${c.amount}\u0001${c.kind}\u0001${c.dueDay ?? ''}`)
    .join('\u0002')}`;
  let cells = splits.get(id);
  if (!cells) {
    cells = planAllocations(month, plan);
    if (splits.size >= MAX_SPLITS) splits.clear();
    splits.set(id, cells);
  }
  return cells;
}
