import type { CategoryHistory } from '../budget-month/plan-suggestion.js';
import { SAVINGS_CATEGORY } from '../goal/saving-capacity.js';
import { allocate } from '../shared/money.js';

/** Categories that are needs when a plan does not say they are fixed. */
const NEEDS = new Set([
  'rent',
  'housing',
  'mortgage',
  'groceries',
  'food',
  'utilities',
  'transport',
  'health',
  'insurance',
]);

export type Group = 'needs' | 'wants' | 'savings';

export const groupOf = (c: CategoryHistory): Group =>
  c.category === SAVINGS_CATEGORY
    ? 'savings'
    : c.planned?.kind === 'fixed' || NEEDS.has(c.category)
      ? 'needs'
      : 'wants';

export interface RecommendationInput {
  /** Minor units a month. */
  readonly income: bigint;
  /** Previous months, most recent first. */
  readonly history: readonly (readonly CategoryHistory[])[];
  /** What the active goals need each month to meet their dates. */
  readonly goalsMonthly: bigint;
  /** Recurring expenses as a monthly amount: fixed needs. */
  readonly recurringMonthly: bigint;
}

export interface Recommendation {
  readonly needs: bigint;
  readonly wants: bigint;
  readonly savings: bigint;
  /** Why it differs from plain 50/30/20, in order. */
  readonly adjustments: readonly string[];
}

const average = (months: readonly (readonly CategoryHistory[])[], group: Group): bigint =>
  months.length === 0
    ? 0n
    : months.reduce(
        (sum, m) => sum + m.filter((c) => groupOf(c) === group).reduce((s, c) => s + c.spent, 0n),
        0n,
      ) / BigInt(months.length);

/**
 * 50/30/20 of the income, then: needs rise to what the history and recurring expenses say they cost
 * (taken from wants, then savings); savings rise to what the goals need (taken from wants only).
 * `needs + wants + savings === income`, always.
 */
export function recommendBudget(input: RecommendationInput): Recommendation {
  const [baseNeeds, baseWants, baseSavings] = allocate(input.income, [50n, 30n, 20n]) as [
    bigint,
    bigint,
    bigint,
  ];
  let needs = baseNeeds;
  let wants = baseWants;
  let savings = baseSavings;
  const adjustments: string[] = [];
  const actualNeeds = average(input.history, 'needs');
  const neededFloor = actualNeeds > input.recurringMonthly ? actualNeeds : input.recurringMonthly;
  if (neededFloor > needs) {
    const extra = neededFloor - needs;
    const fromWants = extra < wants ? extra : wants;
    const fromSavings = extra - fromWants < savings ? extra - fromWants : savings;
    needs += fromWants + fromSavings;
    wants -= fromWants;
    savings -= fromSavings;
    adjustments.push('needs-from-history');
  }
  if (input.goalsMonthly > savings && wants > 0n) {
    const extra = input.goalsMonthly - savings < wants ? input.goalsMonthly - savings : wants;
    savings += extra;
    wants -= extra;
    adjustments.push('savings-for-goals');
  }
  if (input.goalsMonthly > savings) adjustments.push('goals-exceed-income');
  return { needs, wants, savings, adjustments };
}
