import { eventHash } from '../event-store/hash-chain.js';
import type { StreamHead } from '../ports/audit-log.port.js';
import type { RecordedEvent, StoredMetadata } from '../ports/event-store.port.js';

/**
 * Where a stream's hash chain breaks:
 * - `prev-hash-mismatch`: the event's `prevHash` is not the previous event's hash (an event was removed,
 *   inserted or reordered before it, or its prevHash was edited);
 * - `hash-mismatch`: the event's stored `hash` is not the hash of its content (its stream, revision, id,
 *   type, data or metadata was edited);
 * - `head-mismatch`: the store's record of the stream's head (last revision and hash) does not match the
 *   events (events were removed from the end, where no later link would notice).
 */
export interface BrokenLink {
  readonly stream: string;
  readonly revision: bigint;
  /** The event where the chain breaks ('' for a head-mismatch with no event at the head's revision). */
  readonly eventId: string;
  readonly expected: string;
  readonly actual: string;
  readonly reason: 'hash-mismatch' | 'prev-hash-mismatch' | 'head-mismatch';
}

/** What a chain check reads of an event besides its content. */
interface CheckedEvent {
  readonly revision: bigint | number;
  readonly id: string;
  readonly metadata: StoredMetadata;
}

const at = (stream: string, event: CheckedEvent) => ({
  stream,
  revision: BigInt(event.revision),
  eventId: event.id,
});

/**
 * One stream's chain, checked event by event in revision order: its first broken link, if any, and,
 * once the stream's events are all seen, whether the store's record of its head matches them.
 */
export class StreamChecker {
  events = 0;
  broken: BrokenLink | undefined;
  private previous = '';
  private atHead: { id: string; hash: string } | undefined;
  private readonly headRevision: number;

  constructor(readonly head: StreamHead) {
    this.headRevision = head.revision === undefined ? -1 : Number(head.revision);
  }

  /** Checks the next event (its data read from an event object). */
  check(event: RecordedEvent): boolean {
    return this.checkWith(event, (previous) =>
      eventHash(this.head.stream, event.revision, previous, event.id, event.type, event.data, event.metadata),
    );
  }

  /**
   * Checks the next event, `hashOf` computing its hash given the previous one; false once the stream
   * is broken (the rest of it need not be read).
   */
  checkWith(event: CheckedEvent, hashOf: (previous: string) => string): boolean {
    if (this.broken) return false;
    const { stream } = this.head;
    this.events += 1;
    const { prevHash, hash } = event.metadata;
    if (prevHash !== this.previous) {
      this.broken = {
        ...at(stream, event),
        expected: this.previous,
        actual: String(prevHash),
        reason: 'prev-hash-mismatch',
      };
      return false;
    }
    const computed = hashOf(this.previous);
    if (computed !== hash) {
      this.broken = {
        ...at(stream, event),
        expected: computed,
        actual: String(hash),
        reason: 'hash-mismatch',
      };
      return false;
    }
    if (Number(event.revision) === this.headRevision) this.atHead = { id: event.id, hash };
    this.previous = hash;
    return true;
  }

  /** After the stream's last event: its first break, the head's included. */
  end(): { events: number; broken?: BrokenLink } {
    if (this.broken) return { events: this.events, broken: this.broken };
    const { head } = this;
    // Events appended after the head was read are verified above; the head itself must be one of them.
    if (head.revision !== undefined && head.revision >= 0n && this.atHead?.hash !== head.lastHash) {
      return {
        events: this.events,
        broken: {
          stream: head.stream,
          revision: head.revision,
          eventId: this.atHead?.id ?? '',
          expected: head.lastHash ?? '',
          actual: this.atHead?.hash ?? '',
          reason: 'head-mismatch',
        },
      };
    }
    return { events: this.events };
  }
}
