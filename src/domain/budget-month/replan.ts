import type { Category } from '../shared/category.js';
import { fail } from '../shared/domain-error.js';
import { dateInMonth, daysInMonth, type LocalDate } from '../shared/local-date.js';
import { allocate } from '../shared/money.js';
import { type Cells, cellAmount } from './cells.js';
import type { CellMove, PlannedCategory } from './events.js';
import { remainingDayWeights } from './split-algorithms.js';
import type { PlannedMonth } from './state.js';

export interface Replan {
  /** The month's plan from now on: the new one, plus categories it drops that still hold spending. */
  readonly categories: PlannedCategory[];
  /** Per cell from `effectiveFrom` on: what each category's change of amount adds or takes. */
  readonly moves: CellMove[];
}

type Amounts = Map<number, bigint>;

/**
 * A plan change from day `from` on. Each category's change (new amount minus old) is spread over the
 * days from `from`: an increase by the split's weights (a fixed category's on its due day, or on `from`
 * when that has passed), a decrease taken from those days' allocations, unspent parts first. Days before
 * `from`, and everything rebalances, adjustments and day closes did, stay as they are, so the month's
 * allocations keep adding up to its plan (less what went to savings). A category whose decrease those
 * days cannot hold (it used more of its plan before `from`) refuses the whole plan.
 */
export function replan(
  state: PlannedMonth,
  categories: readonly PlannedCategory[],
  algorithm: string,
  from: number,
): Replan {
  const named = new Set(categories.map((c) => c.category));
  const dropped = state.plan.filter((p) => !named.has(p.category)).map((p) => ({ ...p, amount: 0n }));
  const old = new Map(state.plan.map((p) => [p.category, p.amount]));
  const moves: CellMove[] = [];
  const refused: { category: Category; minimum: string }[] = [];
  for (const next of [...categories, ...dropped]) {
    const delta = next.amount - (old.get(next.category) ?? 0n);
    const amounts =
      delta >= 0n ? spread(state, next, delta, algorithm, from) : take(state, next.category, -delta, from);
    if (!amounts) {
      const future = futureCells(state.allocated, next.category, from, daysInMonth(state.month));
      const minimum = (old.get(next.category) ?? 0n) - sum(future.values());
      refused.push({ category: next.category, minimum: minimum.toString() });
      continue;
    }
    for (const [day, amount] of amounts) {
      if (amount !== 0n) moves.push({ day: dateInMonth(state.month, day), category: next.category, amount });
    }
  }
  if (refused.length > 0) refuse(refused, dateInMonth(state.month, from));
  const stillUsed = dropped.filter((p) => hasCells(state, p.category));
  return {
    categories: [...categories, ...stillUsed].sort((a, b) => (a.category < b.category ? -1 : 1)),
    moves,
  };
}

function refuse(refused: { category: Category; minimum: string }[], from: LocalDate): never {
  const [first] = refused;
  return fail(
    'plan-below-allocated',
    `"${first?.category}" already used ${first?.minimum} minor units of its plan before ${from}; plan at least that much`,
    { effectiveFrom: from, categories: refused },
  );
}

/** An increase: by the split's weights over the days from `from`, or whole on a fixed category's day. */
function spread(
  state: PlannedMonth,
  next: PlannedCategory,
  delta: bigint,
  algorithm: string,
  from: number,
): Amounts {
  if (delta === 0n) return new Map();
  const days = daysInMonth(state.month);
  if (next.kind === 'fixed') return new Map([[Math.max(Math.min(next.dueDay ?? 1, days), from), delta]]);
  const parts = allocate(delta, remainingDayWeights(algorithm, state.month, from));
  return new Map(parts.map((part, i) => [from + i, part]));
}

/** A decrease of `need`: from the unspent allocations of the days from `from` first, then from the rest. */
function take(state: PlannedMonth, category: Category, need: bigint, from: number): Amounts | undefined {
  const allocated = futureCells(state.allocated, category, from, daysInMonth(state.month));
  if (sum(allocated.values()) < need) return undefined;
  const unspent = new Map(
    [...allocated].map(([day, a]) => [day, positive(a - cellAmount(state.spent, day, category))]),
  );
  const first = takeFrom(unspent, need);
  const rest = new Map([...allocated].map(([day, a]) => [day, a - (first.get(day) ?? 0n)]));
  const second = takeFrom(rest, need - sum(first.values()));
  return new Map(
    [...allocated.keys()].map((day) => [day, -((first.get(day) ?? 0n) + (second.get(day) ?? 0n))]),
  );
}

/** Up to `need` from `pool`, in proportion to what each day has (largest remainder). */
function takeFrom(pool: Amounts, need: bigint): Amounts {
  const available = sum(pool.values());
  if (need <= 0n || available === 0n) return new Map();
  const days = [...pool.keys()];
  const parts = allocate(need < available ? need : available, [...pool.values()]);
  return new Map(days.map((day, i) => [day, parts[i] as bigint]));
}

function futureCells(cells: Cells, category: Category, from: number, days: number): Amounts {
  const result: Amounts = new Map();
  for (let day = from; day <= days; day++) {
    const amount = cellAmount(cells, day, category);
    if (amount > 0n) result.set(day, amount);
  }
  return result;
}

function hasCells(state: PlannedMonth, category: Category): boolean {
  const suffix = `|${category}`;
  for (const cells of [state.allocated, state.spent]) {
    for (const [key, amount] of cells) if (amount !== 0n && key.endsWith(suffix)) return true;
  }
  return false;
}

const positive = (x: bigint): bigint => (x > 0n ? x : 0n);
const sum = (values: Iterable<bigint>): bigint => {
  let total = 0n;
  for (const v of values) total += v;
  return total;
};
