import { eventHash, eventHashOfText } from '../event-store/hash-chain.js';
import type { AuditLog, StreamHead } from '../ports/audit-log.port.js';
import type { EventStore, RecordedEvent, StoredMetadata } from '../ports/event-store.port.js';

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

export interface ChainReport {
  readonly streams: number;
  readonly events: number;
  readonly ok: boolean;
  /** The first break found (by stream name). */
  readonly firstBroken?: BrokenLink;
  /** Every broken stream's first break, at most MAX_REPORTED of them (in the order found). */
  readonly broken: readonly BrokenLink[];
  readonly brokenStreams: number;
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

const CHUNK = 1000;
const MAX_REPORTED = 100;

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

/** Recomputes one stream's chain, event by event, and stops at its first broken link. */
export async function verifyStream(
  store: EventStore,
  head: StreamHead,
): Promise<{ events: number; broken?: BrokenLink }> {
  const checker = new StreamChecker(head);
  for (let from = 0n; ; ) {
    const chunk = await store.readStream(head.stream, { fromRevision: from, maxCount: CHUNK });
    for (const event of chunk) if (!checker.check(event)) return checker.end();
    const last = chunk[chunk.length - 1];
    if (!last || chunk.length < CHUNK) break;
    from = last.revision + 1n;
  }
  return checker.end();
}

/** Collects the per-stream outcomes into a report. */
class Tally {
  streams = 0;
  events = 0;
  brokenStreams = 0;
  readonly broken: BrokenLink[] = [];

  add(result: { events: number; broken?: BrokenLink }): void {
    this.streams += 1;
    this.events += result.events;
    if (!result.broken) return;
    this.brokenStreams += 1;
    if (this.broken.length < MAX_REPORTED) this.broken.push(result.broken);
  }

  report(): ChainReport {
    const firstBroken = [...this.broken].sort((a, b) =>
      a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0,
    )[0];
    return {
      streams: this.streams,
      events: this.events,
      ok: this.brokenStreams === 0,
      ...(firstBroken ? { firstBroken } : {}),
      broken: this.broken,
      brokenStreams: this.brokenStreams,
    };
  }
}

/**
 * Tamper evidence: recomputes every event's hash (`eventHash`, the function every store chains with)
 * for one user's streams or the whole log, and reports the first broken link of each stream. The whole
 * log is read in one scan in `$all` order when the audit log offers it (PostgreSQL: each stream's events
 * come in revision order, interleaved; one checker per stream); otherwise stream by stream.
 */
export const verifyChains =
  (deps: { store: EventStore; auditLog: AuditLog }) =>
  async (input: { userId?: string; onProgress?: (events: number) => void } = {}): Promise<ChainReport> => {
    const tally = new Tally();
    if (input.userId === undefined && deps.auditLog.scanAll) {
      let events = 0;
      const checkers = new Map<StreamHead, StreamChecker>();
      for await (const page of deps.auditLog.scanAll({ belowHorizon: false })) {
        for (const event of page) {
          let checker = checkers.get(event.head);
          if (!checker) {
            checker = new StreamChecker(event.head);
            checkers.set(event.head, checker);
          }
          checker.checkWith(event, (previous) =>
            eventHashOfText(
              event.head.stream,
              event.revision,
              previous,
              event.id,
              event.type,
              event.dataText,
              event.metadata,
            ),
          );
        }
        events += page.length;
        input.onProgress?.(events);
      }
      const byName = [...checkers.values()].sort((a, b) => (a.head.stream < b.head.stream ? -1 : 1));
      for (const checker of byName) tally.add(checker.end());
      return tally.report();
    }
    for await (const head of deps.auditLog.streams(input.userId)) {
      tally.add(await verifyStream(deps.store, head));
      input.onProgress?.(tally.events);
    }
    return tally.report();
  };
