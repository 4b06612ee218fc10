import { eventHashOfBytes } from '../event-store/hash-chain.js';
import type { ScannedEvent } from '../ports/audit-log.port.js';
import type { StreamChecker } from './stream-checker.js';

/** Events of one stream held while an earlier revision has not come yet. */
const MAX_HELD = 1000;

/**
 * One stream's chain checked from a scan in `$all` order. A stream's events come in revision order,
 * except where a transaction that had its id before another wrote its next event after it (a
 * transaction writing two streams): such an event is held until its predecessor comes. A predecessor
 * that never comes (a removed event) breaks the chain at the held event, as a scan in revision order
 * would find it; past MAX_HELD held events the stream is checked as it stands (memory stays bounded).
 */
export class ScanChecker {
  private next = 0;
  private readonly held = new Map<number, ScannedEvent>();

  constructor(readonly checker: StreamChecker) {}

  offer(event: ScannedEvent): void {
    if (event.revision > this.next && !this.checker.broken) {
      this.held.set(event.revision, event);
      if (this.held.size > MAX_HELD) this.drain();
      return;
    }
    this.check(event);
    for (let held = this.held.get(this.next); held; held = this.held.get(this.next)) {
      this.held.delete(held.revision);
      this.check(held);
    }
  }

  /** After the scan: the held events in revision order, then the stream's outcome. */
  end(): ReturnType<StreamChecker['end']> {
    this.drain();
    return this.checker.end();
  }

  private drain(): void {
    const held = [...this.held.values()].sort((a, b) => a.revision - b.revision);
    this.held.clear();
    for (const event of held) this.check(event);
  }

  private check(event: ScannedEvent): void {
    this.next = event.revision + 1;
    const { stream } = this.checker.head;
    this.checker.checkWith(event, (previous) =>
      eventHashOfBytes(stream, event.revision, previous, event.id, event.type, event.data, event.metadata),
    );
  }
}
