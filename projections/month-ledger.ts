import type { PoolClient } from 'pg';
import { budgetMonthCodec } from '../src/application/events/budget-month.codec.js';
import type { RecordedEvent } from '../src/application/ports/event-store.port.js';
import {
  allocationMoves,
  expenseChange,
  type MonthPlan,
  planAllocations,
} from '../src/domain/budget-month/deltas.js';
import type { BudgetMonthEvent, CellMove, ExpenseFields } from '../src/domain/budget-month/events.js';
import type { YearMonth } from '../src/domain/shared/local-date.js';
import { budgetStreamOwner, rowsByKeys } from './support.js';

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

/** A budget event with the owner of its stream, decoded once however many projections read it. */
export interface OwnedEvent {
  readonly userId: string;
  readonly month: YearMonth;
  readonly event: BudgetMonthEvent;
}

const decoded = new WeakMap<RecordedEvent, OwnedEvent | null | { failed: unknown }>();

/**
 * The batch's budget events of `types`, decoded. A batch is handed to every projection of a runner
 * group as the same objects, so each event is validated once; one that does not decode throws for
 * every projection that reads it (each parks it).
 */
export function budgetEvents(
  recorded: readonly RecordedEvent[],
  types: ReadonlySet<string> = budgetMonthCodec.types,
): OwnedEvent[] {
  const events: OwnedEvent[] = [];
  for (const r of recorded) {
    if (!types.has(r.type)) continue;
    let entry = decoded.get(r);
    if (entry === undefined) {
      const owner = budgetStreamOwner(r.streamName);
      try {
        entry = owner ? { ...owner, event: budgetMonthCodec.decode(r) } : null;
      } catch (error) {
        entry = { failed: error };
      }
      decoded.set(r, entry);
    }
    if (entry === null) continue;
    if ('failed' in entry) throw entry.failed;
    events.push(entry);
  }
  return events;
}

/** Map keys of (user, month[, transaction]): any text, so separators in names cannot collide. */
export const key = (...parts: string[]) => JSON.stringify(parts);
export const keyParts = (k: string) => JSON.parse(k) as string[];

/** The (user, month, transaction) of every expense the batch amends or voids. */
export function changedExpenseKeys(events: readonly OwnedEvent[]): string[][] {
  const keys = new Map<string, string[]>();
  for (const { userId, month, event } of events) {
    if (event.type === 'ExpenseAmended' || event.type === 'ExpenseVoided')
      keys.set(key(userId, month, event.data.transactionId), [userId, month, event.data.transactionId]);
  }
  return [...keys.values()];
}

/** The stored `$.expenses` rows of `keys`, by `key(user, month, transaction)`; `extra` adds columns. */
export async function loadExpenses<X extends LedgerExpense>(
  client: PoolClient,
  sql: (text: string) => string,
  keys: readonly string[][],
  toExpense: (row: ExpenseRow) => X,
  extra = '',
): Promise<Map<string, X>> {
  const rows = await rowsByKeys<ExpenseRow>(
    client,
    sql(`SELECT t.user_id, t.month, t.transaction_id, to_char(t.day, 'YYYY-MM-DD') AS day, t.category,
           t.amount::text AS amount, t.voided${extra} FROM $.expenses t`),
    ['user_id', 'month', 'transaction_id'],
    ['uuid', 'text', 'text'],
    keys,
  );
  return new Map(rows.map((r) => [key(r.user_id, r.month, r.transaction_id), toExpense(r)]));
}

export interface ExpenseRow {
  readonly user_id: string;
  readonly month: string;
  readonly transaction_id: string;
  readonly day: string;
  readonly category: string;
  readonly amount: string;
  readonly voided: boolean;
  readonly [extra: string]: unknown;
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
