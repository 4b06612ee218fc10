import type { YearMonth } from '../src/domain/shared/local-date.js';

const BUDGET_STREAM = /^budget-(.+)-(\d{4}-\d{2})$/;

/** The user and month a `budget-<userId>-<YYYY-MM>` stream belongs to. */
export function budgetStreamOwner(stream: string): { userId: string; month: YearMonth } | undefined {
  const match = BUDGET_STREAM.exec(stream);
  return match ? { userId: match[1] as string, month: match[2] as YearMonth } : undefined;
}

/** Replaces `$.` with the generation's schema: `sql('SELECT * FROM $.cells')`. */
export const sqlFor =
  (schema: string) =>
  (text: string): string =>
    text.replaceAll('$.', `${schema}.`);
