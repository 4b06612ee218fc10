import type { LocalDate, YearMonth } from '../shared/local-date.js';
import { weekdayOf } from '../shared/local-date.js';
import { median, robustScale, robustZ } from './robust-stats.js';

/** Spending facts computed from the read models; amounts are minor units of the user's currency. */
export interface DaySpend {
  readonly day: LocalDate;
  readonly spent: bigint;
}

export interface AnomalousDay {
  readonly day: LocalDate;
  readonly spent: bigint;
  /** The median day's spend of the window. */
  readonly typical: bigint;
  /** Robust z-score: (spent - median) / (MAD / 0.6745). */
  readonly score: number;
}

/** Conventional cut-off for robust z-scores (Iglewicz and Hoaglin). */
export const ANOMALY_THRESHOLD = 3.5;
/** Fewer days than this say nothing about what is usual. */
export const MIN_DAYS_FOR_ANOMALIES = 7;

const toMinor = (value: number): bigint => BigInt(Math.round(value));

/** Days whose spending lies far above the window's usual day (only high spending is news). */
export function anomalousDays(days: readonly DaySpend[], threshold = ANOMALY_THRESHOLD): AnomalousDay[] {
  if (days.length < MIN_DAYS_FOR_ANOMALIES) return [];
  const scale = robustScale(days.map((d) => Number(d.spent)));
  return days
    .map((d) => ({
      day: d.day,
      spent: d.spent,
      typical: toMinor(scale.center),
      score: robustZ(Number(d.spent), scale),
    }))
    .filter((d) => d.score > threshold)
    .map((d) => ({ ...d, score: Math.round(d.score * 100) / 100 }));
}

export interface WeekdayPattern {
  /** Average spend per weekday, 0 = Sunday … 6 = Saturday, over the days given. */
  readonly byWeekday: readonly { weekday: number; averageSpent: bigint; days: number }[];
  readonly weekdayAverage: bigint;
  readonly weekendAverage: bigint;
  /** Weekend average over weekday average; null without weekday spending. */
  readonly weekendRatio: number | null;
}

const average = (values: readonly bigint[]): bigint =>
  values.length === 0 ? 0n : toMinor(Number(values.reduce((a, b) => a + b, 0n)) / values.length);

export function weekdayPattern(days: readonly DaySpend[]): WeekdayPattern {
  const groups: bigint[][] = [[], [], [], [], [], [], []];
  for (const d of days) groups[weekdayOf(d.day)]?.push(d.spent);
  const weekend = [...(groups[0] ?? []), ...(groups[6] ?? [])];
  const weekdays = groups.slice(1, 6).flat();
  const weekdayAverage = average(weekdays);
  const weekendAverage = average(weekend);
  return {
    byWeekday: groups.map((g, weekday) => ({ weekday, averageSpent: average(g), days: g.length })),
    weekdayAverage,
    weekendAverage,
    weekendRatio:
      weekdayAverage === 0n
        ? null
        : Math.round((Number(weekendAverage) / Number(weekdayAverage)) * 100) / 100,
  };
}

export interface CategoryMonthSpend {
  readonly month: YearMonth;
  readonly category: string;
  readonly spent: bigint;
  readonly allocated: bigint;
}

export interface CategoryDrift {
  readonly category: string;
  readonly spentSoFar: bigint;
  /** This month's spend at its current pace, for the whole month. */
  readonly projected: bigint;
  /** The median of the previous months' spend (a month without the category counts as 0). */
  readonly baseline: bigint;
  /** Null when the baseline is 0. */
  readonly changePercent: number | null;
  readonly direction: 'up' | 'down' | 'steady' | 'new';
  /** Moved by at least `minPercent` and `minAmount`. */
  readonly drifted: boolean;
}

export interface DriftOptions {
  /** How far through the month we are, (0, 1]: the current month is projected at its pace. */
  readonly elapsedShare: number;
  readonly minPercent?: number;
  readonly minAmount?: bigint;
}

/** Each category's spending this month (at its pace) against its median over `previousMonths`. */
export function categoryDrift(
  rows: readonly CategoryMonthSpend[],
  month: YearMonth,
  previousMonths: readonly YearMonth[],
  { elapsedShare, minPercent = 25, minAmount = 0n }: DriftOptions,
): CategoryDrift[] {
  const spent = new Map(rows.map((r) => [`${r.month}|${r.category}`, r.spent]));
  const categories = [...new Set(rows.map((r) => r.category))].sort();
  return categories.map((category) => {
    const spentSoFar = spent.get(`${month}|${category}`) ?? 0n;
    const projected = toMinor(Number(spentSoFar) / Math.min(Math.max(elapsedShare, 1 / 31), 1));
    const baseline = toMinor(
      median(previousMonths.map((m) => Number(spent.get(`${m}|${category}`) ?? 0n))) || 0,
    );
    const change = projected - baseline;
    const changePercent =
      baseline === 0n ? null : Math.round((Number(change) / Number(baseline)) * 1000) / 10;
    const direction =
      baseline === 0n
        ? projected > 0n
          ? 'new'
          : 'steady'
        : change > 0n
          ? 'up'
          : change < 0n
            ? 'down'
            : 'steady';
    const big = (change < 0n ? -change : change) >= minAmount;
    const drifted =
      previousMonths.length > 0 &&
      big &&
      (changePercent === null ? projected > 0n : Math.abs(changePercent) >= minPercent);
    return { category, spentSoFar, projected, baseline, changePercent, direction, drifted };
  });
}

export interface MonthForecast {
  readonly month: YearMonth;
  readonly daysElapsed: number;
  readonly daysInMonth: number;
  readonly allocated: bigint;
  readonly spentSoFar: bigint;
  /** Mean spend per elapsed day. */
  readonly dailyRate: bigint;
  readonly projected: bigint;
  /** How much the projection exceeds what is allocated (0 when it does not). */
  readonly overspend: bigint;
  readonly categories: readonly {
    category: string;
    allocated: bigint;
    spentSoFar: bigint;
    projected: bigint;
    overspend: bigint;
  }[];
}

/** The month's end at its pace so far: total and per category, against what is allocated. */
export function monthForecast(
  month: YearMonth,
  daysElapsed: number,
  daysInMonth: number,
  categories: readonly CategoryMonthSpend[],
): MonthForecast {
  const elapsed = Math.min(Math.max(daysElapsed, 1), daysInMonth);
  const project = (spent: bigint) => toMinor((Number(spent) / elapsed) * daysInMonth);
  const over = (projected: bigint, allocated: bigint) => (projected > allocated ? projected - allocated : 0n);
  const rows = categories
    .filter((c) => c.month === month)
    .map((c) => {
      const projected = project(c.spent);
      return {
        category: c.category,
        allocated: c.allocated,
        spentSoFar: c.spent,
        projected,
        overspend: over(projected, c.allocated),
      };
    });
  const allocated = rows.reduce((s, r) => s + r.allocated, 0n);
  const spentSoFar = rows.reduce((s, r) => s + r.spentSoFar, 0n);
  const projected = project(spentSoFar);
  return {
    month,
    daysElapsed: elapsed,
    daysInMonth,
    allocated,
    spentSoFar,
    dailyRate: toMinor(Number(spentSoFar) / elapsed),
    projected,
    overspend: over(projected, allocated),
    categories: rows,
  };
}
