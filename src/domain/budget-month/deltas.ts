import { dateInMonth, type YearMonth } from '../shared/local-date.js';
import { parseCellKey } from './cells.js';
import type { BudgetMonthEvent, CellMove, PlannedCategory } from './events.js';
import { splitAlgorithm } from './split-algorithms.js';

/**
 * What each budget event changes, as deltas: the aggregate's fold (state.ts) and the read models
 * (projections/) apply these same functions, so a read model's cells are the aggregate's by construction.
 */

/** How an event moves allocations between cells; none for the events that do not (a plan is `planMoves`). */
export function allocationMoves(event: BudgetMonthEvent): readonly CellMove[] {
  switch (event.type) {
    case 'BudgetReplanned':
    case 'DayClosed':
      return event.data.moves;
    case 'BudgetRebalanced': {
      const { coveredDay, category, amount, moves } = event.data;
      return [...moves, { day: coveredDay, category, amount }];
    }
    case 'AllocationAdjusted': {
      const { from, to, amount } = event.data;
      return [
        { day: from.day, category: from.category, amount: -amount },
        { day: to.day, category: to.category, amount },
      ];
    }
    default:
      return [];
  }
}

/**
 * An expense's spend changed by an amendment (`after`) or a void (no `after`): the expense as it counted
 * comes out (-1), the new one goes in (1), in that order.
 */
export function expenseChange<E>(before: E, after?: E): readonly (readonly [E, 1 | -1])[] {
  return after === undefined
    ? [[before, -1]]
    : [
        [before, -1],
        [after, 1],
      ];
}

export interface MonthPlan {
  readonly splitAlgorithm: string;
  readonly plan: readonly PlannedCategory[];
}

/** A plan's split as dated allocations. */
export const planAllocations = (month: YearMonth, plan: MonthPlan): CellMove[] =>
  [...splitAlgorithm(plan.splitAlgorithm)(plan.plan, month)].map(([cell, amount]) => {
    const { day, category } = parseCellKey(cell);
    return { day: dateInMonth(month, day), category, amount };
  });
