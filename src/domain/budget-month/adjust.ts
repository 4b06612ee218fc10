import { fail } from '../shared/domain-error.js';
import { dayOfMonth } from '../shared/local-date.js';
import { cellAmount } from './cells.js';
import type { AdjustAllocation } from './commands.js';
import { consequences } from './consequences.js';
import type { BudgetMonthEvent } from './events.js';
import { requireCategory, requireInMonth } from './guards.js';
import { evolveBudgetMonth, type PlannedMonth } from './state.js';

export function adjustAllocation({ data }: AdjustAllocation, state: PlannedMonth): BudgetMonthEvent[] {
  for (const cell of [data.from, data.to]) {
    requireInMonth(cell.day, state);
    requireCategory(cell.category, state);
  }
  if (data.amount <= 0n) fail('invalid-adjustment', 'An adjustment moves an amount greater than zero');
  if (data.from.day === data.to.day && data.from.category === data.to.category) {
    fail('invalid-adjustment', 'An adjustment moves between two different cells');
  }
  const fromDay = dayOfMonth(data.from.day);
  const left =
    cellAmount(state.allocated, fromDay, data.from.category) -
    cellAmount(state.spent, fromDay, data.from.category);
  if (data.amount > left) {
    fail(
      'insufficient-allocation',
      `${data.from.category} on ${data.from.day} has only ${left} minor units left`,
      {
        available: (left > 0n ? left : 0n).toString(),
      },
    );
  }
  const adjusted: BudgetMonthEvent = {
    type: 'AllocationAdjusted',
    data: {
      from: data.from,
      to: data.to,
      amount: data.amount,
      ...(data.reason ? { reason: data.reason } : {}),
      adjustedAt: data.now,
    },
  };
  // More allocation in the receiving cell can shrink a shortfall declared there.
  const after = evolveBudgetMonth(state, adjusted) as PlannedMonth;
  return [
    adjusted,
    ...consequences(state, after, [{ day: dayOfMonth(data.to.day), category: data.to.category }], data.now),
  ];
}
