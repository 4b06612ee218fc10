import { EventStoreUnavailableError } from '../../application/ports/event-store.port.js';
import { isConnectionFailure } from './connection-failure.js';

/** Serialization failures and deadlocks (class 40): the same work succeeds when run again. */
const RETRYABLE_SQLSTATE = /^40...$/;

/**
 * True when the failure is the database (or event store) being unavailable for a while, or a conflict
 * that running again resolves: a follower must then pause and resume from its checkpoint, never blame
 * (and park) the event it was applying.
 */
export function isUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth += 1) {
    if (cause instanceof EventStoreUnavailableError || isConnectionFailure(cause)) return true;
    const { code } = cause as { code?: unknown };
    if (typeof code === 'string' && RETRYABLE_SQLSTATE.test(code)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
