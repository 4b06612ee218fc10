import type { StoredMetadata } from './event-store.port.js';

/**
 * Bulk loading of a whole log (import, restore): events already chained and checked are staged at COPY
 * speed, then moved into the log in large transactions of this installation (so the xid8 read horizon
 * holds, README, "Event store"), keeping their ids, stream revisions, hashes and relative order. A load can be
 * interrupted and run again: events whose id the log already holds are skipped.
 */
export interface StagedEvent {
  readonly stream: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  /** The data as JSON text (as the input holds it). */
  readonly dataJson: string;
  readonly metadata: StoredMetadata;
}

export interface LoadProgress {
  readonly phase: 'staged' | 'moved';
  readonly events: number;
}

export interface LoadResult {
  /** Events written to the log by this run. */
  readonly moved: number;
  /** Events the log already held (an earlier, interrupted run wrote them). */
  readonly skipped: number;
}

/** A load whose events went wrong against the log (an id or stream revision already taken otherwise). */
export class LoadConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadConflictError';
  }
}

export interface LoadSession {
  /** Adds events (in file order) to the staging area; resolves when it can take more. */
  stage(events: readonly StagedEvent[]): Promise<void>;
  /**
   * Moves everything staged into the log, a large transaction at a time. With `skipExisting`, events
   * whose id is already in the log are skipped (they must be the same events: same stream, revision
   * and hash, or nothing is moved).
   */
  commit(options: {
    /** The SHA-256 of what is loaded: a run cut short is recognised by it (`LogLoader.target`). */
    readonly source: string;
    readonly skipExisting: boolean;
    readonly onProgress?: (progress: LoadProgress) => void;
  }): Promise<LoadResult>;
  /** Ends the session (drops what is staged); safe to call after commit or a failure. */
  close(): Promise<void>;
}

export interface LogLoader {
  /** Whether the log is empty, and the sources of loads that were cut short (their commit did not end). */
  target(): Promise<{ readonly empty: boolean; readonly unfinished: readonly string[] }>;
  /** Starts a load; one at a time per installation (a second one waits). */
  open(): Promise<LoadSession>;
}
