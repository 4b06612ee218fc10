import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../../application/ports/event-store.port.js';

/**
 * A read model: its tables (created in a schema per generation), the tables readers see (as views in
 * schema `read`), and how a batch of events changes them. `applyBatch` runs inside the transaction that
 * also stores the checkpoint, so a batch is applied exactly once or not at all.
 */
export interface Projection {
  readonly name: string;
  /** Bump it when the tables or the handlers change: the runner rebuilds into a new generation. */
  readonly version: number;
  /** The event types it reads; others only move its checkpoint. */
  readonly eventTypes: ReadonlySet<string>;
  /** DDL for one generation; `schema` is a safe, unquoted identifier. */
  ddl(schema: string): string;
  /** Tables published to readers as `read.<table>`. */
  readonly publishedTables: readonly string[];
  applyBatch(client: PoolClient, schema: string, events: readonly RecordedEvent[]): Promise<void>;
}
