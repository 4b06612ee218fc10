import { fail } from '../shared/domain-error.js';
import { dateInMonth, dayOfMonth, daysInMonth, monthOf } from '../shared/local-date.js';
import { parseCellKey } from './cells.js';
import type { PlanMonth } from './commands.js';
import { consequences } from './consequences.js';
import type { BudgetMonthEvent, PlannedCategory } from './events.js';
import { MAX_CATEGORIES, requireCategoryLimit, requireInMonth } from './guards.js';
import { replan } from './replan.js';
import { DEFAULT_SPLIT_ALGORITHM, splitAlgorithm } from './split-algorithms.js';
import {
  type BudgetMonthState,
  evolveBudgetMonth,
  type PlannedMonth,
  type UnplannedMonth,
  withCategory,
} from './state.js';

// Planning a month: the first plan, a change before anything is locked, a re-plan from an effective day on.

export function planMonth({ data }: PlanMonth, state: BudgetMonthState): BudgetMonthEvent[] {
  const algorithm = data.splitAlgorithm ?? DEFAULT_SPLIT_ALGORITHM;
  splitAlgorithm(algorithm);
  validatePlan(data);
  const categories = [...data.categories].sort((a, b) => (a.category < b.category ? -1 : 1));
  if (state.status === 'unplanned') return firstPlan(data, categories, algorithm, state);
  // An automatic plan only ever fills a month without one.
  if (data.reason !== undefined && data.reason !== 'manual') return [];
  if (!state.locked && data.effectiveFrom === undefined) {
    const same =
      state.splitAlgorithm === algorithm &&
      state.income === data.income &&
      state.currency === data.currency &&
      samePlan(state.plan, categories);
    return same ? [] : [plannedEvent(data, categories, algorithm)];
  }
  return replanMonth(data, categories, algorithm, state);
}

const plannedEvent = (
  data: PlanMonth['data'],
  categories: PlannedCategory[],
  algorithm: string,
): BudgetMonthEvent => ({
  type: 'BudgetPlanned',
  data: {
    userId: data.userId,
    month: data.month,
    currency: data.currency,
    income: data.income,
    categories,
    splitAlgorithm: algorithm,
    ...(data.reason ? { reason: data.reason } : {}),
    plannedAt: data.now,
  },
});

/**
 * The first plan of a month that may already hold expenses: their categories join the plan (nothing
 * planned for the ones it does not name) and every cell they overspend is detected at once.
 */
export function firstPlan(
  data: PlanMonth['data'],
  categories: PlannedCategory[],
  algorithm: string,
  state: UnplannedMonth,
): BudgetMonthEvent[] {
  if (state.currency !== undefined && state.currency !== data.currency) {
    fail('currency-mismatch', `${data.month} has expenses in ${state.currency}, not ${data.currency}`, {
      expected: state.currency,
      actual: data.currency,
    });
  }
  let plan: readonly PlannedCategory[] = categories;
  for (const { category } of state.plan) plan = withCategory(plan, category);
  requireCategoryLimit(plan.length);
  const planned = plannedEvent(data, [...plan], algorithm);
  const after = evolveBudgetMonth(state, planned) as PlannedMonth;
  const cells = [...state.spent.keys()].map(parseCellKey);
  return [planned, ...consequences(state, after, cells, data.now)];
}

/** A plan change from an effective day on, in a month with history (see `replan`). */
function replanMonth(
  data: PlanMonth['data'],
  categories: PlannedCategory[],
  algorithm: string,
  state: PlannedMonth,
): BudgetMonthEvent[] {
  if (data.currency !== state.currency) {
    fail('currency-mismatch', `${state.month} is budgeted in ${state.currency}, not ${data.currency}`, {
      expected: state.currency,
      actual: data.currency,
    });
  }
  const from = effectiveDay(data, state);
  const changed = replan(state, categories, algorithm, from);
  requireCategoryLimit(changed.categories.length);
  const same =
    changed.moves.length === 0 &&
    state.splitAlgorithm === algorithm &&
    state.income === data.income &&
    samePlan(state.plan, changed.categories);
  if (same) return [];
  const replanned: BudgetMonthEvent = {
    type: 'BudgetReplanned',
    data: {
      effectiveFrom: dateInMonth(state.month, from),
      income: data.income,
      categories: changed.categories,
      splitAlgorithm: algorithm,
      moves: changed.moves,
      ...(data.reason ? { reason: data.reason } : {}),
      replannedAt: data.now,
    },
  };
  const after = evolveBudgetMonth(state, replanned) as PlannedMonth;
  const cells = changed.moves.map((m) => ({ day: dayOfMonth(m.day), category: m.category }));
  return [replanned, ...consequences(state, after, cells, data.now)];
}

/** The explicit effective day, or the user's today clamped into the month (day 1 without a today). */
function effectiveDay(data: PlanMonth['data'], state: PlannedMonth): number {
  if (data.effectiveFrom !== undefined) {
    requireInMonth(data.effectiveFrom, state);
    return dayOfMonth(data.effectiveFrom);
  }
  if (data.today === undefined) return 1;
  const month = monthOf(data.today);
  if (month < state.month) return 1;
  if (month > state.month) return daysInMonth(state.month);
  return dayOfMonth(data.today);
}

function validatePlan(data: PlanMonth['data']): void {
  const { categories, income } = data;
  if (categories.length === 0 || categories.length > MAX_CATEGORIES) {
    fail('invalid-plan', `A plan has 1 to ${MAX_CATEGORIES} categories`);
  }
  const seen = new Set<string>();
  let total = 0n;
  for (const { category, amount, kind, dueDay } of categories) {
    if (seen.has(category)) fail('invalid-plan', `Category "${category}" appears twice`, { category });
    seen.add(category);
    if (amount < 0n) fail('invalid-plan', `Category "${category}" has a negative amount`, { category });
    if (
      kind === 'fixed' &&
      (dueDay === undefined || !Number.isInteger(dueDay) || dueDay < 1 || dueDay > 31)
    ) {
      fail('invalid-plan', `Fixed category "${category}" needs a dueDay from 1 to 31`, { category });
    }
    if (kind === 'flexible' && dueDay !== undefined) {
      fail('invalid-plan', `Flexible category "${category}" has no dueDay`, { category });
    }
    total += amount;
  }
  if (income < 0n) fail('invalid-plan', 'Income is negative');
  if (total > income) {
    fail('plan-exceeds-income', 'The planned categories add up to more than the income', {
      planned: total.toString(),
      income: income.toString(),
    });
  }
}

const samePlan = (a: PlannedMonth['plan'], b: PlannedMonth['plan']): boolean =>
  a.length === b.length &&
  a.every((x, i) => {
    const y = b[i];
    return (
      y && x.category === y.category && x.amount === y.amount && x.kind === y.kind && x.dueDay === y.dueDay
    );
  });
