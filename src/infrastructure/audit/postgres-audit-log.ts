import type { Pool, PoolClient } from 'pg';
import {
  type AuditLog,
  type AuditQuery,
  ownsStream,
  type ScannedEvent,
  type StreamHead,
  type StreamKindQuery,
} from '../../application/ports/audit-log.port.js';
import { parsePosition, type RecordedEvent, START } from '../../application/ports/event-store.port.js';
import { EVENT_COLUMNS, EVENT_SOURCE, type EventRow, toRecorded } from '../event-store/event-row.js';
import { scanLog } from './postgres-log-scan.js';

/** Only events of transactions older than every running one: a page or an export never skips a late commit. */
const BELOW_HORIZON = 'e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())';
/** The instant an event occurred: its column, or the metadata member no column could hold. */
const OCCURRED_AT = "COALESCE(e.occurred_at, (e.metadata->>'occurredAt')::timestamptz)";
const STREAM_PAGE = 1000;
const KIND = /^[a-z][a-z0-9_]*$/;
/** Rows per FETCH of the whole-log scans (export, verify): few round trips, bounded memory. */
const EXPORT_CHUNK = 5000;

/**
 * The audit reader over the PostgreSQL event store's tables (`events`, `streams`). A user's streams are
 * found in `streams` (a superset by substring, then the one ownership rule, `ownsStream`), their events
 * by `stream_name` and read in `(transaction_id, global_position)` order below the read horizon, exactly
 * like `$all`.
 */
export class PostgresAuditLog implements AuditLog {
  constructor(private readonly pool: Pool) {}

  async page(query: AuditQuery): Promise<RecordedEvent[]> {
    const owned = await this.userStreamNames(query.userId);
    const streams = query.stream === undefined ? owned : owned.filter((s) => s === query.stream);
    if (streams.length === 0) return [];
    const [tx, position] = parsePosition(query.after ?? START);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${EVENT_SOURCE}
       WHERE s.stream_name = ANY($1::text[])
         AND ($2::text IS NULL OR t.name = $2)
         AND ($3::timestamptz IS NULL OR ${OCCURRED_AT} >= $3)
         AND ($4::timestamptz IS NULL OR ${OCCURRED_AT} < $4)
         AND (e.transaction_id, e.global_position) > ($5::text::xid8, $6::bigint)
         AND ${BELOW_HORIZON}
       ORDER BY e.transaction_id, e.global_position LIMIT $7`,
      [
        streams,
        query.type ?? null,
        query.from?.toISOString() ?? null,
        query.to?.toISOString() ?? null,
        tx.toString(),
        position.toString(),
        query.limit,
      ],
    );
    return rows.map(toRecorded);
  }

  async kindPage(query: StreamKindQuery): Promise<RecordedEvent[]> {
    const kinds = query.kinds.filter((kind) => KIND.test(kind));
    if (kinds.length === 0) return [];
    const [tx, position] = parsePosition(query.after ?? START);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${EVENT_SOURCE}
       WHERE s.stream_name LIKE ANY($1::text[])
         AND ($2::text[] IS NULL OR s.stream_name = ANY($2::text[]))
         AND ($3::text IS NULL OR t.name = $3)
         AND ($4::timestamptz IS NULL OR ${OCCURRED_AT} >= $4)
         AND ($5::timestamptz IS NULL OR ${OCCURRED_AT} < $5)
         AND (e.transaction_id, e.global_position) > ($6::text::xid8, $7::bigint)
         AND ${BELOW_HORIZON}
       ORDER BY e.transaction_id, e.global_position LIMIT $8`,
      [
        kinds.map((kind) => `${kind.replaceAll('_', '\\_')}-%`),
        query.userId === undefined ? null : kinds.map((kind) => `${kind}-${query.userId?.toLowerCase()}`),
        query.type ?? null,
        query.from?.toISOString() ?? null,
        query.to?.toISOString() ?? null,
        tx.toString(),
        position.toString(),
        query.limit,
      ],
    );
    return rows.map(toRecorded);
  }

  async *streams(userId?: string): AsyncIterable<StreamHead> {
    let after = '';
    for (;;) {
      const { rows } = await this.pool.query<{ stream_name: string; revision: string; last_hash: string }>(
        `SELECT stream_name, revision::text, last_hash FROM streams
         WHERE stream_name > $1 AND ($2::text IS NULL OR strpos(lower(stream_name), lower($2)) > 0)
         ORDER BY stream_name LIMIT $3`,
        [after, userId ?? null, STREAM_PAGE],
      );
      for (const row of rows) {
        if (userId !== undefined && !ownsStream(userId, row.stream_name)) continue;
        yield { stream: row.stream_name, revision: BigInt(row.revision), lastHash: row.last_hash };
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < STREAM_PAGE) return;
      after = last.stream_name;
    }
  }

  /**
   * One REPEATABLE READ transaction and a server-side cursor: a consistent snapshot, fetched
   * EXPORT_CHUNK rows at a time. Stopping the iteration early ends the transaction.
   */
  async *events(options: { userId?: string } = {}): AsyncIterable<RecordedEvent> {
    const streams = options.userId === undefined ? undefined : await this.userStreamNames(options.userId);
    if (streams?.length === 0) return;
    const client = await this.pool.connect();
    let open = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      open = true;
      await client.query(
        `DECLARE audit_export NO SCROLL CURSOR FOR
         SELECT ${EVENT_COLUMNS} FROM ${EVENT_SOURCE}
         WHERE ($1::text[] IS NULL OR s.stream_name = ANY($1::text[])) AND ${BELOW_HORIZON}
         ORDER BY e.transaction_id, e.global_position`,
        [streams ?? null],
      );
      for (;;) {
        const { rows } = await client.query<EventRow>(`FETCH ${EXPORT_CHUNK} FROM audit_export`);
        for (const row of rows) yield toRecorded(row);
        if (rows.length < EXPORT_CHUNK) break;
      }
      await client.query('COMMIT');
      open = false;
    } finally {
      await end(client, open);
    }
  }

  /**
   * The whole log through `COPY … TO STDOUT` in one REPEATABLE READ transaction (see `scanLog`). A scan
   * stopped early leaves its COPY unfinished: that connection is closed, not returned to the pool.
   */
  async *scanAll(options: { belowHorizon: boolean }): AsyncIterable<readonly ScannedEvent[]> {
    const client = await this.pool.connect();
    let finished = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      yield* scanLog(client, options);
      await client.query('COMMIT');
      finished = true;
    } finally {
      client.release(!finished);
    }
  }

  async isEmpty(): Promise<boolean> {
    const { rows } = await this.pool.query<{ empty: boolean }>(
      'SELECT NOT EXISTS (SELECT 1 FROM event_log) AND NOT EXISTS (SELECT 1 FROM streams) AS empty',
    );
    return rows[0]?.empty === true;
  }

  /** A user's stream names (a user has a few dozen streams, never millions). */
  private async userStreamNames(userId: string): Promise<string[]> {
    const names: string[] = [];
    for await (const head of this.streams(userId)) names.push(head.stream);
    return names;
  }
}

async function end(client: PoolClient, open: boolean): Promise<void> {
  if (open) await client.query('ROLLBACK').catch(() => undefined);
  client.release();
}
