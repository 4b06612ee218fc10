import type { Category } from '../shared/category.js';
import type { BudgetMonthState } from './state.js';

/** Where an expense goes when nothing is known about it (the last tier of categorization). */
export const FALLBACK_CATEGORY = 'other' as Category;

/**
 * Quick entry without a category: the first flexible category of the month's plan (plans keep their
 * categories in name order), else `other`, which joins the month like any unplanned category.
 */
export function quickEntryCategory(state: BudgetMonthState): Category {
  const flexible = state.status === 'planned' ? state.plan.find((p) => p.kind === 'flexible') : undefined;
  return flexible?.category ?? FALLBACK_CATEGORY;
}
