import { once } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import pgCopy from 'pg-copy-streams';
import {
  LoadConflictError,
  type LoadProgress,
  type LoadResult,
  type LoadSession,
  type LogLoader,
  type StagedEvent,
} from '../../application/ports/log-loader.port.js';
import { copyEventColumns, copyEventLine, PrevHashes } from '../event-store/event-row.js';

/** One load at a time: the staging table is shared. */
const LOAD_LOCK = 7_400_019;
/** Rows per COPY statement: each is its own short transaction (the read horizon is cluster-wide). */
const STAGE_ROWS = 10_000;
/** Rows moved per transaction: large enough to be fast, short enough (well under a second on an idle
 * machine, a few seconds on a saturated one) not to hold the cluster-wide read horizon for long. */
const MOVE_ROWS = 10_000;
/** How long a load waits for other transactions to let its events be read (see untilReadable). */
const HORIZON_WAIT_MS = 10_000;

const STAGING_COLUMNS = copyEventColumns('staging');
const COPY_STAGING = `COPY log_import_staging (seq, stream, ${STAGING_COLUMNS}) FROM STDIN`;
/** The staged columns as the log takes them: names by their ids (migration 018). */
const MOVED_COLUMNS = STAGING_COLUMNS.split(', ').map((c) =>
  c === 'event_type' ? 't.name_id' : c === 'actor_name' ? 'a.name_id' : `st.${c}`,
);
const asStaged = (name: string) => name;

/**
 * Bulk load into `event_log` (migration 014): COPY into the unlogged `log_import_staging`, then
 * INSERT … SELECT into the log in file order, MOVE_ROWS per transaction. Every row of a transaction
 * gets that transaction's id and the next global positions, so `$all` keeps the file's order and a
 * follower's horizon stays correct; stream heads are updated in the same transaction.
 */
export class PostgresLogLoader implements LogLoader {
  constructor(
    private readonly pool: Pool,
    private readonly options: { moveRows?: number } = {},
  ) {}

  async target(): Promise<{ empty: boolean; unfinished: string[] }> {
    const { rows } = await this.pool.query<{ empty: boolean; unfinished: string[] }>(
      `SELECT NOT EXISTS (SELECT 1 FROM event_log) AND NOT EXISTS (SELECT 1 FROM streams) AS empty,
         ARRAY(SELECT source FROM log_imports WHERE finished_at IS NULL ORDER BY id) AS unfinished`,
    );
    const row = rows[0];
    return { empty: row?.empty === true, unfinished: row?.unfinished ?? [] };
  }

  async open(): Promise<LoadSession> {
    const client = await this.pool.connect();
    client.on('error', () => undefined);
    try {
      await client.query('SELECT pg_advisory_lock($1)', [LOAD_LOCK]);
      await client.query('TRUNCATE log_import_staging');
    } catch (error) {
      client.release(true);
      throw error;
    }
    return new PostgresLoadSession(client, this.options.moveRows ?? MOVE_ROWS);
  }
}

class PostgresLoadSession implements LoadSession {
  private staged = 0;
  private copy: pgCopy.CopyStreamQuery | undefined;
  private inCopy = 0;
  private closed = false;
  private failure: unknown;
  /** Staged in file order, which the moves keep: prev_hash stays NULL where a reader derives it. */
  private readonly prevHashes = new PrevHashes();

  constructor(
    private readonly client: PoolClient,
    private readonly moveRows: number,
  ) {}

  /** Writes the events as COPY text, one write per COPY statement's share of them. */
  async stage(events: readonly StagedEvent[]): Promise<void> {
    for (let i = 0; i < events.length; ) {
      if (this.failure) throw this.failure;
      if (!this.copy) {
        this.copy = this.client.query(pgCopy.from(COPY_STAGING));
        this.copy.on('error', (error) => {
          this.failure ??= error;
        });
      }
      const share = events.slice(i, i + STAGE_ROWS - this.inCopy);
      const lines = share.map(
        (event) =>
          `${++this.staged}\t${copyEventLine(event.stream, event.revision, event.id, event.type, event.dataJson, event.metadata, { name: asStaged, prevHashes: this.prevHashes })}`,
      );
      i += share.length;
      this.inCopy += share.length;
      if (!this.copy.write(lines.join(''))) await once(this.copy, 'drain');
      if (this.inCopy >= STAGE_ROWS) await this.endCopy();
    }
  }

  private async endCopy(): Promise<void> {
    const copy = this.copy;
    if (!copy) return;
    this.copy = undefined;
    this.inCopy = 0;
    const done = once(copy, 'finish');
    copy.end();
    await done;
  }

  async commit(options: {
    source: string;
    skipExisting: boolean;
    onProgress?: (progress: LoadProgress) => void;
  }): Promise<LoadResult> {
    await this.endCopy();
    options.onProgress?.({ phase: 'staged', events: this.staged });
    const { client } = this;
    await client.query('ANALYZE log_import_staging');
    if (options.skipExisting) await this.checkAgainstLog();
    const { rows } = await client.query<{ id: string }>(
      'INSERT INTO log_imports (source) VALUES ($1) RETURNING id::text',
      [options.source],
    );
    const importId = rows[0]?.id;
    let moved = 0;
    for (let from = 0; from < this.staged; from += this.moveRows) {
      const to = Math.min(from + this.moveRows, this.staged);
      moved += await this.move(from, to, options.skipExisting, importId);
      options.onProgress?.({ phase: 'moved', events: moved });
    }
    const skipped = this.staged - moved;
    await client.query('UPDATE log_imports SET finished_at = now(), skipped = $2 WHERE id = $1', [
      importId,
      skipped,
    ]);
    await this.untilReadable();
    return { moved, skipped };
  }

  /**
   * Waits (bounded) until `$all` readers can see every moved event: until no transaction older than the
   * last move is still running anywhere in the cluster. A reader right after the load then sees it all.
   */
  private async untilReadable(): Promise<void> {
    const { rows } = await this.client.query<{ now: string }>('SELECT pg_current_snapshot()::text AS now');
    const deadline = Date.now() + HORIZON_WAIT_MS;
    for (;;) {
      const { rows: passed } = await this.client.query<{ ok: boolean }>(
        'SELECT pg_snapshot_xmin(pg_current_snapshot()) >= pg_snapshot_xmax($1::text::pg_snapshot) AS ok',
        [rows[0]?.now],
      );
      if (passed[0]?.ok || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Events the log already holds must be the same ones; a stream must not already have a staged revision. */
  private async checkAgainstLog(): Promise<void> {
    const { rows: changed } = await this.client.query<{ seq: string; stream: string; revision: number }>(
      `SELECT st.seq::text, st.stream, st.stream_revision AS revision
       FROM log_import_staging st JOIN event_log e USING (event_id) JOIN streams s ON s.stream_id = e.stream_id
       WHERE s.stream_name <> st.stream OR e.stream_revision <> st.stream_revision OR e.hash IS DISTINCT FROM st.hash
       LIMIT 1`,
    );
    const first = changed[0];
    if (first)
      throw new LoadConflictError(
        `event ${first.seq} (${first.stream}@${first.revision}): the log holds an event with its id but other content`,
      );
    const { rows: taken } = await this.client.query<{ seq: string; stream: string; revision: number }>(
      `SELECT st.seq::text, st.stream, st.stream_revision AS revision
       FROM log_import_staging st JOIN streams s ON s.stream_name = st.stream
       WHERE st.stream_revision <= s.revision AND NOT EXISTS (SELECT 1 FROM event_log e WHERE e.event_id = st.event_id)
       LIMIT 1`,
    );
    const collision = taken[0];
    if (collision)
      throw new LoadConflictError(
        `event ${collision.seq}: ${collision.stream}@${collision.revision} is already taken by another event in the log`,
      );
  }

  /** Moves staged rows (from, to] in one transaction; returns how many were inserted. */
  private async move(from: number, to: number, skipExisting: boolean, importId?: string): Promise<number> {
    const { client } = this;
    // New type names commit before the move: held in its transaction, they would stall other writers.
    await client.query(
      `INSERT INTO log_names (name) SELECT event_type FROM log_import_staging WHERE seq > $1 AND seq <= $2
       UNION SELECT actor_name FROM log_import_staging WHERE seq > $1 AND seq <= $2 AND actor_name IS NOT NULL
       ON CONFLICT DO NOTHING`,
      [from, to],
    );
    await client.query('BEGIN');
    try {
      await client.query(
        `INSERT INTO streams (stream_name, revision, last_hash)
         SELECT DISTINCT ON (stream) stream, stream_revision, encode(hash, 'hex') FROM log_import_staging
         WHERE seq > $1 AND seq <= $2 ORDER BY stream, stream_revision DESC
         ON CONFLICT (stream_name) DO UPDATE SET revision = EXCLUDED.revision, last_hash = EXCLUDED.last_hash
         WHERE streams.revision < EXCLUDED.revision`,
        [from, to],
      );
      const inserted = await client.query(
        `INSERT INTO event_log (stream_id, ${copyEventColumns('log')})
         SELECT s.stream_id, ${MOVED_COLUMNS.join(', ')}
         FROM log_import_staging st JOIN streams s ON s.stream_name = st.stream
           JOIN log_names t ON t.name = st.event_type LEFT JOIN log_names a ON a.name = st.actor_name
         WHERE st.seq > $1 AND st.seq <= $2
           ${skipExisting ? 'AND NOT EXISTS (SELECT 1 FROM event_log e WHERE e.event_id = st.event_id)' : ''}
         ORDER BY st.seq`,
        [from, to],
      );
      await client.query('UPDATE log_imports SET moved = moved + $2 WHERE id = $1', [
        importId,
        inserted.rowCount ?? 0,
      ]);
      await client.query("SELECT pg_notify('daybook_events', '')");
      await client.query('COMMIT');
      return inserted.rowCount ?? 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const copy = this.copy;
    this.copy = undefined;
    try {
      if (copy) {
        // An unfinished COPY is abandoned with the connection.
        copy.destroy();
        this.client.release(true);
        return;
      }
      await this.client.query('TRUNCATE log_import_staging');
      await this.client.query('SELECT pg_advisory_unlock($1)', [LOAD_LOCK]);
      this.client.release();
    } catch {
      this.client.release(true);
    }
  }
}
