import { addDays } from '../../domain/insights/calendar.js';
import { type RecurringCharge, recurringCharges } from '../../domain/insights/recurring-charges.js';
import {
  type AnomalousDay,
  anomalousDays,
  type CategoryDrift,
  categoryDrift,
  type DaySpend,
  type MonthForecast,
  monthForecast,
  type WeekdayPattern,
  weekdayPattern,
} from '../../domain/insights/spending-facts.js';
import {
  dayOfMonth,
  daysInMonth,
  type LocalDate,
  localDateAt,
  monthOf,
  type YearMonth,
} from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import { previousMonths } from '../budget/generate-plan.js';
import type { AnalyticsReadModel } from '../ports/analytics-read-model.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { TransactionReadModel } from '../ports/transaction-read-model.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';

export interface SpendingFactsDeps {
  readonly users: UserHandler;
  readonly analytics: AnalyticsReadModel;
  readonly transactions: TransactionReadModel;
  readonly clock: Clock;
}

/** The days looked at for anomalies and weekday patterns, ending today. */
export const PATTERN_WINDOW_DAYS = 90;
/** How far back recurring charges are looked for: a little over a year, so yearly ones show too. */
const RECURRING_WINDOW_DAYS = 400;
export const DEFAULT_DRIFT_MONTHS = 3;
/** A category's move smaller than this share of the monthly budget is not called drift. */
const DRIFT_MIN_PERCENT = 25;

export interface SpendingFacts {
  readonly currency: Currency;
  readonly today: LocalDate;
  readonly month: YearMonth;
  readonly anomalies: readonly AnomalousDay[];
  readonly weekdays: WeekdayPattern;
  readonly drift: readonly CategoryDrift[];
  readonly driftMonths: number;
  readonly forecast: MonthForecast;
  readonly recurring: readonly RecurringCharge[];
}

/** Every day from the first with a row (at most `PATTERN_WINDOW_DAYS` back) to today; days without a row spent 0. */
function windowDays(rows: readonly { day: LocalDate; spent: bigint }[], today: LocalDate): DaySpend[] {
  const start = addDays(today, -(PATTERN_WINDOW_DAYS - 1));
  const spent = new Map(rows.filter((r) => r.day >= start && r.day <= today).map((r) => [r.day, r.spent]));
  const first = [...spent.keys()].sort()[0];
  if (!first) return [];
  const days: DaySpend[] = [];
  for (let day = first; day <= today; day = addDays(day, 1)) days.push({ day, spent: spent.get(day) ?? 0n });
  return days;
}

/** The computed facts the insight endpoints show (and the narrative is written from). */
export const spendingFacts =
  (deps: SpendingFactsDeps) =>
  async (input: { userId: string; driftMonths?: number }): Promise<SpendingFacts> => {
    const user = await requireUser(deps.users, input.userId);
    const today = localDateAt(deps.clock.now(), user.profile.timezone);
    const month = monthOf(today);
    const driftMonths = input.driftMonths ?? DEFAULT_DRIFT_MONTHS;
    const earlier = previousMonths(month, Math.max(driftMonths, 3)) as YearMonth[];
    const oldest = earlier[earlier.length - 1] as YearMonth;
    const [days, categories, charges] = await Promise.all([
      deps.analytics.days(user.userId, oldest, month),
      deps.analytics.categories(user.userId, previousMonths(month, driftMonths).at(-1) as YearMonth, month),
      collect(
        deps.transactions.stream(user.userId, { from: addDays(today, -RECURRING_WINDOW_DAYS), to: today }),
      ),
    ]);
    const window = windowDays(days, today);
    const elapsed = dayOfMonth(today);
    const monthDays = daysInMonth(month);
    const budget = categories.filter((c) => c.month === month).reduce((s, c) => s + c.allocated, 0n);
    return {
      currency: user.currency,
      today,
      month,
      anomalies: anomalousDays(window),
      weekdays: weekdayPattern(window),
      drift: categoryDrift(categories, month, earlier.slice(0, driftMonths), {
        elapsedShare: elapsed / monthDays,
        minPercent: DRIFT_MIN_PERCENT,
        minAmount: budget / 100n,
      }),
      driftMonths,
      forecast: monthForecast(month, elapsed, monthDays, categories),
      recurring: recurringCharges(
        charges.map((t) => ({
          amount: t.amount,
          day: t.day,
          category: t.category,
          ...(t.merchant ? { merchant: t.merchant } : {}),
        })),
      ),
    };
  };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
