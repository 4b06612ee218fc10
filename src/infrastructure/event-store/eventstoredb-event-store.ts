import {
  type AllStreamSubscription,
  BACKWARDS,
  DeadlineExceededError,
  END,
  START as ESDB_START,
  type AllStreamResolvedEvent as EsdbAllResolvedEvent,
  type ResolvedEvent as EsdbResolvedEvent,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  NotLeaderError,
  type Position,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
} from '@eventstore/db-client';
import { chainEvents } from '../../application/event-store/hash-chain.js';
import {
  type AppendResult,
  type EventStore,
  EventStoreUnavailableError,
  type ExpectedVersion,
  formatPosition,
  type GlobalPosition,
  type JsonObject,
  type NewEvent,
  parsePosition,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  START,
  type StoredMetadata,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedVersionError,
} from '../../application/ports/event-store.port.js';
import { checkExpectedVersion } from './expected-version.js';

/** Appends at 'any' / 'stream-exists' re-read the head and retry this often when another writer races. */
const MAX_APPEND_ATTEMPTS = 20;

/** gRPC status codes that mean "not reachable right now": DEADLINE_EXCEEDED, ABORTED, UNAVAILABLE. */
const TRANSIENT_GRPC_CODES = new Set([4, 10, 14]);

type EsdbRecorded = NonNullable<EsdbResolvedEvent['event']>;

/**
 * EventStoreDB adapter. Streams and `$all` are EventStoreDB's own; the hash chain is computed here from
 * the stream's last event, and the append is made conditional on exactly that revision, so a chain
 * cannot fork under concurrent writers.
 */
export class EventStoreDbEventStore implements EventStore {
  readonly name = 'eventstoredb';

  constructor(private readonly client: EventStoreDBClient) {}

  static fromConnectionString(connectionString: string): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion = 'any',
  ): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const head = await this.lastEvent(stream);
      const revision = head?.revision ?? -1n;
      checkExpectedVersion(stream, expected, revision < 0n ? 'no-stream' : revision);
      if (events.length === 0) return { nextExpectedVersion: revision, position: START };
      const chained = chainEvents(stream, revision + 1n, previousHash(head), events);
      try {
        const result = await this.client.appendToStream(
          stream,
          chained.map(({ event }) =>
            jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata }),
          ),
          { expectedRevision: revision < 0n ? NO_STREAM : revision },
        );
        // No position comes back when the server recognised the append as an idempotent retry.
        const position = result.position ?? (await this.lastEvent(stream))?.position;
        return {
          nextExpectedVersion: result.nextExpectedRevision,
          position: position ? formatPosition(position.commit, position.prepare) : START,
        };
      } catch (error) {
        if (!(error instanceof EsdbWrongExpectedVersionError)) throw unavailable(error);
        if (typeof expected === 'bigint' || expected === 'no-stream') {
          throw new WrongExpectedVersionError(stream, expected, actualOf(error));
        }
        if (attempt >= MAX_APPEND_ATTEMPTS)
          throw new WrongExpectedVersionError(stream, expected, actualOf(error));
      }
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    const backwards = options.direction === 'backwards';
    try {
      return (
        await this.drain(
          this.client.readStream(stream, {
            direction: backwards ? BACKWARDS : FORWARDS,
            fromRevision: options.fromRevision ?? (backwards ? END : ESDB_START),
            ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
          }),
        )
      ).flatMap((resolved) => (resolved.event ? [toRecorded(resolved.event)] : []));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw unavailable(error);
    }
  }

  async readAll({ after = START, maxCount }: ReadAllOptions): Promise<RecordedEvent[]> {
    const result: RecordedEvent[] = [];
    // EventStoreDB reads $all from a position inclusively; the port's `after` is exclusive.
    let from: Position | undefined = after === START ? undefined : toPosition(after);
    // This client version cannot filter reads of $all on the server: system events are dropped here,
    // and reading goes on until the page is full or the end of $all is reached.
    while (result.length < maxCount) {
      const want = maxCount - result.length + 1;
      let read: EsdbAllResolvedEvent[];
      try {
        read = await this.drain(
          this.client.readAll({ direction: FORWARDS, fromPosition: from ?? ESDB_START, maxCount: want }),
        );
      } catch (error) {
        throw unavailable(error);
      }
      for (const { event } of read) {
        if (!event || (from && samePosition(event.position, from))) continue;
        if (!isUserEvent(event) || result.length >= maxCount) continue;
        result.push(toRecorded(event));
      }
      const last = read[read.length - 1]?.event?.position;
      if (read.length < want || !last) break;
      from = last;
    }
    return result;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    let stopped = false;
    let subscription: AllStreamSubscription | undefined;
    let ended: Promise<void> | undefined;
    const end = () => {
      const current = subscription;
      ended ??= current
        ? current
            .unsubscribe()
            .catch(() => undefined)
            .then(() => void current.destroy())
        : Promise.resolve();
      return ended;
    };

    const run = async () => {
      let handlerFailed: { error: unknown } | undefined;
      try {
        const after = options.after && options.after !== START ? toPosition(options.after) : undefined;
        subscription = this.client.subscribeToAll({
          fromPosition: after ?? ESDB_START,
          filter: excludeSystemEvents(),
        });
        // A late error on a stream nobody iterates any more must not become an uncaught exception.
        subscription.on('error', () => undefined);
        for await (const { event } of subscription as AsyncIterable<EsdbAllResolvedEvent>) {
          if (stopped) break;
          if (!event || !isUserEvent(event) || (after && samePosition(event.position, after))) continue;
          try {
            await options.onEvents([toRecorded(event)]);
          } catch (error) {
            handlerFailed = { error };
            break;
          }
        }
      } catch (error) {
        if (!stopped) throw unavailable(error);
      } finally {
        stopped = true;
        await end();
      }
      if (handlerFailed) throw handlerFailed.error;
    };

    const done = run();
    done.catch((error) => options.onError?.(error));
    return {
      done,
      stop: async () => {
        stopped = true;
        await end();
        await done.catch(() => undefined);
      },
    };
  }

  async headPosition(): Promise<GlobalPosition> {
    let read: EsdbAllResolvedEvent[];
    try {
      read = await this.drain(
        this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 100 }),
      );
    } catch (error) {
      throw unavailable(error);
    }
    const last = read.find(({ event }) => event && isUserEvent(event))?.event;
    return last?.position ? formatPosition(last.position.commit, last.position.prepare) : START;
  }

  async ping(): Promise<void> {
    try {
      await this.drain(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    } catch (error) {
      throw unavailable(error);
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  /** The stream's head, or undefined when the stream does not exist. */
  private async lastEvent(stream: string): Promise<EsdbRecorded | undefined> {
    try {
      const [last] = await this.drain(
        this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
      );
      return last?.event;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw unavailable(error);
    }
  }

  /** Reads a client stream to its end; an error is thrown here, never left on an unread stream. */
  private async drain<T>(read: AsyncIterable<T> & NodeJS.EventEmitter): Promise<T[]> {
    read.on('error', () => undefined);
    const items: T[] = [];
    for await (const item of read) items.push(item);
    return items;
  }
}

function actualOf(error: EsdbWrongExpectedVersionError): bigint | 'no-stream' {
  const actual = error.actualVersion;
  return typeof actual === 'bigint' && actual >= 0n ? actual : 'no-stream';
}

function previousHash(event: EsdbRecorded | undefined): string {
  const metadata = event?.metadata as { hash?: unknown } | undefined;
  return typeof metadata?.hash === 'string' ? metadata.hash : '';
}

const isUserEvent = (event: EsdbRecorded): boolean => event.isJson && !event.type.startsWith('$');

function toPosition(position: string): Position {
  const [commit, prepare] = parsePosition(position);
  return { commit, prepare };
}

const samePosition = (a: Position | undefined, b: Position): boolean =>
  a !== undefined && a.commit === b.commit && a.prepare === b.prepare;

function toRecorded(event: EsdbRecorded): RecordedEvent {
  const position = event.position;
  // Stream reads carry event positions only from EventStoreDB 22.6 on.
  if (!position)
    throw new Error(`EventStoreDB returned event ${event.id} without a position: server older than 22.6?`);
  return {
    id: event.id,
    type: event.type,
    data: event.data as JsonObject,
    metadata: event.metadata as unknown as StoredMetadata,
    streamName: event.streamId,
    revision: event.revision,
    position: formatPosition(position.commit, position.prepare),
  };
}

/** Connection-level failures become EventStoreUnavailableError; anything else is passed on unchanged. */
function unavailable(error: unknown): unknown {
  if (error instanceof EventStoreUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const transient =
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    (typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code)) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|Failed to discover/.test(message);
  return transient
    ? new EventStoreUnavailableError(`EventStoreDB event store unreachable: ${message}`, { cause: error })
    : error;
}
