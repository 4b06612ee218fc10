import type { Decider } from '../shared/decider.js';
import type { BudgetMonthCommand } from './commands.js';
import { decideBudgetMonth } from './decide.js';
import type { BudgetMonthEvent } from './events.js';
import { type BudgetMonthState, evolveBudgetMonth, initialBudgetMonthState } from './state.js';

export const budgetMonthDecider: Decider<BudgetMonthCommand, BudgetMonthEvent, BudgetMonthState> = {
  decide: decideBudgetMonth,
  evolve: evolveBudgetMonth,
  initialState: initialBudgetMonthState,
};

/** Stream names are a contract shared by every event store. */
export const budgetMonthStream = (userId: string, month: string): string => `budget-${userId}-${month}`;
