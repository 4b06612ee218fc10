import { addMonths } from '../goal/goal-planner.js';
import type { LocalDate } from '../shared/local-date.js';

export type Frequency = 'weekly' | 'monthly' | 'yearly';

export interface Schedule {
  readonly frequency: Frequency;
  /** The first due day; later ones keep its weekday, day of month (clamped) or date. */
  readonly startDate: LocalDate;
  readonly endDate?: LocalDate;
}

export interface Occurrence {
  readonly due: LocalDate;
  /** The period it belongs to (`YYYY-MM-DD` week start, `YYYY-MM`, `YYYY`): one expense per period. */
  readonly period: string;
}

const addDays = (date: LocalDate, days: number): LocalDate => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10) as LocalDate;
};

function nth(schedule: Schedule, n: number): Occurrence {
  const { frequency, startDate } = schedule;
  if (frequency === 'weekly') {
    const due = addDays(startDate, 7 * n);
    return { due, period: due };
  }
  const due = addMonths(startDate, frequency === 'monthly' ? n : 12 * n);
  return { due, period: frequency === 'monthly' ? due.slice(0, 7) : due.slice(0, 4) };
}

/** Occurrences due on a day in [from, to], in order (at most `limit`). */
export function occurrencesBetween(
  schedule: Schedule,
  from: LocalDate,
  to: LocalDate,
  limit = 100,
): Occurrence[] {
  const found: Occurrence[] = [];
  const last = schedule.endDate !== undefined && schedule.endDate < to ? schedule.endDate : to;
  // Skip ahead roughly, then walk: weekly schedules from long ago need no thousand steps.
  const daysAway = Math.max(0, (Date.parse(from) - Date.parse(schedule.startDate)) / 86_400_000);
  const step = schedule.frequency === 'weekly' ? 7 : schedule.frequency === 'monthly' ? 31 : 366;
  for (let n = Math.max(0, Math.floor(daysAway / step) - 1); found.length < limit; n++) {
    const occurrence = nth(schedule, n);
    if (occurrence.due > last) break;
    if (occurrence.due >= from) found.push(occurrence);
  }
  return found;
}

/** The next due day on or after `from`, if the schedule has one. */
export const nextDue = (schedule: Schedule, from: LocalDate): LocalDate | undefined =>
  occurrencesBetween(schedule, from, '9999-12-31' as LocalDate, 1)[0]?.due;
