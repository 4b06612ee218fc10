import type { Response } from 'express';
import type { RecordExpenseResult } from '../../application/budget/record-expense.js';
import { type Currency, formatMoney } from '../../domain/shared/money.js';
import type { RegisteredUser } from '../../domain/user/user.js';

/** Amounts leave the API as decimal strings in major units, with exactly the currency's decimals. */
export const amount = (minor: bigint, currency: Currency): string => formatMoney({ amount: minor, currency });

export const userView = (user: RegisteredUser) => ({
  id: user.userId,
  email: user.profile.email,
  ...(user.profile.displayName ? { displayName: user.profile.displayName } : {}),
  country: user.profile.country,
  timezone: user.profile.timezone,
  currency: user.currency,
  income: amount(user.income, user.currency),
  registeredAt: user.registeredAt,
});

/** The 201 of every write that records an expense; a replay of an already recorded one says so. */
export function sendRecorded(
  res: Response,
  result: RecordExpenseResult,
  fields: { date: string; merchant?: string | undefined; description?: string | undefined },
): void {
  const currency = result.amount.currency;
  if (!result.created) res.setHeader('Idempotent-Replayed', 'true');
  res
    .status(201)
    .location(`/api/transactions/${result.transactionId}`)
    .json({
      id: result.transactionId,
      amount: amount(result.amount.amount, currency),
      currency,
      category: result.category,
      ...(result.categorizedBy ? { categorizedBy: result.categorizedBy } : {}),
      date: fields.date,
      ...(fields.merchant ? { merchant: fields.merchant } : {}),
      ...(fields.description ? { description: fields.description } : {}),
      ...(result.overspentBy ? { overspentBy: amount(result.overspentBy.amount, currency) } : {}),
      ...(result.position ? { position: result.position } : {}),
    });
}
