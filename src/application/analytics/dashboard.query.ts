import { fail } from '../../domain/shared/domain-error.js';
import {
  dateInMonth,
  dayOfMonth,
  daysInMonth,
  type LocalDate,
  localDateAt,
  monthOf,
  parseYearMonth,
  type YearMonth,
} from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import { previousMonths } from '../budget/generate-plan.js';
import type { ReadConsistency } from '../consistency/read-your-writes.js';
import type { AnalyticsReadModel, DayTotals } from '../ports/analytics-read-model.port.js';
import type { Clock } from '../ports/clock.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';

/** How many merchants the dashboard lists. */
export const TOP_MERCHANTS = 10;
export const MAX_TREND_MONTHS = 24;

export type AnalyticsDeps = { users: UserHandler; analytics: AnalyticsReadModel; clock: Clock };

/** Days so far (up to today, the whole month once it is past) and how many of them kept to budget. */
export interface Adherence {
  readonly daysSoFar: number;
  readonly daysWithin: number;
  /** daysWithin / daysSoFar as a percentage with one decimal ("87.5"); null before the month starts. */
  readonly percent: string | null;
}

export interface Streaks {
  /**
   * Consecutive days within budget ending today (or, while today is over budget and may still be
   * rebalanced, ending yesterday); for a past month, ending on its last day.
   */
  readonly current: number;
  /** The longest run of days within budget among the days so far. */
  readonly longest: number;
}

export type DayStatus = 'upcoming' | 'within' | 'over';

export interface DashboardDay {
  readonly date: LocalDate;
  readonly allocated: bigint;
  readonly spent: bigint;
  readonly transactions: number;
  readonly status: DayStatus;
}

export interface Dashboard {
  readonly month: YearMonth;
  readonly currency: Currency;
  /** False when the read model knows no plan for the month. */
  readonly planned: boolean;
  /** The user's today, in their time zone. */
  readonly today: LocalDate;
  readonly total: { readonly allocated: bigint; readonly spent: bigint; readonly transactions: number };
  /** Spent on the days so far divided by their number (rounded half away from zero); 0 with no days. */
  readonly averageDailySpend: bigint;
  readonly adherence: Adherence;
  /** Days so far with nothing spent. */
  readonly noSpendDays: number;
  readonly streaks: Streaks;
  /** Most spent first; `sharePercent` is the share of the month's total spend (null when it is 0). */
  readonly categories: readonly {
    readonly category: string;
    readonly allocated: bigint;
    readonly spent: bigint;
    readonly transactions: number;
    readonly sharePercent: string | null;
  }[];
  readonly topMerchants: readonly {
    readonly merchant: string;
    readonly spent: bigint;
    readonly transactions: number;
    readonly sharePercent: string | null;
  }[];
  /** Every day of the month. */
  readonly days: readonly DashboardDay[];
}

export interface Change {
  readonly amount: bigint;
  /** Change relative to the previous month as a percentage with one decimal; null when that was 0. */
  readonly percent: string | null;
}

export interface TrendMonth {
  readonly month: YearMonth;
  readonly allocated: bigint;
  readonly spent: bigint;
  readonly adherence: Adherence;
  /** Month-over-month change of the total spend. */
  readonly change: Change;
  /** The categories of this month and of the month before, by name. */
  readonly categories: readonly {
    readonly category: string;
    readonly allocated: bigint;
    readonly spent: bigint;
    readonly change: Change;
  }[];
}

export interface Trends {
  readonly currency: Currency;
  /** Oldest first, ending with the user's current month. */
  readonly months: readonly TrendMonth[];
}

/** The queries as the application serves them: read-your-writes, and whether the answer is caught up. */
export interface AnalyticsQueries {
  analyticsDashboard(
    input: { userId: string; month?: string } & ReadConsistency,
  ): Promise<Dashboard & { caughtUp: boolean }>;
  analyticsTrends(
    input: { userId: string; months: number } & ReadConsistency,
  ): Promise<Trends & { caughtUp: boolean }>;
}

/**
 * `numerator / denominator` as a percentage with one decimal, rounded half away from zero ("-33.3");
 * null when the denominator is 0.
 */
export function percentString(numerator: bigint, denominator: bigint): string | null {
  if (denominator === 0n) return null;
  const tenths = divideRounded(numerator * 1000n, denominator);
  const magnitude = tenths < 0n ? -tenths : tenths;
  return `${tenths < 0n ? '-' : ''}${magnitude / 10n}.${magnitude % 10n}`;
}

/** Integer division rounded half away from zero. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (2n * n + d) / (2n * d);
  return negative ? -q : q;
}

/** How many days of `month` have happened by `today`: all of a past month, none of a future one. */
export function daysSoFar(month: YearMonth, today: LocalDate): number {
  const current = monthOf(today);
  if (month < current) return daysInMonth(month);
  return month === current ? dayOfMonth(today) : 0;
}

export interface MonthStats {
  readonly adherence: Adherence;
  readonly noSpendDays: number;
  readonly streaks: Streaks;
  /** Spent on the days so far. */
  readonly spentSoFar: bigint;
}

/** Adherence, no-spend days and streaks of a month from its day totals (absent days: nothing at all). */
export function monthStats(
  month: YearMonth,
  days: ReadonlyMap<string, DayTotals>,
  today: LocalDate,
): MonthStats {
  const soFar = daysSoFar(month, today);
  const within: boolean[] = [];
  let noSpendDays = 0;
  let spentSoFar = 0n;
  for (let d = 1; d <= soFar; d++) {
    const totals = days.get(dateInMonth(month, d));
    const spent = totals?.spent ?? 0n;
    within.push(spent <= (totals?.allocated ?? 0n));
    if (spent === 0n) noSpendDays += 1;
    spentSoFar += spent;
  }
  let longest = 0;
  let run = 0;
  for (const ok of within) {
    run = ok ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  // Today is not over yet: while it is over budget (a rebalance may still cover it) it does not break the streak.
  let end = within.length;
  if (month === monthOf(today) && end > 0 && !within[end - 1]) end -= 1;
  let current = 0;
  while (end - current > 0 && within[end - current - 1]) current += 1;
  const daysWithin = within.filter(Boolean).length;
  return {
    adherence: { daysSoFar: soFar, daysWithin, percent: percentString(BigInt(daysWithin), BigInt(soFar)) },
    noSpendDays,
    streaks: { current, longest },
    spentSoFar,
  };
}

const change = (current: bigint, previous: bigint): Change => ({
  amount: current - previous,
  percent: percentString(current - previous, previous),
});

/** A month's spending analysed: by category, merchant and day, adherence, no-spend days and streaks. */
export const dashboard =
  (deps: AnalyticsDeps) =>
  async (input: { userId: string; month?: string }): Promise<Dashboard> => {
    const user = await requireUser(deps.users, input.userId);
    const today = localDateAt(deps.clock.now(), user.profile.timezone);
    const month = input.month === undefined ? monthOf(today) : parseYearMonth(input.month);
    const [dayRows, categoryRows, merchantRows] = await Promise.all([
      deps.analytics.days(user.userId, month, month),
      deps.analytics.categories(user.userId, month, month),
      deps.analytics.topMerchants(user.userId, month, TOP_MERCHANTS),
    ]);
    const byDay = new Map(dayRows.map((d) => [d.day as string, d]));
    const stats = monthStats(month, byDay, today);
    const total = categoryRows.reduce(
      (t, c) => ({
        allocated: t.allocated + c.allocated,
        spent: t.spent + c.spent,
        transactions: t.transactions + c.transactions,
      }),
      { allocated: 0n, spent: 0n, transactions: 0 },
    );
    const days = Array.from({ length: daysInMonth(month) }, (_, i): DashboardDay => {
      const date = dateInMonth(month, i + 1);
      const totals = byDay.get(date);
      const allocated = totals?.allocated ?? 0n;
      const spent = totals?.spent ?? 0n;
      const status: DayStatus = date > today ? 'upcoming' : spent <= allocated ? 'within' : 'over';
      return { date, allocated, spent, transactions: totals?.transactions ?? 0, status };
    });
    const categories = [...categoryRows]
      .sort((a, b) => (a.spent === b.spent ? (a.category < b.category ? -1 : 1) : a.spent > b.spent ? -1 : 1))
      .map((c) => ({
        category: c.category,
        allocated: c.allocated,
        spent: c.spent,
        transactions: c.transactions,
        sharePercent: percentString(c.spent, total.spent),
      }));
    const soFar = stats.adherence.daysSoFar;
    return {
      month,
      currency: user.currency,
      planned: categoryRows.length > 0,
      today,
      total,
      averageDailySpend: soFar === 0 ? 0n : divideRounded(stats.spentSoFar, BigInt(soFar)),
      adherence: stats.adherence,
      noSpendDays: stats.noSpendDays,
      streaks: stats.streaks,
      categories,
      topMerchants: merchantRows.map((m) => ({ ...m, sharePercent: percentString(m.spent, total.spent) })),
      days,
    };
  };

/** The last `months` months ending with the user's current one: totals, adherence and changes per category. */
export const trends =
  (deps: AnalyticsDeps) =>
  async (input: { userId: string; months: number }): Promise<Trends> => {
    const count = input.months;
    if (!Number.isInteger(count) || count < 1 || count > MAX_TREND_MONTHS) {
      return fail('invalid-month', `months must be a whole number from 1 to ${MAX_TREND_MONTHS}`);
    }
    const user = await requireUser(deps.users, input.userId);
    const today = localDateAt(deps.clock.now(), user.profile.timezone);
    const current = monthOf(today);
    // The month before the window too, so the first month has a change.
    const all = [...(previousMonths(current, count) as YearMonth[]).reverse(), current];
    const window = all.slice(1);
    const [dayRows, categoryRows] = await Promise.all([
      deps.analytics.days(user.userId, window[0] as YearMonth, current),
      deps.analytics.categories(user.userId, all[0] as YearMonth, current),
    ]);
    const byDay = new Map(dayRows.map((d) => [d.day as string, d]));
    const byMonth = new Map<string, Map<string, { allocated: bigint; spent: bigint }>>(
      all.map((m) => [m, new Map()]),
    );
    for (const c of categoryRows) byMonth.get(c.month)?.set(c.category, c);
    const sum = (m: ReadonlyMap<string, { allocated: bigint; spent: bigint }>) =>
      [...m.values()].reduce((t, c) => ({ allocated: t.allocated + c.allocated, spent: t.spent + c.spent }), {
        allocated: 0n,
        spent: 0n,
      });
    const months = window.map((month, i): TrendMonth => {
      const these = byMonth.get(month) ?? new Map();
      const before = byMonth.get(all[i] as string) ?? new Map();
      const totals = sum(these);
      const names = [...new Set([...these.keys(), ...before.keys()])].sort();
      return {
        month,
        allocated: totals.allocated,
        spent: totals.spent,
        adherence: monthStats(month, byDay, today).adherence,
        change: change(totals.spent, sum(before).spent),
        categories: names.map((category) => {
          const now = these.get(category);
          const spent = now?.spent ?? 0n;
          return {
            category,
            allocated: now?.allocated ?? 0n,
            spent,
            change: change(spent, before.get(category)?.spent ?? 0n),
          };
        }),
      };
    });
    return { currency: user.currency, months };
  };
