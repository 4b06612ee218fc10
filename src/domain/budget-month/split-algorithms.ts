import { fail } from '../shared/domain-error.js';
import { dateInMonth, daysInMonth, weekdayOf, type YearMonth } from '../shared/local-date.js';
import { allocate } from '../shared/money.js';
import { type Cells, cellKey } from './cells.js';
import type { PlannedCategory } from './events.js';

/**
 * A split algorithm turns a month's plan into per-day allocations. Each is pure and named
 * `<name>@<version>`; the plan event records the one it used, and a version, once released, never
 * changes behaviour, so replaying an old month gives the allocations it had.
 */
export type SplitAlgorithm = (plan: readonly PlannedCategory[], month: YearMonth) => Cells;

/** How much of a flexible amount each day of the month gets, relatively. */
type DayWeights = (month: YearMonth, days: number) => bigint[];

/** Flexible amounts spread over the days by their weights (largest remainder); fixed ones whole on their due day. */
const weightedSplit =
  (dayWeights: DayWeights): SplitAlgorithm =>
  (plan, month) => {
    const days = daysInMonth(month);
    const weights = dayWeights(month, days);
    const cells: Cells = new Map();
    for (const { category, amount, kind, dueDay } of plan) {
      if (kind === 'fixed') {
        cells.set(cellKey(Math.min(dueDay ?? 1, days), category), amount);
        continue;
      }
      allocate(amount, weights).forEach((part, index) => {
        cells.set(cellKey(index + 1, category), part);
      });
    }
    return cells;
  };

const WEEKDAY_WEIGHT = 2n;
const WEEKEND_WEIGHT = 3n;

const weights: Readonly<Record<string, DayWeights>> = {
  /** Every day the same share. */
  'even@1': (_, days) => new Array<bigint>(days).fill(1n),
  /** Saturdays and Sundays get 1.5 times a weekday's share: flexible spending clusters there. */
  'weekend-weighted@2': (month, days) =>
    Array.from({ length: days }, (_, i) => {
      const weekday = weekdayOf(dateInMonth(month, i + 1));
      return weekday === 0 || weekday === 6 ? WEEKEND_WEIGHT : WEEKDAY_WEIGHT;
    }),
};

const registry: Readonly<Record<string, SplitAlgorithm>> = Object.fromEntries(
  Object.entries(weights).map(([name, dayWeights]) => [name, weightedSplit(dayWeights)]),
);

export const DEFAULT_SPLIT_ALGORITHM = 'even@1';
export const splitAlgorithmNames = (): readonly string[] => Object.keys(registry);

export function splitAlgorithm(name: string): SplitAlgorithm {
  return (
    registry[name] ??
    fail('unknown-algorithm', `Unknown split algorithm "${name}"`, { known: Object.keys(registry) })
  );
}

/**
 * The algorithm's weights of the days from `fromDay` to the month's end (index 0 is `fromDay`): a re-plan
 * spreads a category's change over the rest of the month with them.
 */
export function remainingDayWeights(name: string, month: YearMonth, fromDay: number): bigint[] {
  splitAlgorithm(name);
  const dayWeights = weights[name] as DayWeights;
  return dayWeights(month, daysInMonth(month)).slice(fromDay - 1);
}
