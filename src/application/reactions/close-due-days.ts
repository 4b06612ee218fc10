import { type LocalDate, localDateAt } from '../../domain/shared/local-date.js';
import type { closeDay } from '../budget/close-day.js';
import type { Clock } from '../ports/clock.port.js';
import type { UserDirectory } from '../ports/user-directory.port.js';

const USERS_PER_RUN = 500;
/** A user away for longer than this gets only the most recent days closed on one run. */
const MAX_DAYS_PER_USER = 62;

const nextDay = (date: LocalDate): LocalDate => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10) as LocalDate;
};

/**
 * Closes, for every user whose local midnight has passed, each day from their next day to close up to
 * yesterday in their time zone. CloseDay is idempotent, so a run that dies half-way is simply repeated.
 */
export const closeDueDays =
  (deps: { directory: UserDirectory; closeDay: ReturnType<typeof closeDay>; clock: Clock }) =>
  async (): Promise<{ users: number; days: number }> => {
    const now = deps.clock.now();
    const due = await deps.directory.dueForDayClose(now, USERS_PER_RUN);
    let days = 0;
    for (const entry of due) {
      const today = localDateAt(now, entry.timezone);
      const pending: LocalDate[] = [];
      for (let day = entry.nextDayToClose; day < today; day = nextDay(day)) pending.push(day);
      for (const day of pending.slice(-MAX_DAYS_PER_USER)) {
        await deps.closeDay(
          { userId: entry.userId, day },
          { correlationId: `day-close-${day}`, actor: 'system:day-close' },
        );
        days += 1;
      }
      await deps.directory.markClosedBefore(entry.userId, today);
    }
    return { users: due.length, days };
  };
