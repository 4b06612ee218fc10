import type { LocalDate } from '../shared/local-date.js';

const DAY_MS = 86_400_000;

const epochDay = (date: LocalDate): number =>
  Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / DAY_MS;

/** Whole days from `a` to `b` (negative when `b` is earlier). */
export const daysBetween = (a: LocalDate, b: LocalDate): number => epochDay(b) - epochDay(a);

export const addDays = (date: LocalDate, days: number): LocalDate =>
  new Date((epochDay(date) + days) * DAY_MS).toISOString().slice(0, 10) as LocalDate;
