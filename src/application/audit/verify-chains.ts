import { eventHash } from '../event-store/hash-chain.js';
import type { AuditLog, StreamHead } from '../ports/audit-log.port.js';
import type { EventStore } from '../ports/event-store.port.js';

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
  /** The first break found (streams are checked in name order). */
  readonly firstBroken?: BrokenLink;
  /** Every broken stream's first break, at most MAX_REPORTED of them. */
  readonly broken: readonly BrokenLink[];
  readonly brokenStreams: number;
}

const CHUNK = 1000;
const MAX_REPORTED = 100;

/** Recomputes one stream's chain, event by event, and stops at its first broken link. */
export async function verifyStream(
  store: EventStore,
  head: StreamHead,
): Promise<{ events: number; broken?: BrokenLink }> {
  const { stream } = head;
  let previous = '';
  let events = 0;
  let atHead: { id: string; hash: string } | undefined;
  for (let from = 0n; ; ) {
    const chunk = await store.readStream(stream, { fromRevision: from, maxCount: CHUNK });
    for (const event of chunk) {
      events += 1;
      const { prevHash, hash } = event.metadata;
      const at = { stream, revision: event.revision, eventId: event.id };
      if (prevHash !== previous) {
        return {
          events,
          broken: { ...at, expected: previous, actual: String(prevHash), reason: 'prev-hash-mismatch' },
        };
      }
      const computed = eventHash(
        stream,
        event.revision,
        previous,
        event.id,
        event.type,
        event.data,
        event.metadata,
      );
      if (computed !== hash) {
        return {
          events,
          broken: { ...at, expected: computed, actual: String(hash), reason: 'hash-mismatch' },
        };
      }
      if (event.revision === head.revision) atHead = { id: event.id, hash };
      previous = hash;
    }
    const last = chunk[chunk.length - 1];
    if (!last || chunk.length < CHUNK) break;
    from = last.revision + 1n;
  }
  // Events appended after the head was read are verified above; the head itself must be one of them.
  if (head.revision !== undefined && head.revision >= 0n && atHead?.hash !== head.lastHash) {
    return {
      events,
      broken: {
        stream,
        revision: head.revision,
        eventId: atHead?.id ?? '',
        expected: head.lastHash ?? '',
        actual: atHead?.hash ?? '',
        reason: 'head-mismatch',
      },
    };
  }
  return { events };
}

/**
 * Tamper evidence: recomputes every event's hash (`eventHash`, the function every store chains with)
 * for one user's streams or the whole log, and reports the first broken link of each stream.
 */
export const verifyChains =
  (deps: { store: EventStore; auditLog: AuditLog }) =>
  async (input: { userId?: string } = {}): Promise<ChainReport> => {
    let streams = 0;
    let events = 0;
    const broken: BrokenLink[] = [];
    let brokenStreams = 0;
    for await (const head of deps.auditLog.streams(input.userId)) {
      streams += 1;
      const result = await verifyStream(deps.store, head);
      events += result.events;
      if (!result.broken) continue;
      brokenStreams += 1;
      if (broken.length < MAX_REPORTED) broken.push(result.broken);
    }
    const firstBroken = broken[0];
    return {
      streams,
      events,
      ok: brokenStreams === 0,
      ...(firstBroken ? { firstBroken } : {}),
      broken,
      brokenStreams,
    };
  };
