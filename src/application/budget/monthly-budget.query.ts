import type { CategoryKind } from '../../domain/budget-month/events.js';
import type { Category } from '../../domain/shared/category.js';
import {
  dateInMonth,
  daysInMonth,
  type LocalDate,
  localDateAt,
  parseYearMonth,
  type YearMonth,
} from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import type { BudgetReadModel } from '../ports/budget-read-model.port.js';
import type { Clock } from '../ports/clock.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';

export interface MonthLine {
  readonly planned: bigint;
  readonly allocated: bigint;
  readonly spent: bigint;
  readonly remaining: bigint;
}

export interface MonthlyBudget {
  readonly month: YearMonth;
  readonly currency: Currency;
  readonly planned: boolean;
  readonly splitAlgorithm?: string;
  readonly categories: readonly (MonthLine & { category: Category; kind: CategoryKind })[];
  readonly total: MonthLine;
  /** Overspending the rest of the month could not cover. */
  readonly overdrawn: bigint;
  /** Unspent budget moved to savings at day close. */
  readonly saved: bigint;
}

export type DayStatus = 'upcoming' | 'within' | 'over';

export interface CalendarDay {
  readonly date: LocalDate;
  readonly allocated: bigint;
  readonly spent: bigint;
  readonly remaining: bigint;
  readonly status: DayStatus;
  readonly closed: boolean;
}

/** Planned, allocated, spent and remaining per category for a month, from the daily-allocation read model. */
export const monthlyBudget =
  (deps: { users: UserHandler; readModel: BudgetReadModel }) =>
  async (input: { userId: string; month: string }): Promise<MonthlyBudget> => {
    const user = await requireUser(deps.users, input.userId);
    const month = parseYearMonth(input.month);
    const view = await deps.readModel.month(user.userId, month);
    const empty = { planned: 0n, allocated: 0n, spent: 0n, remaining: 0n };
    if (!view) {
      return {
        month,
        currency: user.currency,
        planned: false,
        categories: [],
        total: empty,
        overdrawn: 0n,
        saved: 0n,
      };
    }
    const categories = view.plan.map(({ category, kind, amount }) => {
      const totals = view.byCategory.get(category);
      const a = totals?.allocated ?? 0n;
      const s = totals?.spent ?? 0n;
      return { category, kind, planned: amount, allocated: a, spent: s, remaining: a - s };
    });
    const total = categories.reduce(
      (t, c) => ({
        planned: t.planned + c.planned,
        allocated: t.allocated + c.allocated,
        spent: t.spent + c.spent,
        remaining: t.remaining + c.remaining,
      }),
      empty,
    );
    return {
      month,
      currency: view.currency,
      planned: view.planned,
      ...(view.planned ? { splitAlgorithm: view.splitAlgorithm } : {}),
      categories,
      total,
      overdrawn: view.overdrawn,
      saved: view.saved,
    };
  };

/** Per day of a month: allocated, spent, remaining and a status relative to the user's today. */
export const calendarMonth =
  (deps: { users: UserHandler; readModel: BudgetReadModel; clock: Clock }) =>
  async (input: {
    userId: string;
    month: string;
  }): Promise<{ month: YearMonth; currency: Currency; days: CalendarDay[] }> => {
    const user = await requireUser(deps.users, input.userId);
    const month = parseYearMonth(input.month);
    const view = await deps.readModel.month(user.userId, month);
    const today = localDateAt(deps.clock.now(), user.profile.timezone);
    const days = Array.from({ length: daysInMonth(month) }, (_, i): CalendarDay => {
      const date = dateInMonth(month, i + 1);
      const totals = view?.byDay.get(date);
      const a = totals?.allocated ?? 0n;
      const s = totals?.spent ?? 0n;
      const status: DayStatus = s > a ? 'over' : date > today ? 'upcoming' : 'within';
      return {
        date,
        allocated: a,
        spent: s,
        remaining: a - s,
        status,
        closed: view?.closedDays.has(date) ?? false,
      };
    });
    return { month, currency: view?.currency ?? user.currency, days };
  };
