import type { Currency } from '../shared/money.js';
import type { PlannedCategory, PlanReason } from './events.js';
import type { PlanSuggestion } from './plan-suggestion.js';
import type { PlannedMonth } from './state.js';

/**
 * How a month that has no plan gets one at its first write or query: the previous month's plan, a
 * suggestion from income and history, or none (its expenses wait, unallocated, for a plan).
 */
export type AutoPlanPreference = 'previous' | 'suggested' | 'none';
export const autoPlanPreferences: readonly AutoPlanPreference[] = ['previous', 'suggested', 'none'];
export const DEFAULT_AUTO_PLAN: AutoPlanPreference = 'previous';

export interface AutoPlan {
  readonly categories: PlannedCategory[];
  readonly splitAlgorithm?: string;
  readonly reason: Extract<PlanReason, 'auto-previous' | 'auto-suggested'>;
}

export interface AutoPlanInput {
  readonly preference: AutoPlanPreference;
  readonly income: bigint;
  readonly currency: Currency;
  /** The month before, when it has a plan. */
  readonly previous?: PlannedMonth;
  readonly suggestion: () => PlanSuggestion;
}

/**
 * `previous` takes last month's planned categories (not the ones expenses merely brought in) when they
 * are in the same currency and still fit the income; otherwise, like `suggested`, a suggestion. A
 * suggestion with nothing in it (no income, no history) plans nothing.
 */
export function chooseAutoPlan(input: AutoPlanInput): AutoPlan | undefined {
  if (input.preference === 'none') return undefined;
  const previous = input.preference === 'previous' ? previousPlan(input) : undefined;
  if (previous) return previous;
  const { categories } = input.suggestion();
  const planned = categories.filter((c) => c.amount > 0n);
  return planned.length === 0 ? undefined : { categories: planned, reason: 'auto-suggested' };
}

function previousPlan({ previous, currency, income }: AutoPlanInput): AutoPlan | undefined {
  if (!previous || previous.currency !== currency) return undefined;
  const categories = previous.plan.filter((c) => c.amount > 0n);
  const total = categories.reduce((t, c) => t + c.amount, 0n);
  if (categories.length === 0 || total > income) return undefined;
  return { categories, splitAlgorithm: previous.splitAlgorithm, reason: 'auto-previous' };
}
