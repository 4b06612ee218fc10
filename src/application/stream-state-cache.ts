export interface CachedState<S> {
  readonly state: S;
  /** Stream revision the state was folded up to (-1: nothing). */
  readonly version: bigint;
}

/**
 * The last folded state of the streams used most recently, so a load reads and folds only the events
 * after the cached version instead of the whole month. An entry is a starting point, never the answer:
 * every load still asks the store for what follows it, so a write by another process is folded in before
 * anything is decided. Bounded by `capacity` streams; the least recently used leaves first.
 */
export class StreamStateCache<S> {
  private readonly entries = new Map<string, CachedState<S>>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new Error(`cache capacity ${capacity}`);
  }

  get(stream: string): CachedState<S> | undefined {
    const entry = this.entries.get(stream);
    if (entry) {
      this.entries.delete(stream);
      this.entries.set(stream, entry);
    }
    return entry;
  }

  /** Keeps the newer of the cached and the offered state: loads of one stream may finish out of order. */
  set(stream: string, entry: CachedState<S>): void {
    const current = this.entries.get(stream);
    if (current && current.version > entry.version) return;
    this.entries.delete(stream);
    if (this.capacity === 0) return;
    this.entries.set(stream, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Drops the streams `belongs` picks (an erased user's decrypted states must not outlive the key). */
  forget(belongs: (stream: string) => boolean): number {
    let dropped = 0;
    for (const stream of [...this.entries.keys()]) {
      if (belongs(stream)) {
        this.entries.delete(stream);
        dropped += 1;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.entries.size;
  }
}
