import type { RecurringExpense } from '../../domain/recurring/recurring.js';
import { occurrencesBetween } from '../../domain/recurring/schedule.js';
import type { Category } from '../../domain/shared/category.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import type { LocalDate } from '../../domain/shared/local-date.js';
import { derivedUuid } from '../derived-id.js';

/** A run looks back this far: a worker down for longer records only the most recent occurrences. */
export const LOOKBACK_DAYS = 62;

export interface DueExpense {
  /** Derived from the recurring id and the period: every run, and every restart, names the same fact. */
  readonly transactionId: string;
  readonly recurringId: string;
  readonly period: string;
  readonly day: LocalDate;
  readonly category: Category;
  readonly amount: bigint;
  readonly merchant: string;
}

export const recurringTransactionId = (recurringId: string, period: string): string =>
  derivedUuid('recurring', recurringId, period);

const daysBefore = (date: LocalDate, days: number): LocalDate => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10) as LocalDate;
};

/**
 * The expenses an entry has due up to `today` (the user's date): from the day it was added (nothing
 * before it is Daybook's to record) and at most LOOKBACK_DAYS back.
 */
export function dueExpenses(entry: RecurringExpense, today: LocalDate): DueExpense[] {
  if (entry.removed) return [];
  const lookback = daysBefore(today, LOOKBACK_DAYS);
  const from = [entry.addedOn, lookback].reduce((a, b) => (a > b ? a : b));
  return occurrencesBetween(entry.schedule, from, today).map((o) => ({
    transactionId: recurringTransactionId(entry.recurringId, o.period),
    recurringId: entry.recurringId,
    period: o.period,
    day: o.due,
    category: entry.category,
    amount: entry.amount,
    merchant: entry.name,
  }));
}

/** A refusal that says the period's expense is already in the ledger (recorded, amended, moved or voided). */
export const isAlreadyRecorded = (error: unknown): boolean =>
  error instanceof DomainError &&
  ['transaction-id-conflict', 'transaction-in-other-month'].includes(error.code);
