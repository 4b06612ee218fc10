import type { GlobalPosition } from './event-store.port.js';

export interface ScrubResult {
  /** Rows changed or deleted. */
  readonly rows: number;
  /**
   * True when no copy can still be on its way: every follower that was behind the erasure has committed
   * the batch it may have read before it. False when one did not move in time (stopped, failed or slow);
   * scrubbing again later (it is idempotent) or rebuilding that read model finishes the job.
   */
  readonly settled: boolean;
}

/**
 * Something outside the event log that copied a user's personal data (read models, stored responses,
 * uploaded files). After the user's key is erased, it overwrites those copies the way a replay of the
 * erased log would ("[erased]"), or deletes them.
 */
export interface PersonalDataScrubber {
  readonly name: string;
  /** `erasedAt`: a log position after the erasure; followers behind it may still hold pre-erasure copies. */
  scrub(userId: string, erasedAt: GlobalPosition): Promise<ScrubResult>;
}
