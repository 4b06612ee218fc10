import type { BudgetMonthCommand } from '../../src/domain/budget-month/commands.js';
import type { BudgetMonthEvent, PlannedCategory } from '../../src/domain/budget-month/events.js';
import type { Category } from '../../src/domain/shared/category.js';
import type { LocalDate, YearMonth } from '../../src/domain/shared/local-date.js';
import { type Currency, parseCurrency } from '../../src/domain/shared/money.js';

export const USD = parseCurrency('USD');
export const NOW = '2025-06-01T08:00:00.000Z';
export const cat = (name: string) => name as Category;
export const day = (d: string) => d as LocalDate;

export const flexible = (name: string, amount: bigint): PlannedCategory => ({
  category: cat(name),
  amount,
  kind: 'flexible',
});
export const fixed = (name: string, amount: bigint, dueDay: number): PlannedCategory => ({
  category: cat(name),
  amount,
  kind: 'fixed',
  dueDay,
});

export function planned(
  categories: PlannedCategory[],
  options: { month?: string; income?: bigint; currency?: Currency } = {},
): BudgetMonthEvent {
  return {
    type: 'BudgetPlanned',
    data: {
      userId: 'u1',
      month: (options.month ?? '2025-06') as YearMonth,
      currency: options.currency ?? USD,
      income: options.income ?? 1_000_000n,
      categories: [...categories].sort((a, b) => (a.category < b.category ? -1 : 1)),
      splitAlgorithm: 'even@1',
      plannedAt: NOW,
    },
  };
}

export const record = (
  transactionId: string,
  date: string,
  category: string,
  amount: bigint,
  extra: { merchant?: string; note?: string; currency?: Currency } = {},
): Extract<BudgetMonthCommand, { type: 'RecordExpense' }> => ({
  type: 'RecordExpense',
  data: {
    transactionId,
    day: day(date),
    category: cat(category),
    amount,
    currency: extra.currency ?? USD,
    ...(extra.merchant ? { merchant: extra.merchant } : {}),
    ...(extra.note ? { note: extra.note } : {}),
    source: 'manual',
    now: NOW,
  },
});

export const recorded = (
  transactionId: string,
  date: string,
  category: string,
  amount: bigint,
): BudgetMonthEvent => ({
  type: 'ExpenseRecorded',
  data: { transactionId, day: day(date), category: cat(category), amount, source: 'manual', recordedAt: NOW },
});
