import type { GlobalPosition } from './event-store.port.js';

/**
 * The last log position each user wrote at, so that user's next read can wait until the read models
 * have reached it (read-your-writes). Shared by every instance when Redis is configured.
 *
 * Neither method fails: a tracker whose shared store is unreachable answers from what this process
 * knows, promptly, because a read must not fail or hang over its consistency hint.
 */
export interface WritePositions {
  /** Raises the user's position to `position`; a lower one (a slower concurrent write) changes nothing. */
  record(userId: string, position: GlobalPosition): Promise<void>;
  /** The highest position recorded for the user, if any is known. */
  latest(userId: string): Promise<GlobalPosition | undefined>;
}
