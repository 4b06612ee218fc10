import type { Category } from '../shared/category.js';
import { allocate } from '../shared/money.js';
import type { PlannedCategory } from './events.js';
import { byName, MIN_SAVINGS_PERCENT, type PlanSuggestion } from './plan-suggestion.js';

/** Money already promised in the planned month (rent, subscriptions): one per category. */
export interface FixedCommitment {
  readonly category: Category;
  /** Minor units due in the month. */
  readonly amount: bigint;
  /** The day of month it is first due. */
  readonly dueDay: number;
}

const sum = (values: readonly bigint[]) => values.reduce((s, v) => s + v, 0n);

/**
 * A suggestion with the month's commitments as fixed allocations: each committed category becomes a
 * fixed entry on its due day, of the suggested amount or the committed one, whichever is more (the
 * committed one when the larger ones do not fit the income); the flexible entries shrink
 * (proportionally, by largest remainder) to what income leaves after the commitments and the minimum
 * savings. Commitments come first: when they alone exceed the income they share it and nothing is left
 * for the rest or for savings. `sum(categories) + savings === income` still holds, nothing is negative.
 */
export function withCommitments(
  suggestion: PlanSuggestion,
  income: bigint,
  commitments: readonly FixedCommitment[],
): PlanSuggestion {
  if (commitments.length === 0) return suggestion;
  const suggested = new Map(suggestion.categories.map((c) => [c.category, c.amount]));
  const wanted = commitments.map((c) => {
    const before = suggested.get(c.category) ?? 0n;
    return before > c.amount ? before : c.amount;
  });
  const owed = commitments.map((c) => c.amount);
  const fixedAmounts = sum(wanted) <= income ? wanted : sum(owed) <= income ? owed : allocate(income, owed);
  const fixed = commitments.map(
    (c, i): PlannedCategory => ({
      category: c.category,
      amount: fixedAmounts[i] as bigint,
      kind: 'fixed',
      dueDay: c.dueDay,
    }),
  );
  const committed = new Set(commitments.map((c) => c.category));
  const rest = suggestion.categories.filter((c) => !committed.has(c.category));
  const spendable = income - (income * MIN_SAVINGS_PERCENT) / 100n - sum(fixedAmounts);
  const room = spendable > 0n ? spendable : 0n;
  const restAmounts = rest.map((c) => c.amount);
  const scaled = sum(restAmounts) > room ? allocate(room, restAmounts) : restAmounts;
  const categories = [...fixed, ...rest.map((c, i) => ({ ...c, amount: scaled[i] as bigint }))].sort(byName);
  return { ...suggestion, categories, savings: income - sum(categories.map((c) => c.amount)) };
}
