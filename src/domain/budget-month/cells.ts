import type { Category } from '../shared/category.js';

/** Amounts per (day of month, category). Absent means zero. */
export type Cells = Map<CellKey, bigint>;
export type CellKey = `${number}|${string}`;

export const cellKey = (day: number, category: Category | string): CellKey => `${day}|${category}`;

export function parseCellKey(key: CellKey): { day: number; category: Category } {
  const bar = key.indexOf('|');
  return { day: Number(key.slice(0, bar)), category: key.slice(bar + 1) as Category };
}

export const cellAmount = (cells: Cells, day: number, category: string): bigint =>
  cells.get(cellKey(day, category)) ?? 0n;

export const sumCells = (cells: Cells): bigint => {
  let total = 0n;
  for (const value of cells.values()) total += value;
  return total;
};
