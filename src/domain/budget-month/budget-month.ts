import type { Decider } from '../shared/decider.js';
import type { BudgetMonthCommand } from './commands.js';
import { decideBudgetMonth } from './decide.js';
import type { BudgetMonthEvent } from './events.js';
import {
  type BudgetMonthState,
  evolveBudgetMonth,
  foldBudgetMonth,
  initialBudgetMonthState,
} from './state.js';

export const budgetMonthDecider: Decider<BudgetMonthCommand, BudgetMonthEvent, BudgetMonthState> = {
  decide: decideBudgetMonth,
  evolve: evolveBudgetMonth,
  fold: foldBudgetMonth,
  initialState: initialBudgetMonthState,
};
