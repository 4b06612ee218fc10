import type { Category } from '../shared/category.js';
import type { LocalDate } from '../shared/local-date.js';
import type { Frequency } from './schedule.js';

export interface PastExpense {
  readonly day: LocalDate;
  readonly merchant?: string;
  readonly amount: bigint;
  readonly category: Category;
}

export interface SubscriptionSuggestion {
  readonly name: string;
  readonly amount: bigint;
  readonly category: Category;
  readonly frequency: Exclude<Frequency, 'yearly'>;
  readonly occurrences: number;
  readonly lastDate: LocalDate;
}

/** Seen this many times at a steady interval and a steady amount: likely a subscription. */
export const MIN_OCCURRENCES = 3;
const INTERVALS: readonly [Exclude<Frequency, 'yearly'>, number, number][] = [
  ['weekly', 6, 8],
  ['monthly', 27, 33],
];

const daysBetween = (a: LocalDate, b: LocalDate) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
const key = (merchant: string) => merchant.trim().toLowerCase();

/** Amounts within 10 % of the latest one. */
const steady = (amounts: readonly bigint[], latest: bigint) =>
  amounts.every((a) => (a > latest ? a - latest : latest - a) * 10n <= latest);

/**
 * Merchants paid at a steady weekly or monthly interval and a steady amount, at least MIN_OCCURRENCES
 * times, that no recurring expense already names (`known`, compared case-insensitively).
 */
export function detectSubscriptions(
  expenses: readonly PastExpense[],
  known: readonly string[],
): SubscriptionSuggestion[] {
  const ignored = new Set(known.map(key));
  const byMerchant = new Map<string, PastExpense[]>();
  for (const expense of expenses) {
    if (!expense.merchant || ignored.has(key(expense.merchant))) continue;
    byMerchant.set(key(expense.merchant), [...(byMerchant.get(key(expense.merchant)) ?? []), expense]);
  }
  const suggestions: SubscriptionSuggestion[] = [];
  for (const group of byMerchant.values()) {
    if (group.length < MIN_OCCURRENCES) continue;
    const sorted = [...group].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    const latest = sorted[sorted.length - 1] as PastExpense;
    const gaps = sorted.slice(1).map((e, i) => daysBetween((sorted[i] as PastExpense).day, e.day));
    const frequency = INTERVALS.find(([, min, max]) => gaps.every((g) => g >= min && g <= max))?.[0];
    if (
      !frequency ||
      !steady(
        sorted.map((e) => e.amount),
        latest.amount,
      )
    )
      continue;
    suggestions.push({
      name: (latest.merchant as string).trim(),
      amount: latest.amount,
      category: latest.category,
      frequency,
      occurrences: sorted.length,
      lastDate: latest.day,
    });
  }
  return suggestions.sort((a, b) => (a.name < b.name ? -1 : 1));
}
