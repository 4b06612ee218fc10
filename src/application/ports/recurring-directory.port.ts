/** A user who has recurring expenses, and the time zone their days are counted in. */
export interface RecurringUser {
  readonly userId: string;
  readonly timezone: string;
}

/** Who has recurring expenses: the job that records them when due walks this list. */
export interface RecurringDirectory {
  /** Users after `afterUserId` (ordered by id), at most `limit`. */
  usersWithRecurring(afterUserId: string | undefined, limit: number): Promise<RecurringUser[]>;
}
