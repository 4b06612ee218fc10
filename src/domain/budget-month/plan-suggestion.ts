import type { Category } from '../shared/category.js';
import { invariant } from '../shared/domain-error.js';
import { allocate } from '../shared/money.js';
import type { CategoryKind, PlannedCategory } from './events.js';

/** What one past month says about one category: what was spent in it, and how it was planned. */
export interface CategoryHistory {
  readonly category: Category;
  /** Minor units spent in the month (net of amendments and voids). */
  readonly spent: bigint;
  /** The month's plan entry for the category, when it had one. */
  readonly planned?: { readonly amount: bigint; readonly kind: CategoryKind; readonly dueDay?: number };
}

export interface PlanSuggestionInput {
  /** Monthly income in minor units. */
  readonly income: bigint;
  /** Previous months, most recent first; each is a list of per-category totals. */
  readonly history: readonly (readonly CategoryHistory[])[];
}

export type SuggestionBasis = 'rule-50-30-20' | 'history';

export interface PlanSuggestion {
  /** Ordered by category name; amounts in minor units, never negative. */
  readonly categories: PlannedCategory[];
  /** The part of the income left unplanned: `sum(categories) + savings === income`, always. */
  readonly savings: bigint;
  readonly basis: SuggestionBasis;
}

/** How many previous months a history-based suggestion looks at. */
export const HISTORY_MONTHS = 3;
/** The share of income (percent) a suggestion always keeps as savings, rounded down to a minor unit. */
export const MIN_SAVINGS_PERCENT = 20n;

/** 50/30/20: needs, wants, savings, in percent of income. */
const RULE_SHARES = [50n, 30n, 20n] as const;

interface DefaultCategory {
  readonly category: Category;
  readonly weight: bigint;
  readonly kind: CategoryKind;
  readonly dueDay?: number;
}

const defaults = (entries: [string, number, CategoryKind?][]): DefaultCategory[] =>
  entries.map(([category, weight, kind = 'flexible']) => ({
    category: category as Category,
    weight: BigInt(weight),
    kind,
    ...(kind === 'fixed' ? { dueDay: 1 } : {}),
  }));

/**
 * How the needs half is split (percent of needs): rent or mortgage is the bulk of what a household
 * must pay, food at home the next; housing and utilities are bills due on the 1st.
 * Of income: housing 30%, groceries 10%, transport 5%, utilities 5%.
 */
export const NEEDS_WEIGHTS: readonly DefaultCategory[] = defaults([
  ['housing', 60, 'fixed'],
  ['groceries', 20],
  ['transport', 10],
  ['utilities', 10, 'fixed'],
]);

/** How the wants share is split (percent of wants). Of income: 12%, 9%, 9%. */
export const WANTS_WEIGHTS: readonly DefaultCategory[] = defaults([
  ['eating-out', 40],
  ['entertainment', 30],
  ['shopping', 30],
]);

/**
 * Suggests a month's plan from the income and, when there is one, the spending history.
 *
 * Without spending history (no months, or only months where nothing was spent): the 50/30/20 rule.
 * The income is split 50/30/20 into needs, wants and savings by largest remainder, then needs and
 * wants into the default categories by {@link NEEDS_WEIGHTS} and {@link WANTS_WEIGHTS}, again by
 * largest remainder, so every minor unit of income lands in a category or in savings.
 *
 * With history: the last {@link HISTORY_MONTHS} months are looked at, and of those the ones where
 * something was spent (a month with no spending at all says the user did not track it, not that
 * they spent nothing). A category's base amount is the **median** of its monthly spend over those
 * months in which it was tracked (planned, or spent in): a typical month, so that one unusual month
 * (a holiday, a laptop, a month whose rent was not recorded) does not become next month's target,
 * as a mean would make it. With an even number of months it is the mean of the middle two, rounded
 * half up. A category keeps its kind and due day from its most recent plan entry (flexible when it
 * has none, or when a fixed entry has no valid due day). Categories with no spend in any month are
 * dropped. If the bases add up to more than the spendable part of the income (income minus 20%,
 * rounded down), they are scaled down to it proportionally by largest remainder. Savings are the rest.
 *
 * Both bases keep savings at least 20% of income (rounded down). Pure and deterministic: the same input
 * gives the same suggestion, whatever the order of the categories within a month.
 */
export function suggestPlan(input: PlanSuggestionInput): PlanSuggestion {
  invariant(input.income >= 0n, 'a suggestion starts from a non-negative income');
  const months = input.history
    .slice(0, HISTORY_MONTHS)
    .map(totalsOf)
    .filter((month) => [...month.values()].some((c) => c.spent > 0n));
  return months.length === 0 ? fromRule(input.income) : fromHistory(input.income, months);
}

function fromRule(income: bigint): PlanSuggestion {
  const [needs, wants, savings] = allocate(income, RULE_SHARES) as [bigint, bigint, bigint];
  const split = (total: bigint, weights: readonly DefaultCategory[]): PlannedCategory[] => {
    const amounts = allocate(
      total,
      weights.map((w) => w.weight),
    );
    return weights.map(({ category, kind, dueDay }, i) => ({
      category,
      amount: amounts[i] as bigint,
      kind,
      ...(dueDay === undefined ? {} : { dueDay }),
    }));
  };
  const categories = [...split(needs, NEEDS_WEIGHTS), ...split(wants, WANTS_WEIGHTS)].sort(byName);
  return { categories, savings, basis: 'rule-50-30-20' };
}

interface MonthTotal {
  readonly spent: bigint;
  readonly planned?: CategoryHistory['planned'];
}

/** One month's entries per category; repeated entries add up (a plan entry from any of them counts). */
function totalsOf(month: readonly CategoryHistory[]): Map<Category, MonthTotal> {
  const totals = new Map<Category, MonthTotal>();
  for (const { category, spent, planned } of month) {
    const before = totals.get(category);
    const kept = planned ?? before?.planned;
    totals.set(category, {
      spent: (before?.spent ?? 0n) + (spent > 0n ? spent : 0n),
      ...(kept ? { planned: kept } : {}),
    });
  }
  return totals;
}

function fromHistory(income: bigint, months: readonly Map<Category, MonthTotal>[]): PlanSuggestion {
  const names = [...new Set(months.flatMap((m) => [...m.keys()]))].sort(compareNames);
  const kept = names.filter((name) => months.some((m) => (m.get(name)?.spent ?? 0n) > 0n));
  const bases = kept.map((name) =>
    median(months.flatMap((m) => (m.has(name) ? [(m.get(name) as MonthTotal).spent] : []))),
  );
  const spendable = income - (income * MIN_SAVINGS_PERCENT) / 100n;
  const total = bases.reduce((s, b) => s + b, 0n);
  const amounts = total > spendable ? allocate(spendable, bases) : bases;
  const categories = kept.map((category, i): PlannedCategory => {
    const shape = kindOf(months.find((m) => m.get(category)?.planned)?.get(category)?.planned);
    return { category, amount: amounts[i] as bigint, ...shape };
  });
  const planned = amounts.reduce((s, a) => s + a, 0n);
  return { categories, savings: income - planned, basis: 'history' };
}

function kindOf(planned: CategoryHistory['planned']): { kind: CategoryKind; dueDay?: number } {
  const dueDay = planned?.dueDay;
  const validDueDay = dueDay !== undefined && Number.isInteger(dueDay) && dueDay >= 1 && dueDay <= 31;
  return planned?.kind === 'fixed' && validDueDay ? { kind: 'fixed', dueDay } : { kind: 'flexible' };
}

/** The middle value; with an even count, the mean of the middle two rounded half up. */
function median(values: readonly bigint[]): bigint {
  invariant(values.length > 0, 'a median needs at least one value');
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid] as bigint;
  return ((sorted[mid - 1] as bigint) + (sorted[mid] as bigint) + 1n) / 2n;
}

const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Plan entries in the order a suggestion lists them: by category name. */
export const byName = (a: PlannedCategory, b: PlannedCategory): number =>
  compareNames(a.category, b.category);
