import { chooseAutoPlan, DEFAULT_AUTO_PLAN } from '../../domain/budget-month/auto-plan.js';
import { withCommitments } from '../../domain/budget-month/fixed-commitments.js';
import { suggestPlan } from '../../domain/budget-month/plan-suggestion.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { localDateAt, monthOf, type YearMonth } from '../../domain/shared/local-date.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import type { CommandContext } from '../command-handler.js';
import type { BudgetReadModel } from '../ports/budget-read-model.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import type { CommitmentsOf } from '../recurring/commitments.query.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';
import { planHistory, previousMonths } from './generate-plan.js';

export interface AutoPlanDeps {
  readonly budgets: BudgetMonthHandler;
  readonly clock: Clock;
  /** Recurring expenses due in the month, planned as fixed allocations when the plan is a suggestion. */
  readonly commitmentsOf?: CommitmentsOf;
}

/**
 * Gives a month without a plan the one the user's `autoPlan` preference chooses (an ordinary
 * BudgetPlanned with its reason; the month's expenses then count against it). Does nothing when the
 * month has a plan (an automatic plan never replaces one), or when the preference chooses none.
 */
export const autoPlanMonth =
  (deps: AutoPlanDeps) => async (user: RegisteredUser, month: YearMonth, context: CommandContext) => {
    const preference = user.profile.autoPlan ?? DEFAULT_AUTO_PLAN;
    if (preference === 'none') return undefined;
    const [{ months, history }, commitments] = await Promise.all([
      planHistory(deps.budgets, user, month),
      deps.commitmentsOf?.(user.userId, month) ?? [],
    ]);
    const previous = months[0]?.month === previousMonths(month, 1)[0] ? months[0] : undefined;
    const plan = chooseAutoPlan({
      preference,
      income: user.income,
      currency: user.currency,
      ...(previous ? { previous } : {}),
      suggestion: () =>
        withCommitments(suggestPlan({ income: user.income, history }), user.income, commitments),
    });
    if (!plan) return undefined;
    return deps.budgets.handle(
      budgetMonthStream(user.userId, month),
      {
        type: 'PlanMonth',
        data: {
          userId: user.userId,
          month,
          currency: user.currency,
          income: user.income,
          categories: plan.categories,
          ...(plan.splitAlgorithm ? { splitAlgorithm: plan.splitAlgorithm } : {}),
          reason: plan.reason,
          now: deps.clock.now().toISOString(),
        },
      },
      { ...context, actor: user.userId },
    );
  };

export interface PlanOnQueryDeps extends AutoPlanDeps {
  readonly users: UserHandler;
  readonly ids: IdGenerator;
  readonly readModel: BudgetReadModel;
}

/**
 * A month gets its automatic plan at its first query too: the user's current month, or any month that
 * already holds expenses. Future months and empty past ones are not planned by looking at them. The plan
 * is the user's own write, so the read-your-writes query that follows waits for it.
 */
export const planOnFirstQuery = (deps: PlanOnQueryDeps) => {
  const autoPlan = autoPlanMonth(deps);
  // A planned month never becomes unplanned: once seen planned, its queries skip the check (and its reads).
  const planned = new Set<string>();
  const remember = (key: string) => {
    if (planned.size >= MAX_REMEMBERED) planned.clear();
    planned.add(key);
  };
  return async (userId: string, month: YearMonth) => {
    const key = `${userId}|${month}`;
    if (planned.has(key)) return;
    const user = await requireUser(deps.users, userId);
    const current = monthOf(localDateAt(deps.clock.now(), user.profile.timezone));
    if (month > current || (user.profile.autoPlan ?? DEFAULT_AUTO_PLAN) === 'none') return;
    const view = await deps.readModel.month(user.userId, month);
    if (view?.planned) remember(key);
    if (view?.planned || (view === undefined && month < current)) return;
    const handled = await autoPlan(user, month, { correlationId: deps.ids.uuid() });
    if (handled?.state.status === 'planned') remember(key);
  };
};

/** Months remembered as planned, per process: a bound on memory, not a cache policy worth tuning. */
const MAX_REMEMBERED = 100_000;
