import { EventEmitter } from 'node:events';
import { chainEvents } from '../../application/event-store/hash-chain.js';
import { pollingSubscription } from '../../application/event-store/polling-subscription.js';
import {
  type AppendResult,
  comparePositions,
  type EventStore,
  type ExpectedVersion,
  formatPosition,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  START,
  type SubscribeOptions,
  type Subscription,
} from '../../application/ports/event-store.port.js';
import { checkExpectedVersion } from './expected-version.js';

/** For unit tests and what-if runs: the same contract as the durable stores, in one process's memory. */
export class InMemoryEventStore implements EventStore {
  readonly name = 'in-memory';
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly ids = new Set<string>();
  private readonly appended = new EventEmitter();

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion = 'any',
  ): Promise<AppendResult> {
    const existing = this.streams.get(stream) ?? [];
    const current = existing.length === 0 ? 'no-stream' : BigInt(existing.length - 1);
    checkExpectedVersion(stream, expected, current);
    const duplicate = events.find((e) => this.ids.has(e.id));
    if (duplicate) throw new Error(`Event id ${duplicate.id} was already appended`);
    const last = existing[existing.length - 1];
    const chained = chainEvents(stream, BigInt(existing.length), last?.metadata.hash ?? '', events);
    const base = this.all.length;
    const recorded = chained.map(({ event, revision }, index) => ({
      ...event,
      streamName: stream,
      revision,
      position: formatPosition(0n, BigInt(base + index + 1)),
    }));
    this.streams.set(stream, [...existing, ...recorded]);
    this.all.push(...recorded);
    for (const event of events) this.ids.add(event.id);
    this.appended.emit('appended');
    const tail = recorded[recorded.length - 1];
    return {
      nextExpectedVersion: tail ? tail.revision : current === 'no-stream' ? -1n : current,
      position: tail?.position ?? this.all[this.all.length - 1]?.position ?? START,
    };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const events = this.streams.get(stream) ?? [];
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (options.direction === 'backwards') {
      const from = options.fromRevision ?? BigInt(events.length - 1);
      return events
        .filter((e) => e.revision <= from)
        .reverse()
        .slice(0, max);
    }
    const from = options.fromRevision ?? 0n;
    return events.filter((e) => e.revision >= from).slice(0, max);
  }

  async readAll({ after = START, maxCount, types }: ReadAllOptions): Promise<RecordedEvent[]> {
    const result: RecordedEvent[] = [];
    for (const event of this.all) {
      if (result.length >= maxCount) break;
      if (types && !types.includes(event.type)) continue;
      if (comparePositions(event.position, after) > 0) result.push(event);
    }
    return result;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return pollingSubscription(this, options, (listener) => {
      this.appended.on('appended', listener);
      return () => this.appended.off('appended', listener);
    });
  }

  async headPosition(): Promise<GlobalPosition> {
    return this.all[this.all.length - 1]?.position ?? START;
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}
