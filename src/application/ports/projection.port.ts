import type { PoolClient } from 'pg';
import type { RecordedEvent } from './event-store.port.js';

/**
 * The projection contract: what a read model in `projections/` gives the runner in `src/infrastructure`
 * and what both agree on (where readers find its tables). The one module the two sides share, so neither
 * imports the other.
 *
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

/** The view through which readers see a published table of a projection's live generation. */
export const viewName = (projection: string, table: string) =>
  `read.${projection.replaceAll('-', '_')}_${table}`;
