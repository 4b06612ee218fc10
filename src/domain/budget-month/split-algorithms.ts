import { fail } from '../shared/domain-error.js';
import { daysInMonth, type YearMonth } from '../shared/local-date.js';
import { allocate } from '../shared/money.js';
import { type Cells, cellKey } from './cells.js';
import type { PlannedCategory } from './events.js';

/**
 * A split algorithm turns a month's plan into per-day allocations. Each is pure and named
 * `<name>@<version>`; the plan event records the one it used, and a version, once released, never
 * changes behaviour, so replaying an old month gives the allocations it had.
 */
export type SplitAlgorithm = (plan: readonly PlannedCategory[], month: YearMonth) => Cells;

/** even@1: a flexible amount spread evenly over the month's days, largest remainder first; fixed on its due day. */
const evenV1: SplitAlgorithm = (plan, month) => {
  const days = daysInMonth(month);
  const cells: Cells = new Map();
  for (const { category, amount, kind, dueDay } of plan) {
    if (kind === 'fixed') {
      cells.set(cellKey(Math.min(dueDay ?? 1, days), category), amount);
      continue;
    }
    allocate(amount, new Array<bigint>(days).fill(1n)).forEach((part, index) => {
      cells.set(cellKey(index + 1, category), part);
    });
  }
  return cells;
};

const registry: Readonly<Record<string, SplitAlgorithm>> = { 'even@1': evenV1 };

export const DEFAULT_SPLIT_ALGORITHM = 'even@1';
export const splitAlgorithmNames = (): readonly string[] => Object.keys(registry);

export function splitAlgorithm(name: string): SplitAlgorithm {
  return (
    registry[name] ??
    fail('invalid-plan', `Unknown split algorithm "${name}"`, { known: Object.keys(registry) })
  );
}
