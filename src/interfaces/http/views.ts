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
