import type { YearMonth } from '../shared/local-date.js';

/** Stream names are a contract shared by every event store: `budget-<userId>-<YYYY-MM>`. */
export const budgetMonthStream = (userId: string, month: string): string => `budget-${userId}-${month}`;

const BUDGET_STREAM = /^budget-(.+)-(\d{4}-\d{2})$/;

/** The user and month a budget stream belongs to; undefined for any other stream. */
export function budgetStreamOwner(stream: string): { userId: string; month: YearMonth } | undefined {
  const match = BUDGET_STREAM.exec(stream);
  return match ? { userId: match[1] as string, month: match[2] as YearMonth } : undefined;
}
