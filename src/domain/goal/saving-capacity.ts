import type { CategoryHistory } from '../budget-month/plan-suggestion.js';

/** The category money set aside lives in: what goes there is saved, not spent. */
export const SAVINGS_CATEGORY = 'savings';

export interface SavingCapacity {
  /** Minor units a month: income minus the average monthly spending (may be negative). */
  readonly monthly: bigint;
  /** `history`: from the months given; `rule-50-30-20`: no history, the rule's 20 % of income. */
  readonly basis: 'history' | 'rule-50-30-20';
  readonly months: number;
}

/** What a month's history spent, savings excluded. */
export const spentIn = (month: readonly CategoryHistory[]): bigint =>
  month.filter((c) => c.category !== SAVINGS_CATEGORY).reduce((sum, c) => sum + c.spent, 0n);

/** What the user can set aside each month, from their income and the months before. */
export function savingCapacity(
  income: bigint,
  history: readonly (readonly CategoryHistory[])[],
): SavingCapacity {
  if (history.length === 0) return { monthly: (income * 20n) / 100n, basis: 'rule-50-30-20', months: 0 };
  const average = history.reduce((sum, month) => sum + spentIn(month), 0n) / BigInt(history.length);
  return { monthly: income - average, basis: 'history', months: history.length };
}
