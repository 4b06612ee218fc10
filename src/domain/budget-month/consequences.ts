import type { Category } from '../shared/category.js';
import { dateInMonth, dayOfMonth } from '../shared/local-date.js';
import { cellAmount, cellKey } from './cells.js';
import type { OverspendDetected, ShortfallReduced } from './events.js';
import type { BudgetMonthState, PlannedMonth } from './state.js';

export interface CellAt {
  readonly day: number;
  readonly category: Category;
}

/**
 * What a change of spending or allocation in some cells means for the month, decided in the same
 * append as the change:
 * - a cell whose uncovered spending grew is an overspend (`overBy` is only the newly exceeded part, so
 *   spending already over and not yet rebalanced is not reported twice);
 * - a cell declared overdrawn that now has less uncovered spending than declared gets the difference
 *   back (ShortfallReduced), so `overdrawn` is always what remains uncovered.
 * `transactionId` names the expense that changed, when one did.
 */
export function consequences(
  before: BudgetMonthState,
  after: PlannedMonth,
  cells: readonly CellAt[],
  now: string,
  transactionId?: string,
): (ShortfallReduced | OverspendDetected)[] {
  const reduced: ShortfallReduced[] = [];
  const detected: OverspendDetected[] = [];
  const seen = new Set<string>();
  for (const { day, category } of cells) {
    const key = cellKey(day, category);
    if (seen.has(key)) continue;
    seen.add(key);
    const date = dateInMonth(after.month, day);
    const excess = cellAmount(after.overdrawn, day, category) - uncovered(after, day, category);
    if (excess > 0n) {
      reduced.push({
        type: 'ShortfallReduced',
        data: {
          day: date,
          category,
          amount: excess,
          ...(transactionId ? { transactionId } : {}),
          reducedAt: now,
        },
      });
    }
    const overBy = uncovered(after, day, category) - uncovered(before, day, category);
    if (overBy > 0n) {
      const causedBy = transactionId ?? lastExpenseIn(after, day, category);
      detected.push({ type: 'OverspendDetected', data: { day: date, category, overBy, causedBy } });
    }
  }
  return [...reduced, ...detected];
}

/** Spending a cell's allocation does not cover; nothing is over in a month without a plan. */
function uncovered(state: BudgetMonthState, day: number, category: Category): bigint {
  if (state.status !== 'planned') return 0n;
  const over = cellAmount(state.spent, day, category) - cellAmount(state.allocated, day, category);
  return over > 0n ? over : 0n;
}

/** The latest live expense of a cell: what an overspend a plan change revealed is attributed to. */
function lastExpenseIn(state: PlannedMonth, day: number, category: Category): string {
  let last = '';
  for (const [id, t] of state.transactions) {
    if (!t.voided && t.current.category === category && dayOfMonth(t.current.day) === day) last = id;
  }
  return last;
}
