import {
  type AuditLog,
  type AuditQuery,
  ownsStream,
  type StreamHead,
  type StreamKindQuery,
  streamKind,
} from '../../application/ports/audit-log.port.js';
import type { EventStore, GlobalPosition, RecordedEvent } from '../../application/ports/event-store.port.js';

const CHUNK = 1000;

/**
 * The audit reader for stores without tables to query (EventStoreDB, in-memory): every answer is a scan
 * of `$all`. Correct, and linear in the size of the log; the PostgreSQL store has PostgresAuditLog.
 */
export class EventStoreAuditLog implements AuditLog {
  constructor(private readonly store: EventStore) {}

  async page(query: AuditQuery): Promise<RecordedEvent[]> {
    const page: RecordedEvent[] = [];
    for await (const event of this.scan(query.after)) {
      if (!ownsStream(query.userId, event.streamName)) continue;
      if (query.stream !== undefined && event.streamName !== query.stream) continue;
      if (query.type !== undefined && event.type !== query.type) continue;
      const at = Date.parse(event.metadata.occurredAt);
      if (query.from !== undefined && at < query.from.getTime()) continue;
      if (query.to !== undefined && at >= query.to.getTime()) continue;
      page.push(event);
      if (page.length >= query.limit) break;
    }
    return page;
  }

  async kindPage(query: StreamKindQuery): Promise<RecordedEvent[]> {
    const page: RecordedEvent[] = [];
    for await (const event of this.scan(query.after)) {
      if (!query.kinds.includes(streamKind(event.streamName))) continue;
      if (query.userId !== undefined && !ownsStream(query.userId, event.streamName)) continue;
      if (query.type !== undefined && event.type !== query.type) continue;
      const at = Date.parse(event.metadata.occurredAt);
      if (query.from !== undefined && at < query.from.getTime()) continue;
      if (query.to !== undefined && at >= query.to.getTime()) continue;
      page.push(event);
      if (page.length >= query.limit) break;
    }
    return page;
  }

  /** Collects the names in one scan (memory: one entry per stream). */
  async *streams(userId?: string): AsyncIterable<StreamHead> {
    const names = new Set<string>();
    for await (const event of this.scan()) {
      if (userId === undefined || ownsStream(userId, event.streamName)) names.add(event.streamName);
    }
    for (const stream of [...names].sort()) yield { stream };
  }

  async *events(options: { userId?: string } = {}): AsyncIterable<RecordedEvent> {
    const { userId } = options;
    for await (const event of this.scan()) {
      if (userId === undefined || ownsStream(userId, event.streamName)) yield event;
    }
  }

  async isEmpty(): Promise<boolean> {
    return (await this.store.readAll({ maxCount: 1 })).length === 0;
  }

  private async *scan(after?: GlobalPosition): AsyncIterable<RecordedEvent> {
    let position = after;
    for (;;) {
      const chunk = await this.store.readAll({ maxCount: CHUNK, ...(position ? { after: position } : {}) });
      yield* chunk;
      const last = chunk[chunk.length - 1];
      if (!last || chunk.length < CHUNK) return;
      position = last.position;
    }
  }
}
