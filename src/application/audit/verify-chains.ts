import type { AuditLog, StreamHead } from '../ports/audit-log.port.js';
import type { EventStore } from '../ports/event-store.port.js';
import { ScanChecker } from './scan-checker.js';
import { type BrokenLink, StreamChecker } from './stream-checker.js';

export type { BrokenLink } from './stream-checker.js';

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

const CHUNK = 1000;
const MAX_REPORTED = 100;

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
      const checkers = new Map<StreamHead, ScanChecker>();
      for await (const page of deps.auditLog.scanAll({ belowHorizon: false })) {
        for (const event of page) {
          let checker = checkers.get(event.head);
          if (!checker) {
            checker = new ScanChecker(new StreamChecker(event.head));
            checkers.set(event.head, checker);
          }
          checker.offer(event);
        }
        events += page.length;
        input.onProgress?.(events);
      }
      const byName = [...checkers.values()].sort((a, b) =>
        a.checker.head.stream < b.checker.head.stream ? -1 : 1,
      );
      for (const checker of byName) tally.add(checker.end());
      return tally.report();
    }
    for await (const head of deps.auditLog.streams(input.userId)) {
      tally.add(await verifyStream(deps.store, head));
      input.onProgress?.(tally.events);
    }
    return tally.report();
  };
