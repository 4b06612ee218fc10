import type { Category } from '../shared/category.js';
import { allocate } from '../shared/money.js';
import { type Cells, cellAmount } from './cells.js';
import type { PlannedCategory, RolloverPolicy } from './events.js';

export const ROLLOVER_ALGORITHM = 'rollover@1';

export interface Rollover {
  /** Signed amounts per cell: the closed day gives (negative), later days receive (positive). */
  readonly moves: { day: number; category: Category; amount: bigint }[];
  readonly saved: bigint;
}

/**
 * rollover@1: each flexible category's unspent remainder on `day` goes evenly (largest remainder) to
 * the same category's later days (forward), out of the budget into savings (savings), or stays (none).
 * On the month's last day there is nowhere forward to go, so the remainder stays.
 */
export function rollover(
  policy: RolloverPolicy,
  day: number,
  days: number,
  plan: readonly PlannedCategory[],
  allocated: Cells,
  spent: Cells,
): Rollover {
  const moves: Rollover['moves'] = [];
  let saved = 0n;
  if (policy === 'none') return { moves, saved };
  for (const { category, kind } of plan) {
    if (kind !== 'flexible') continue;
    const leftover = cellAmount(allocated, day, category) - cellAmount(spent, day, category);
    if (leftover <= 0n) continue;
    if (policy === 'savings') {
      moves.push({ day, category, amount: -leftover });
      saved += leftover;
      continue;
    }
    const later = days - day;
    if (later === 0) continue;
    moves.push({ day, category, amount: -leftover });
    allocate(leftover, new Array<bigint>(later).fill(1n)).forEach((amount, i) => {
      if (amount > 0n) moves.push({ day: day + 1 + i, category, amount });
    });
  }
  return { moves, saved };
}
