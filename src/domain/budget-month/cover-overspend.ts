import { invariant } from '../shared/domain-error.js';
import { dateInMonth, dayOfMonth, daysInMonth } from '../shared/local-date.js';
import { cellAmount } from './cells.js';
import type { Rebalance } from './commands.js';
import type { BudgetMonthEvent } from './events.js';
import { requireInMonth } from './guards.js';
import { DEFAULT_REDISTRIBUTION, redistribution } from './redistribution.js';
import type { PlannedMonth } from './state.js';

/**
 * Covers what is still uncovered in the cell: spent minus allocated, minus any part already declared
 * overdrawn. A second Rebalance for the same overspend finds nothing left and decides nothing.
 */
export function coverOverspend({ data }: Rebalance, state: PlannedMonth): BudgetMonthEvent[] {
  requireInMonth(data.day, state);
  const algorithmName = data.algorithm ?? DEFAULT_REDISTRIBUTION;
  const algorithm = redistribution(algorithmName);
  const day = dayOfMonth(data.day);
  const need =
    cellAmount(state.spent, day, data.category) -
    cellAmount(state.allocated, day, data.category) -
    cellAmount(state.overdrawn, day, data.category);
  if (need <= 0n) return [];
  const takes = algorithm({
    days: daysInMonth(state.month),
    day,
    category: data.category,
    need,
    allocated: state.allocated,
    spent: state.spent,
    plan: state.plan,
  });
  const covered = takes.reduce((t, m) => t + m.amount, 0n);
  invariant(covered <= need, 'a redistribution never covers more than needed');
  invariant(
    takes.every(
      (t) =>
        t.day > day &&
        t.amount > 0n &&
        t.amount <=
          cellAmount(state.allocated, t.day, t.category) - cellAmount(state.spent, t.day, t.category),
    ),
    'a redistribution takes only from what later days have left',
  );
  const events: BudgetMonthEvent[] = [];
  if (covered > 0n) {
    events.push({
      type: 'BudgetRebalanced',
      data: {
        coveredDay: data.day,
        category: data.category,
        amount: covered,
        moves: takes.map((t) => ({
          day: dateInMonth(state.month, t.day),
          category: t.category,
          amount: -t.amount,
        })),
        algorithm: algorithmName,
        causedBy: data.causedBy,
        rebalancedAt: data.now,
      },
    });
  }
  if (covered < need) {
    events.push({
      type: 'MonthOverdrawn',
      data: {
        day: data.day,
        category: data.category,
        shortfall: need - covered,
        causedBy: data.causedBy,
        detectedAt: data.now,
      },
    });
  }
  return events;
}
