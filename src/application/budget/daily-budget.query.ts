import { budgetMonthStream } from '../../domain/budget-month/budget-month.js';
import { cellAmount } from '../../domain/budget-month/cells.js';
import type { Category } from '../../domain/shared/category.js';
import { dayOfMonth, type LocalDate, monthOf, parseLocalDate } from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';

export interface DailyLine {
  readonly allocated: bigint;
  readonly spent: bigint;
  readonly remaining: bigint;
}

export interface DailyBudget {
  readonly date: LocalDate;
  readonly currency: Currency;
  readonly planned: boolean;
  readonly categories: readonly (DailyLine & { category: Category })[];
  readonly total: DailyLine;
}

/** "How much can I spend today?" per category, folded from the month's stream. */
export const dailyBudget =
  (deps: { users: UserHandler; budgets: BudgetMonthHandler }) =>
  async (input: { userId: string; date: string }): Promise<DailyBudget> => {
    const user = await requireUser(deps.users, input.userId);
    const date = parseLocalDate(input.date);
    const { state } = await deps.budgets.load(budgetMonthStream(user.userId, monthOf(date)));
    if (state.status !== 'planned') {
      return { date, currency: user.currency, planned: false, categories: [], total: line(0n, 0n) };
    }
    const day = dayOfMonth(date);
    const categories = state.plan.map(({ category }) => ({
      category,
      ...line(cellAmount(state.allocated, day, category), cellAmount(state.spent, day, category)),
    }));
    const total = categories.reduce(
      (t, c) => line(t.allocated + c.allocated, t.spent + c.spent),
      line(0n, 0n),
    );
    return { date, currency: state.currency, planned: true, categories, total };
  };

const line = (allocated: bigint, spent: bigint): DailyLine => ({
  allocated,
  spent,
  remaining: allocated - spent,
});
