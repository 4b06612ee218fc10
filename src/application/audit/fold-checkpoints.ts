/** One folded prefix of a stream: events 0..version, the latest of them recorded at `maxAt` (ms). */
export interface Checkpoint<S> {
  readonly version: bigint;
  readonly maxAt: number;
  readonly state: S;
}

/** Events between two checkpoints: an as-of read folds at most this many after the one it starts from. */
export const CHECKPOINT_EVERY = 128;
/** Streams whose checkpoints are kept; the least recently read leaves first. */
export const CHECKPOINT_STREAMS = 100;

/**
 * Folded prefixes of the streams as-of reads went through, every CHECKPOINT_EVERY events, so a read at
 * an instant folds from the latest checkpoint recorded at or before it instead of from the start: its
 * cost stops growing with the month. A prefix of an append-only stream never changes, so a checkpoint
 * never goes stale. As-of reads fold the stored (still encrypted) events: no personal data is kept here.
 */
export class FoldCheckpoints {
  private readonly streams = new Map<string, Checkpoint<unknown>[]>();

  constructor(
    /** Events between two checkpoints. */
    readonly every = CHECKPOINT_EVERY,
    private readonly capacity = CHECKPOINT_STREAMS,
  ) {}

  /** The longest prefix whose every event was recorded at or before `at`. */
  latest<S>(stream: string, at: number): Checkpoint<S> | undefined {
    const list = this.streams.get(stream);
    if (!list) return undefined;
    this.streams.delete(stream);
    this.streams.set(stream, list);
    let found: Checkpoint<unknown> | undefined;
    for (const checkpoint of list) {
      if (checkpoint.maxAt > at) break;
      found = checkpoint;
    }
    return found as Checkpoint<S> | undefined;
  }

  add<S>(stream: string, checkpoint: Checkpoint<S>): void {
    const list = this.streams.get(stream) ?? [];
    const last = list[list.length - 1];
    if (last && last.version >= checkpoint.version) return;
    this.streams.delete(stream);
    this.streams.set(stream, [...list, checkpoint]);
    if (this.streams.size > this.capacity) this.streams.delete(this.streams.keys().next().value as string);
  }
}
