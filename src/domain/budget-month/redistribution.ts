import type { Category } from '../shared/category.js';
import { fail } from '../shared/domain-error.js';
import { allocate } from '../shared/money.js';
import { type Cells, cellAmount } from './cells.js';
import type { PlannedCategory } from './events.js';

export interface RedistributionInput {
  readonly days: number;
  /** Day of month of the overspent cell. */
  readonly day: number;
  readonly category: Category;
  readonly need: bigint;
  readonly allocated: Cells;
  readonly spent: Cells;
  readonly plan: readonly PlannedCategory[];
}

/** Amounts to take (positive) from source cells. Their sum is what was covered, never more than `need`. */
export type Takes = { day: number; category: Category; amount: bigint }[];

/**
 * A redistribution algorithm chooses where an overspend is covered from. Rules every version keeps:
 * only days after the overspent day, only flexible categories, never more from a cell than it has left
 * (allocated minus spent), so no allocation goes below what was spent and none goes negative.
 */
export type RedistributionAlgorithm = (input: RedistributionInput) => Takes;

interface Source {
  readonly day: number;
  readonly category: Category;
  readonly left: bigint;
}

const sources = (input: RedistributionInput, sameCategory: boolean): Source[] => {
  const categories = input.plan
    .filter((p) => p.kind === 'flexible' && (p.category === input.category) === sameCategory)
    .map((p) => p.category)
    .sort();
  const result: Source[] = [];
  for (const category of categories) {
    for (let day = input.day + 1; day <= input.days; day++) {
      const left = cellAmount(input.allocated, day, category) - cellAmount(input.spent, day, category);
      if (left > 0n) result.push({ day, category, left });
    }
  }
  return result;
};

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** Takes `need` from `pool` in proportion to what each cell has left (largest remainder). */
function takeProportionally(pool: Source[], need: bigint): Takes {
  if (pool.length === 0 || need <= 0n) return [];
  const available = pool.reduce((t, s) => t + s.left, 0n);
  const parts = allocate(
    min(need, available),
    pool.map((s) => s.left),
  );
  return pool.flatMap((s, i) =>
    parts[i] ? [{ day: s.day, category: s.category, amount: parts[i] as bigint }] : [],
  );
}

/** Takes `need` from the soonest days first. */
function takeNearestFirst(pool: Source[], need: bigint): Takes {
  const ordered = [...pool].sort((a, b) => a.day - b.day || (a.category < b.category ? -1 : 1));
  const takes: Takes = [];
  let left = need;
  for (const s of ordered) {
    if (left <= 0n) break;
    const amount = min(left, s.left);
    takes.push({ day: s.day, category: s.category, amount });
    left -= amount;
  }
  return takes;
}

const inTwoPhases =
  (take: (pool: Source[], need: bigint) => Takes): RedistributionAlgorithm =>
  (input) => {
    const first = take(sources(input, true), input.need);
    const covered = first.reduce((t, m) => t + m.amount, 0n);
    return [...first, ...take(sources(input, false), input.need - covered)];
  };

const registry: Readonly<Record<string, RedistributionAlgorithm>> = {
  /** Same category first, in proportion to each later day's remaining allocation; then other flexible categories. */
  'proportional@1': inTwoPhases(takeProportionally),
  /** Same category first, from the soonest later days; then other flexible categories, soonest first. */
  'nearest-first@1': inTwoPhases(takeNearestFirst),
};

export const DEFAULT_REDISTRIBUTION = 'proportional@1';
export const redistributionNames = (): readonly string[] => Object.keys(registry);

export function redistribution(name: string): RedistributionAlgorithm {
  return (
    registry[name] ??
    fail('unknown-algorithm', `Unknown redistribution algorithm "${name}"`, { known: Object.keys(registry) })
  );
}
