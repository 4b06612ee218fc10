import { parseCellKey } from '../../domain/budget-month/cells.js';
import type { BudgetMonthState } from '../../domain/budget-month/state.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import type { Goal } from '../../domain/goal/goal.js';
import { wholeMonthsBetween } from '../../domain/goal/goal-planner.js';
import { SAVINGS_CATEGORY } from '../../domain/goal/saving-capacity.js';
import { recommendBudget } from '../../domain/planning/budget-recommendation.js';
import { healthScore } from '../../domain/planning/health-score.js';
import type { RecurringExpense } from '../../domain/recurring/recurring.js';
import {
  daysInMonth,
  type LocalDate,
  localDateAt,
  monthOf,
  parseYearMonth,
  type YearMonth,
} from '../../domain/shared/local-date.js';
import type { BudgetMonthHandler } from '../budget/budget-handler.js';
import { planHistory, previousMonths } from '../budget/generate-plan.js';
import type { Clock } from '../ports/clock.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';

export interface FinancialPlanningDeps {
  readonly users: UserHandler;
  readonly budgets: BudgetMonthHandler;
  readonly clock: Clock;
  readonly goalsOf: (userId: string) => Promise<Goal[]>;
  readonly recurringOf: (userId: string) => Promise<{ entries: RecurringExpense[] }>;
}

/** Months of score history. */
const HISTORY = 6;
const ceilDiv = (a: bigint, b: bigint) => (a <= 0n ? 0n : (a + b - 1n) / b);

/** What the active goals need each month to meet their dates (a year for a goal without one). */
export function goalsMonthly(goals: readonly Goal[], today: LocalDate): bigint {
  return goals
    .filter((g) => g.status === 'active')
    .reduce((sum, g) => {
      const months = g.targetDate ? Math.max(1, wholeMonthsBetween(today, g.targetDate)) : 12;
      return sum + ceilDiv(g.target - g.saved, BigInt(months));
    }, 0n);
}

const recurringMonthly = (entries: readonly RecurringExpense[]): bigint =>
  entries.reduce(
    (sum, e) =>
      sum +
      (e.schedule.frequency === 'monthly'
        ? e.amount
        : e.schedule.frequency === 'weekly'
          ? ceilDiv(e.amount * 52n, 12n)
          : ceilDiv(e.amount, 12n)),
    0n,
  );

/** Spending per day of a month (savings excluded), up to `lastDay`. */
function dailySpending(state: BudgetMonthState, lastDay: number): bigint[] {
  const days = Array.from({ length: lastDay }, () => 0n);
  for (const [key, amount] of state.spent) {
    const { day, category } = parseCellKey(key);
    if (category !== SAVINGS_CATEGORY && day <= lastDay) days[day - 1] = (days[day - 1] as bigint) + amount;
  }
  return days;
}

/** Goal savings as of a day: contributions dated up to it (withdrawals count from the current month only). */
const savedBy = (goal: Goal, end: LocalDate, current: boolean): bigint =>
  current
    ? goal.saved
    : [...goal.contributions.values()].filter((c) => c.day <= end).reduce((s, c) => s + c.amount, 0n);

/** The budget optimizer and the financial health score. */
export function financialPlanning(deps: FinancialPlanningDeps) {
  const todayOf = (timezone: string) => localDateAt(deps.clock.now(), timezone);

  const recommend = async (input: { userId: string; month?: string }) => {
    const user = await requireUser(deps.users, input.userId);
    const today = todayOf(user.profile.timezone);
    const month = input.month === undefined ? monthOf(today) : parseYearMonth(input.month);
    const [{ history }, goals, recurring] = await Promise.all([
      planHistory(deps.budgets, user, month),
      deps.goalsOf(user.userId),
      deps.recurringOf(user.userId),
    ]);
    const needed = { goals: goalsMonthly(goals, today), recurring: recurringMonthly(recurring.entries) };
    const recommendation = recommendBudget({
      income: user.income,
      history,
      goalsMonthly: needed.goals,
      recurringMonthly: needed.recurring,
    });
    return {
      month,
      currency: user.currency,
      income: user.income,
      historyMonths: history.length,
      needed,
      ...recommendation,
    };
  };

  const health = async (userId: string) => {
    const user = await requireUser(deps.users, userId);
    const today = todayOf(user.profile.timezone);
    const current = monthOf(today);
    const months = [current, ...previousMonths(current, HISTORY - 1)] as YearMonth[];
    const [states, goals] = await Promise.all([
      Promise.all(months.map((m) => deps.budgets.load(budgetMonthStream(user.userId, m)))),
      deps.goalsOf(user.userId),
    ]);
    const spentOf = (state: BudgetMonthState, m: YearMonth) =>
      dailySpending(state, m === current ? Number(today.slice(8, 10)) : daysInMonth(m));
    const history = months.flatMap((m, i) => {
      const state = (states[i] as { state: BudgetMonthState }).state;
      if (state.events === 0) return [];
      const end = (m === current ? today : `${m}-${String(daysInMonth(m)).padStart(2, '0')}`) as LocalDate;
      const days = spentOf(state, m);
      const before = states
        .slice(i + 1, i + 4)
        .map(({ state: s }, j) => spentOf(s, months[i + 1 + j] as YearMonth));
      const monthly = before.length
        ? before.reduce((sum, d) => sum + d.reduce((a, b) => a + b, 0n), 0n) / BigInt(before.length)
        : days.reduce((a, b) => a + b, 0n);
      const live = goals.filter((g) => g.createdAt.slice(0, 10) <= end && g.status !== 'abandoned');
      const result = healthScore({
        income: state.status === 'planned' ? state.income : user.income,
        spent: days.reduce((a, b) => a + b, 0n),
        dailySpending: days,
        saved: live.reduce((s, g) => s + savedBy(g, end, m === current), 0n),
        monthlySpending: monthly,
        goalProgress: live.map((g) => {
          const saved = savedBy(g, end, m === current);
          return saved >= g.target ? 100 : Number((saved * 100n) / g.target);
        }),
      });
      return [{ month: m, ...result }];
    });
    return { currency: user.currency, current: history.find((h) => h.month === current), history };
  };

  return { recommendBudget: recommend, financialHealth: health };
}
