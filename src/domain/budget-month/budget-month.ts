import type { Decider } from '../shared/decider.js';
import type { YearMonth } from '../shared/local-date.js';
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

/** Stream names are a contract shared by every event store. */
export const budgetMonthStream = (userId: string, month: string): string => `budget-${userId}-${month}`;

const BUDGET_STREAM = /^budget-(.+)-(\d{4}-\d{2})$/;

/** The user and month a `budget-<userId>-<YYYY-MM>` stream belongs to. */
export function budgetStreamOwner(stream: string): { userId: string; month: YearMonth } | undefined {
  const match = BUDGET_STREAM.exec(stream);
  return match ? { userId: match[1] as string, month: match[2] as YearMonth } : undefined;
}
