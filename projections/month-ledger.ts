import { budgetMonthCodec } from '../src/application/events/budget-month.codec.js';
import type { RecordedEvent } from '../src/application/ports/event-store.port.js';
import { parseCellKey } from '../src/domain/budget-month/cells.js';
import type { BudgetMonthEvent, CellMove, PlannedCategory } from '../src/domain/budget-month/events.js';
import { splitAlgorithm } from '../src/domain/budget-month/split-algorithms.js';
import { dateInMonth, type YearMonth } from '../src/domain/shared/local-date.js';
import { budgetStreamOwner } from './support.js';

/**
 * The plan and expense bookkeeping that the budget read models share: what a plan, a re-plan, a move and
 * an amendment or a void change, as allocation and spend deltas handed to the read model's sink. Each
 * read model keeps its own rows; only the deltas' arithmetic lives here, once.
 */
export interface LedgerSink<E> {
  allocate(day: string, category: string, amount: bigint): void;
  /** An expense counted (`sign` 1) or taken back out (-1). */
  spend(expense: E, sign: 1 | -1): void;
}

export interface MonthPlan {
  readonly splitAlgorithm: string;
  readonly plan: readonly PlannedCategory[];
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

/** Splits are pure and plans repeat (users who plan alike, a batch at a time): the last few are kept. */
const splits = new Map<string, readonly [string, string, bigint][]>();
const MAX_SPLITS = 256;

function split(month: YearMonth, plan: MonthPlan): readonly [string, string, bigint][] {
  const key = `${month}\u0000${plan.splitAlgorithm}\u0000${plan.plan
    .map((c) => `${c.category}\u0001${c.amount}\u0001${c.kind}\u0001${c.dueDay ?? ''}`)
    .join('\u0002')}`;
  let cells = splits.get(key);
  if (!cells) {
    cells = [...splitAlgorithm(plan.splitAlgorithm)(plan.plan, month)].map(([cell, amount]) => {
      const { day, category } = parseCellKey(cell);
      return [dateInMonth(month, day), category, amount] as const;
    });
    if (splits.size >= MAX_SPLITS) splits.clear();
    splits.set(key, cells);
  }
  return cells;
}

/** A (re)plan before anything else happened in the month: the new split in, the previous one out. */
export function replacePlan<E>(
  sink: LedgerSink<E>,
  month: YearMonth,
  previous: MonthPlan | undefined,
  next: MonthPlan,
): void {
  if (previous)
    for (const [day, category, amount] of split(month, previous)) sink.allocate(day, category, -amount);
  for (const [day, category, amount] of split(month, next)) sink.allocate(day, category, amount);
}

/** Moves recorded by a re-plan, a rebalance or a day close. */
export function applyMoves<E>(sink: LedgerSink<E>, moves: readonly CellMove[]): void {
  for (const move of moves) sink.allocate(move.day, move.category, move.amount);
}

/** An amendment (`after`) or a void (no `after`): the expense as it counted comes out, the new one goes in. */
export function changeExpense<E>(sink: LedgerSink<E>, before: E, after?: E): void {
  sink.spend(before, -1);
  if (after !== undefined) sink.spend(after, 1);
}
