import { budgetMonthStream } from '../../domain/budget-month/budget-month.js';
import { type Cells, parseCellKey, sumCells } from '../../domain/budget-month/cells.js';
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
import type { Clock } from '../ports/clock.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';

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

const perCategory = (cells: Cells): Map<string, bigint> => {
  const totals = new Map<string, bigint>();
  for (const [key, value] of cells) {
    const { category } = parseCellKey(key);
    totals.set(category, (totals.get(category) ?? 0n) + value);
  }
  return totals;
};

const perDay = (cells: Cells): Map<number, bigint> => {
  const totals = new Map<number, bigint>();
  for (const [key, value] of cells) {
    const { day } = parseCellKey(key);
    totals.set(day, (totals.get(day) ?? 0n) + value);
  }
  return totals;
};

/** Planned, allocated, spent and remaining per category for a month, folded from its stream. */
export const monthlyBudget =
  (deps: { users: UserHandler; budgets: BudgetMonthHandler }) =>
  async (input: { userId: string; month: string }): Promise<MonthlyBudget> => {
    const user = await requireUser(deps.users, input.userId);
    const month = parseYearMonth(input.month);
    const { state } = await deps.budgets.load(budgetMonthStream(user.userId, month));
    const empty = { planned: 0n, allocated: 0n, spent: 0n, remaining: 0n };
    if (state.status !== 'planned') {
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
    const allocated = perCategory(state.allocated);
    const spent = perCategory(state.spent);
    const categories = state.plan.map(({ category, kind, amount }) => {
      const a = allocated.get(category) ?? 0n;
      const s = spent.get(category) ?? 0n;
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
      currency: state.currency,
      planned: true,
      splitAlgorithm: state.splitAlgorithm,
      categories,
      total,
      overdrawn: sumCells(state.overdrawn),
      saved: state.saved,
    };
  };

/** Per day of a month: allocated, spent, remaining and a status relative to the user's today. */
export const calendarMonth =
  (deps: { users: UserHandler; budgets: BudgetMonthHandler; clock: Clock }) =>
  async (input: {
    userId: string;
    month: string;
  }): Promise<{ month: YearMonth; currency: Currency; days: CalendarDay[] }> => {
    const user = await requireUser(deps.users, input.userId);
    const month = parseYearMonth(input.month);
    const { state } = await deps.budgets.load(budgetMonthStream(user.userId, month));
    const today = localDateAt(deps.clock.now(), user.profile.timezone);
    const allocated = state.status === 'planned' ? perDay(state.allocated) : new Map<number, bigint>();
    const spent = state.status === 'planned' ? perDay(state.spent) : new Map<number, bigint>();
    const days = Array.from({ length: daysInMonth(month) }, (_, i): CalendarDay => {
      const date = dateInMonth(month, i + 1);
      const a = allocated.get(i + 1) ?? 0n;
      const s = spent.get(i + 1) ?? 0n;
      const status: DayStatus = s > a ? 'over' : date > today ? 'upcoming' : 'within';
      const closed = state.status === 'planned' && state.closedDays.has(i + 1);
      return { date, allocated: a, spent: s, remaining: a - s, status, closed };
    });
    return { month, currency: state.status === 'planned' ? state.currency : user.currency, days };
  };
