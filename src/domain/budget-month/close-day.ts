import { dateInMonth, dayOfMonth, daysInMonth } from '../shared/local-date.js';
import type { CloseDay } from './commands.js';
import { consequences } from './consequences.js';
import type { BudgetMonthEvent } from './events.js';
import { requireInMonth } from './guards.js';
import { ROLLOVER_ALGORITHM, rollover } from './rollover.js';
import { evolveBudgetMonth, type PlannedMonth } from './state.js';

export function closeDay({ data }: CloseDay, state: PlannedMonth): BudgetMonthEvent[] {
  requireInMonth(data.day, state);
  const day = dayOfMonth(data.day);
  if (state.closedDays.has(day)) return [];
  const { moves, saved } = rollover(
    data.policy,
    day,
    daysInMonth(state.month),
    state.plan,
    state.allocated,
    state.spent,
  );
  const closed: BudgetMonthEvent = {
    type: 'DayClosed',
    data: {
      day: data.day,
      policy: data.policy,
      moves: moves.map((m) => ({
        day: dateInMonth(state.month, m.day),
        category: m.category,
        amount: m.amount,
      })),
      saved,
      algorithm: ROLLOVER_ALGORITHM,
      closedAt: data.now,
    },
  };
  // Leftovers rolled forward into a cell declared overdrawn shrink its shortfall.
  const after = evolveBudgetMonth(state, closed) as PlannedMonth;
  const received = moves.filter((m) => m.amount > 0n);
  return [closed, ...consequences(state, after, received, data.now)];
}
