import type { LocalDate } from '../../domain/shared/local-date.js';

export interface DirectoryEntry {
  readonly userId: string;
  readonly timezone: string;
  /** The first day not yet closed, in the user's time zone. */
  readonly nextDayToClose: LocalDate;
}

/** Who lives in which time zone, for work that runs at each user's local midnight. */
export interface UserDirectory {
  /** Users whose local date at `now` is after their next day to close. */
  dueForDayClose(now: Date, limit: number): Promise<DirectoryEntry[]>;
  markClosedBefore(userId: string, day: LocalDate): Promise<void>;
}
