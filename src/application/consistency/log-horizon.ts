import { comparePositions, type EventStore, type GlobalPosition } from '../ports/event-store.port.js';
import type { CatchingUp } from './read-your-writes.js';

const POLL_MS = 25;

/**
 * The log itself as something a read waits for: readers of `$all` (the audit trail) see an event once
 * the store's read horizon has passed it, which can trail its commit while other transactions are open.
 */
export const logHorizon = (store: EventStore): CatchingUp => ({
  async waitFor(position: GlobalPosition, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (comparePositions(await store.headPosition(), position) >= 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  },
});
