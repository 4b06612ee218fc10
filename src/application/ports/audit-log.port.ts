import type { GlobalPosition, RecordedEvent, StoredMetadata } from './event-store.port.js';

/**
 * Reading the event log for audits: one user's events across all of their streams, every stream name,
 * and the whole log in `$all` order for export. Read-only; writes go through the EventStore.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const OWNED_STREAM = new RegExp(`^[a-z][a-z0-9_]*-(${UUID})(?:-.+)?$`, 'i');

/**
 * The stream ownership rule, the only place it is written down: a stream belongs to the user whose id
 * follows its kind, `<kind>-<userId>` (`user-<id>`, `audit-<id>`, `security-<id>`) or
 * `<kind>-<userId>-<suffix>` (`budget-<id>-<YYYY-MM>`). Kinds have no hyphen and user ids are UUIDs, so
 * the owner is unambiguous. Undefined for a stream of no user (`security-anonymous`, `security-system`).
 */
export function streamOwner(stream: string): string | undefined {
  return OWNED_STREAM.exec(stream)?.[1]?.toLowerCase();
}

export const ownsStream = (userId: string, stream: string): boolean =>
  streamOwner(stream) === userId.toLowerCase();

export interface AuditQuery {
  readonly userId: string;
  /** Only this stream (it must be one of the user's). */
  readonly stream?: string;
  readonly type?: string;
  /** Inclusive lower bound on `metadata.occurredAt`. */
  readonly from?: Date;
  /** Exclusive upper bound on `metadata.occurredAt`. */
  readonly to?: Date;
  /** Keyset: events strictly after this `$all` position. */
  readonly after?: GlobalPosition;
  readonly limit: number;
}

/** Events of every stream of some kinds (`<kind>-…`), across users: the security log. */
export interface StreamKindQuery {
  /** Stream kinds such as `security`: lower-case letters, digits and `_`. */
  readonly kinds: readonly string[];
  /** Only the streams `<kind>-<userId>` of these kinds. */
  readonly userId?: string;
  readonly type?: string;
  /** Inclusive lower bound on `metadata.occurredAt`. */
  readonly from?: Date;
  /** Exclusive upper bound on `metadata.occurredAt`. */
  readonly to?: Date;
  /** Keyset: events strictly after this `$all` position. */
  readonly after?: GlobalPosition;
  readonly limit: number;
}

/** The kind of a stream: what comes before its first hyphen. */
export const streamKind = (stream: string): string => stream.slice(0, Math.max(0, stream.indexOf('-')));

export interface StreamHead {
  readonly stream: string;
  /** What the store records as the stream's head, when it keeps one apart from the events. */
  readonly revision?: bigint;
  readonly lastHash?: string;
}

export interface AuditLog {
  /** One user's events (every stream they own, see `streamOwner`) in `$all` order, one page. */
  page(query: AuditQuery): Promise<RecordedEvent[]>;
  /** Events of every stream of the given kinds (of one user with `userId`) in `$all` order, one page. */
  kindPage(query: StreamKindQuery): Promise<RecordedEvent[]>;
  /** The streams of one user, or of the whole log, sorted by name; read in pages (memory stays flat). */
  streams(userId?: string): AsyncIterable<StreamHead>;
  /**
   * Every event of the log (or of one user's streams) in `$all` order, read in chunks so memory stays
   * flat however long the log is; the events form a consistent prefix of `$all`.
   */
  events(options?: { userId?: string }): AsyncIterable<RecordedEvent>;
  /** True when no event has ever been stored. */
  isEmpty(): Promise<boolean>;
  /**
   * Every event of the log in `$all` order, in large pages from one consistent snapshot, each with its
   * stream's head as the store records it in that snapshot, and its data as the stored JSON text (not
   * parsed: export and verification rewrite it, see `compactJsonb` and `canonicalJsonBytes`). `belowHorizon`: only events every
   * `$all` reader can see (an export); otherwise every committed event (verification, which compares
   * against the heads). Offered by stores that can scan (PostgreSQL); the others go event by event.
   */
  scanAll?(options: { belowHorizon: boolean }): AsyncIterable<readonly ScannedEvent[]>;
}

/** An event of a whole-log scan (see `AuditLog.scanAll`). */
export interface ScannedEvent {
  readonly head: StreamHead;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  /** The data as stored JSON text, UTF-8: members in stored order, spacing as the store writes it. */
  readonly data: Uint8Array;
  readonly metadata: StoredMetadata;
}
