import { fail } from '../shared/domain-error.js';
import { adjustAllocation } from './adjust.js';
import { closeDay } from './close-day.js';
import type { BudgetMonthCommand } from './commands.js';
import { coverOverspend } from './cover-overspend.js';
import type { BudgetMonthEvent } from './events.js';
import { amendExpense, recordExpense, voidExpense } from './expenses.js';
import { requirePlanned } from './guards.js';
import { planMonth } from './plan.js';
import type { BudgetMonthState } from './state.js';

/**
 * Events a month may hold before the user's own commands are refused: about forty times the busiest
 * real month, so it stops runaway scripts, not people. Rebalances and day closes still run (each user
 * command causes at most one or two), so a full month stays consistent.
 */
export const MAX_EVENTS_PER_MONTH = 20_000;

export function decideBudgetMonth(command: BudgetMonthCommand, state: BudgetMonthState): BudgetMonthEvent[] {
  if (command.type !== 'Rebalance' && command.type !== 'CloseDay' && state.events >= MAX_EVENTS_PER_MONTH) {
    fail('month-full', `A month holds at most ${MAX_EVENTS_PER_MONTH} events`, {
      limit: MAX_EVENTS_PER_MONTH,
    });
  }
  switch (command.type) {
    case 'PlanMonth':
      return planMonth(command, state);
    case 'RecordExpense':
      return recordExpense(command, state);
    case 'AmendExpense':
      return amendExpense(command, state);
    case 'VoidExpense':
      return voidExpense(command, state);
    case 'Rebalance':
      return coverOverspend(command, requirePlanned(state));
    case 'AdjustAllocation':
      return adjustAllocation(command, requirePlanned(state));
    case 'CloseDay':
      return closeDay(command, requirePlanned(state));
  }
}
