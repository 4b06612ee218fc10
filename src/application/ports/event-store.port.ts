/**
 * The event log. Stream names are a contract shared by every adapter (`user-<id>`,
 * `budget-<userId>-<YYYY-MM>`). Payloads are plain JSON; typed (de)serialization lives in the codecs.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A stream revision is the 0-based index of an event in its stream. */
export type ExpectedVersion = 'any' | 'no-stream' | 'stream-exists' | bigint;

/**
 * A place in the global (`$all`) order, as "<major>.<minor>" (two unsigned integers). Compare with
 * `comparePositions`, never as strings. PostgreSQL: transaction id and sequence; EventStoreDB: commit and
 * prepare position.
 */
export type GlobalPosition = string;
export const START: GlobalPosition = '0.0';

export interface EventMetadata {
  readonly correlationId: string;
  readonly causationId?: string;
  /** The user (or system actor) on whose behalf the event was written. */
  readonly actor?: string;
  readonly occurredAt: string;
  readonly schemaVersion: number;
  /** Anything else a codec wants recorded, e.g. algorithm versions. */
  readonly [key: string]: JsonValue | undefined;
}

export interface StoredMetadata extends EventMetadata {
  /** Hash of the stream's previous event ('' for the first), then this event's hash: a per-stream chain. */
  readonly prevHash: string;
  readonly hash: string;
}

export interface NewEvent {
  /** A UUID, unique across the log. */
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: StoredMetadata;
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: GlobalPosition;
}

export interface AppendResult {
  /** Revision of the last event in the stream after the append: the next expected version. */
  readonly nextExpectedVersion: bigint;
  /** Position of the last appended event in `$all`. */
  readonly position: GlobalPosition;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive; defaults to the start (forwards) or the end (backwards). */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. */
  readonly after?: GlobalPosition;
  readonly maxCount: number;
  /**
   * Only events of these types (all when absent), `maxCount` counting those. An adapter may ignore it
   * and return every type, but must never return fewer than `maxCount` while more events of these types
   * are readable: a short read means "nothing more for now".
   */
  readonly types?: readonly string[];
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: delivery starts strictly after it. */
  readonly after?: GlobalPosition;
  /** Called with events in `$all` order, one batch at a time; a throw stops the subscription. */
  readonly onEvents: (events: readonly RecordedEvent[]) => Promise<void>;
  readonly onError?: (error: unknown) => void;
  readonly batchSize?: number;
}

export interface Subscription {
  stop(): Promise<void>;
  /** Resolves when the subscription stops; rejects with the error that stopped it. */
  readonly done: Promise<void>;
}

export interface EventStore {
  readonly name: string;
  append(stream: string, events: readonly NewEvent[], expected?: ExpectedVersion): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** Position of the last event a follower can read now (START when there is none). */
  headPosition(): Promise<GlobalPosition>;
  /** Cheap reachability check for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedVersion,
    readonly actual: bigint | 'no-stream',
  ) {
    super(`Stream ${stream}: expected version ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}

/** The event store cannot be reached or failed for a reason that retrying later may fix. */
export class EventStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

export function parsePosition(position: GlobalPosition): [bigint, bigint] {
  const match = /^(\d{1,20})\.(\d{1,20})$/.exec(position);
  if (!match) throw new RangeError(`"${position.slice(0, 50)}" is not a global position`);
  return [BigInt(match[1] as string), BigInt(match[2] as string)];
}

export const formatPosition = (major: bigint, minor: bigint): GlobalPosition => `${major}.${minor}`;

export function comparePositions(a: GlobalPosition, b: GlobalPosition): -1 | 0 | 1 {
  const [a1, a2] = parsePosition(a);
  const [b1, b2] = parsePosition(b);
  if (a1 !== b1) return a1 < b1 ? -1 : 1;
  if (a2 !== b2) return a2 < b2 ? -1 : 1;
  return 0;
}

export const isValidPosition = (value: string): boolean => /^\d{1,20}\.\d{1,20}$/.test(value);
