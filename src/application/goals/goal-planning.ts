import {
  calculateTimeline,
  type ReversePlan,
  reversePlan,
  type Timeline,
} from '../../domain/goal/goal-planner.js';
import { type SavingCapacity, savingCapacity } from '../../domain/goal/saving-capacity.js';
import { fail } from '../../domain/shared/domain-error.js';
import { type LocalDate, localDateAt, monthOf, parseLocalDate } from '../../domain/shared/local-date.js';
import { type Currency, parseCurrency, parseMoney } from '../../domain/shared/money.js';
import type { BudgetMonthHandler } from '../budget/budget-handler.js';
import { planHistory } from '../budget/generate-plan.js';
import type { Clock } from '../ports/clock.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';

export interface PlanningDeps {
  readonly users: UserHandler;
  readonly budgets: BudgetMonthHandler;
  readonly clock: Clock;
}

/** Who is planning: a user (their currency, time zone, income and spending) or anyone (a currency). */
export interface PlanningInput {
  readonly userId?: string;
  readonly currency?: string;
  readonly target: string;
  readonly current?: string;
  readonly startDate?: string;
}

interface Basis {
  readonly currency: Currency;
  readonly start: LocalDate;
  readonly capacity?: SavingCapacity;
}

async function basisOf(deps: PlanningDeps, input: PlanningInput): Promise<Basis> {
  const explicitStart = input.startDate === undefined ? undefined : parseLocalDate(input.startDate);
  if (input.userId === undefined) {
    if (input.currency === undefined) fail('invalid-goal-plan', 'Without an access token, say the currency');
    const currency = parseCurrency(input.currency as string);
    return { currency, start: explicitStart ?? localDateAt(deps.clock.now(), 'UTC') };
  }
  const user = await requireUser(deps.users, input.userId);
  if (input.currency !== undefined && input.currency !== user.currency) {
    fail('currency-mismatch', `Your amounts are in ${user.currency}`, {
      expected: user.currency,
      actual: input.currency,
    });
  }
  const start = explicitStart ?? localDateAt(deps.clock.now(), user.profile.timezone);
  const { history } = await planHistory(deps.budgets, user, monthOf(start));
  return { currency: user.currency, start, capacity: savingCapacity(user.income, history) };
}

const amounts = (input: PlanningInput, currency: Currency) => ({
  target: parseMoney(input.target, currency).amount,
  current: input.current === undefined ? 0n : parseMoney(input.current, currency).amount,
});

/** The goal planner: pure domain functions fed with the user's own numbers when they are known. */
export function goalPlanning(deps: PlanningDeps) {
  return {
    calculateTimeline: async (
      input: PlanningInput & { monthly: string },
    ): Promise<Basis & { timeline: Timeline }> => {
      const basis = await basisOf(deps, input);
      const timeline = calculateTimeline({
        ...amounts(input, basis.currency),
        monthly: parseMoney(input.monthly, basis.currency).amount,
        start: basis.start,
        ...(basis.capacity ? { capacity: basis.capacity.monthly } : {}),
      });
      return { ...basis, timeline };
    },
    reversePlan: async (
      input: PlanningInput & { targetDate: string },
    ): Promise<Basis & { plan: ReversePlan }> => {
      const basis = await basisOf(deps, input);
      const plan = reversePlan({
        ...amounts(input, basis.currency),
        targetDate: parseLocalDate(input.targetDate),
        start: basis.start,
        ...(basis.capacity ? { capacity: basis.capacity.monthly } : {}),
      });
      return { ...basis, plan };
    },
  };
}
