import type { Category } from '../../domain/shared/category.js';
import { type LocalDate, parseLocalDate } from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import type { BudgetReadModel } from '../ports/budget-read-model.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';

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

/** How long a read waits, by default, for the read models to reach the position a client wrote at. */
export const READ_YOUR_WRITES_TIMEOUT_MS = 2000;

/** "How much can I spend today?" per category, from the daily-allocation read model. */
export const dailyBudget =
  (deps: { users: UserHandler; readModel: BudgetReadModel }) =>
  async (input: { userId: string; date: string }): Promise<DailyBudget> => {
    const user = await requireUser(deps.users, input.userId);
    const date = parseLocalDate(input.date);
    const view = await deps.readModel.day(user.userId, date);
    if (!view) {
      return { date, currency: user.currency, planned: false, categories: [], total: line(0n, 0n) };
    }
    const categories = view.month.plan.map(({ category }) => {
      const cell = view.cells.get(category);
      return { category, ...line(cell?.allocated ?? 0n, cell?.spent ?? 0n) };
    });
    const total = categories.reduce(
      (t, c) => line(t.allocated + c.allocated, t.spent + c.spent),
      line(0n, 0n),
    );
    return { date, currency: view.month.currency, planned: view.month.planned, categories, total };
  };

const line = (allocated: bigint, spent: bigint): DailyLine => ({
  allocated,
  spent,
  remaining: allocated - spent,
});
