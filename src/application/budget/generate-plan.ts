import { parseCellKey } from '../../domain/budget-month/cells.js';
import type { PlannedCategory } from '../../domain/budget-month/events.js';
import { withCommitments } from '../../domain/budget-month/fixed-commitments.js';
import {
  type CategoryHistory,
  HISTORY_MONTHS,
  type SuggestionBasis,
  suggestPlan,
} from '../../domain/budget-month/plan-suggestion.js';
import type { PlannedMonth } from '../../domain/budget-month/state.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import type { Category } from '../../domain/shared/category.js';
import { parseYearMonth, type YearMonth } from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import type { CommitmentsOf } from '../recurring/commitments.query.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';

export interface GeneratedPlan {
  readonly month: YearMonth;
  readonly currency: Currency;
  readonly income: bigint;
  readonly categories: PlannedCategory[];
  readonly savings: bigint;
  readonly basis: SuggestionBasis;
}

/**
 * Suggests a plan for `month` from the user's income and the spending of the three months before it
 * (see `suggestPlan`). A read: it never writes; the client saves the plan it accepts with
 * `PUT /api/budget/plan/{month}`. A previous month with no plan, or planned in another currency,
 * contributes nothing. Recurring expenses due in the month are fixed allocations (`withCommitments`).
 */
export const generatePlan =
  (deps: { users: UserHandler; budgets: BudgetMonthHandler; commitmentsOf: CommitmentsOf }) =>
  async (input: { userId: string; month: string }): Promise<GeneratedPlan> => {
    const user = await requireUser(deps.users, input.userId);
    const month = parseYearMonth(input.month);
    const [{ history }, commitments] = await Promise.all([
      planHistory(deps.budgets, user, month),
      deps.commitmentsOf(user.userId, month),
    ]);
    const suggestion = withCommitments(
      suggestPlan({ income: user.income, history }),
      user.income,
      commitments,
    );
    return { month, currency: user.currency, income: user.income, ...suggestion };
  };

/**
 * The planned months among the `HISTORY_MONTHS` before `month` in the user's currency, most recent
 * first, and what a suggestion learns from them.
 */
export async function planHistory(budgets: BudgetMonthHandler, user: RegisteredUser, month: YearMonth) {
  const loaded = await Promise.all(
    previousMonths(month, HISTORY_MONTHS).map((m) => budgets.load(budgetMonthStream(user.userId, m))),
  );
  const months = loaded
    .map(({ state }) => state)
    .filter((s): s is PlannedMonth => s.status === 'planned' && s.currency === user.currency);
  return { months, history: months.map(monthHistory) };
}

/** The `count` months before `month`, most recent first, as `YYYY-MM`. */
export function previousMonths(month: YearMonth, count: number): string[] {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
  return Array.from({ length: count }, (_, i) => {
    const m = index - 1 - i;
    return `${String(Math.floor(m / 12)).padStart(4, '0')}-${String((m % 12) + 1).padStart(2, '0')}`;
  });
}

/** A planned month's spend per category (every spent cell), with the category's plan entry. */
function monthHistory(state: PlannedMonth): CategoryHistory[] {
  const spent = new Map<Category, bigint>();
  for (const [key, amount] of state.spent) {
    const { category } = parseCellKey(key);
    spent.set(category, (spent.get(category) ?? 0n) + amount);
  }
  const planned = new Map(state.plan.map((p) => [p.category, p]));
  const categories = new Set<Category>([...planned.keys(), ...spent.keys()]);
  return [...categories].map((category): CategoryHistory => {
    const entry = planned.get(category);
    return {
      category,
      spent: spent.get(category) ?? 0n,
      ...(entry
        ? {
            planned: {
              amount: entry.amount,
              kind: entry.kind,
              ...(entry.dueDay === undefined ? {} : { dueDay: entry.dueDay }),
            },
          }
        : {}),
    };
  });
}
