import type { FixedCommitment } from '../budget-month/fixed-commitments.js';
import type { Category } from '../shared/category.js';
import { dateInMonth, daysInMonth, type YearMonth } from '../shared/local-date.js';
import type { RecurringExpense } from './recurring.js';
import { occurrencesBetween } from './schedule.js';

/**
 * What the recurring expenses have due in `month`, one commitment per category: the amounts of every
 * occurrence in the month added up (a weekly one four or five times), due on the earliest of them.
 */
export function commitmentsIn(entries: readonly RecurringExpense[], month: YearMonth): FixedCommitment[] {
  const first = dateInMonth(month, 1);
  const last = dateInMonth(month, daysInMonth(month));
  const byCategory = new Map<Category, { amount: bigint; dueDay: number }>();
  for (const entry of entries) {
    if (entry.removed) continue;
    for (const { due } of occurrencesBetween(entry.schedule, first, last)) {
      const day = Number(due.slice(8, 10));
      const before = byCategory.get(entry.category);
      byCategory.set(entry.category, {
        amount: (before?.amount ?? 0n) + entry.amount,
        dueDay: before && before.dueDay < day ? before.dueDay : day,
      });
    }
  }
  return [...byCategory].map(([category, c]) => ({ category, ...c }));
}
