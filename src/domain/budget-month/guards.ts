import type { Category } from '../shared/category.js';
import { fail } from '../shared/domain-error.js';
import { type LocalDate, monthOf } from '../shared/local-date.js';
import type { BudgetMonthState, PlannedMonth } from './state.js';

// What every rule of the month checks: limits, a plan, a day in the month, a known category, a live expense.

export const MAX_CATEGORIES = 50;

export const MAX_TEXT = 200;

export function requirePlanned(state: BudgetMonthState): PlannedMonth {
  if (state.status !== 'planned') return fail('month-not-planned', 'This month has no budget plan yet');
  return state;
}

export function requireInMonth(day: LocalDate, state: PlannedMonth): void {
  if (monthOf(day) !== state.month)
    fail('date-outside-month', `${day} is not in ${state.month}`, { month: state.month });
}

export function requireCategory(category: Category, state: PlannedMonth): void {
  if (!state.plan.some((p) => p.category === category)) {
    fail('unknown-category', `"${category}" is not in the plan for ${state.month}`, {
      category,
      known: state.plan.map((p) => p.category),
    });
  }
}

export function requireCategoryLimit(count: number): void {
  if (count > MAX_CATEGORIES) {
    fail('too-many-categories', `A month has at most ${MAX_CATEGORIES} categories`, {
      limit: MAX_CATEGORIES,
    });
  }
}

export function liveTransaction(state: BudgetMonthState, transactionId: string) {
  const existing = state.transactions.get(transactionId);
  if (!existing) return fail('transaction-not-found', `No transaction ${transactionId} in this month`);
  if (existing.voided) return fail('transaction-voided', `Transaction ${transactionId} was voided`);
  return existing;
}
