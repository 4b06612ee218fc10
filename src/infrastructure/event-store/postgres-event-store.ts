import { EventEmitter } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { chainEvents } from '../../application/event-store/hash-chain.js';
import { pollingSubscription } from '../../application/event-store/polling-subscription.js';
import { DependencyUnavailableError } from '../../application/ports/dependency-unavailable.js';
import {
  type AppendResult,
  type EventStore,
  EventStoreUnavailableError,
  type ExpectedVersion,
  formatPosition,
  type GlobalPosition,
  type NewEvent,
  parsePosition,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  START,
  type SubscribeOptions,
  type Subscription,
} from '../../application/ports/event-store.port.js';
import {
  EVENT_COLUMNS,
  EVENT_SOURCE,
  type EventRow,
  metadataColumns,
  systemActor,
  toRecorded,
} from './event-row.js';
import { checkExpectedVersion } from './expected-version.js';

const CHANNEL = 'daybook_events';
/** Stream heads remembered for one-statement appends; the least recently written leave first. */
const KNOWN_HEADS = 10_000;

interface Head {
  readonly revision: bigint;
  readonly lastHash: string;
  readonly streamId: number;
}

const INSERT_EVENTS = `INSERT INTO event_log (stream_id, stream_revision, event_id, type_id, data, metadata,
  correlation_id, causation_id, actor_id, actor_name_id, occurred_at, schema_version, prev_hash, hash)`;
/**
 * The columns of one element `e` (`n`-th) of a `chainedRows` array for stream `$<stream>`. prev_hash
 * stays NULL where a reader derives it (migration 018): after an event of the same append, at revision
 * 0, or after a predecessor whose transaction comes no later than this one in `$all` order.
 */
const eventValues = (stream: string) => `(e->>'revision')::int, (e->>'id')::uuid, (e->>'typeId')::smallint,
  e->'data', NULLIF(e->'rest', 'null'), (e->>'correlationId')::uuid, (e->>'causationId')::uuid,
  (e->>'actor')::uuid, (e->>'actorNameId')::smallint, (e->>'occurredAt')::timestamptz,
  (e->>'schemaVersion')::smallint,
  CASE WHEN (e->>'prevDerived')::boolean AND (n > 1 OR (e->>'revision')::int = 0 OR EXISTS (
      SELECT 1 FROM event_log p WHERE p.stream_id = ${stream} AND p.stream_revision = (e->>'revision')::int - 1
        AND p.hash = decode(e->>'prevHash', 'hex') AND p.transaction_id <= pg_current_xact_id()))
    THEN NULL ELSE decode(e->>'prevHash', 'hex') END,
  decode(e->>'hash', 'hex')`;
/** The elements `e` (in order `n`) of the `chainedRows` array passed as parameter `$<param>`. */
const chainedFrom = (param: number) => `jsonb_array_elements($${param}::jsonb) WITH ORDINALITY AS x(e, n)`;
const INSERT_RETURNING = 'RETURNING global_position::text AS position, transaction_id::text AS tx';

/**
 * Chained events as the JSON array `eventValues` reads; each prevHash is derivable from the event
 * before it (the head's hash for the first, which the SQL checks against the stored predecessor).
 */
const chainedRows = (
  chained: ReturnType<typeof chainEvents>,
  headHash: string,
  names: ReadonlyMap<string, number>,
): string =>
  JSON.stringify(
    chained.map(({ event, revision }, index) => {
      const columns = metadataColumns(
        event.metadata,
        index === 0 ? headHash : (chained[index - 1]?.event.metadata.hash as string),
      );
      return {
        revision: revision.toString(),
        id: event.id,
        typeId: names.get(event.type),
        data: event.data,
        ...columns,
        actorNameId: columns.actorName === null ? null : names.get(columns.actorName),
      };
    }),
  );

/** Revisions are stored as integer (migration 013). */
const MAX_REVISION = 2_147_483_647n;

/**
 * The default event store. `$all` is ordered by (transaction id, sequence) and read only below the
 * oldest running transaction's id, so a follower never passes an event that commits late.
 */
export class PostgresEventStore implements EventStore {
  readonly name = 'postgresql';
  private readonly committed = new EventEmitter();
  private listener: Promise<PoolClient> | undefined;
  private closed = false;
  /** Each stream's head as this process last appended it: the next append at it is one statement. */
  private readonly heads = new Map<string, Head>();
  /** Ids in `log_names` (migration 018): the names are few and never change, so each is looked up once. */
  private readonly names = new Map<string, number>();

  constructor(private readonly pool: Pool) {
    this.committed.setMaxListeners(0);
  }

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion = 'any',
  ): Promise<AppendResult> {
    await this.nameStrings(events);
    const known = this.heads.get(stream);
    if (known && events.length > 0 && expected === known.revision) {
      const appended = await this.appendAtHead(stream, known, events);
      if (appended) return appended;
    }
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      const head = await this.lockHead(client, stream, events.length > 0);
      const current = head.revision < 0n ? 'no-stream' : head.revision;
      checkExpectedVersion(stream, expected, current);
      if (events.length === 0) {
        await client.query('ROLLBACK');
        return { nextExpectedVersion: head.revision, position: START };
      }
      const chained = chainEvents(stream, head.revision + 1n, head.lastHash, events);
      const inserted = await client.query<{ position: string; tx: string }>(
        `${INSERT_EVENTS} SELECT $1, ${eventValues('$1')} FROM ${chainedFrom(2)} ORDER BY n ${INSERT_RETURNING}`,
        [head.streamId, chainedRows(chained, head.lastHash, this.names)],
      );
      const last = chained[chained.length - 1]!;
      await client.query('UPDATE streams SET revision = $2, last_hash = $3 WHERE stream_name = $1', [
        stream,
        last.revision.toString(),
        last.event.metadata.hash,
      ]);
      await client.query(`SELECT pg_notify('${CHANNEL}', '')`);
      await client.query('COMMIT');
      return this.appended(stream, head.streamId as number, last, inserted.rows);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * The append as one statement (one round trip instead of six), at the head this process last wrote:
   * the head row moves only if it is still there, and the events go in only if it moved. Undefined when
   * another writer moved it first; the locking path then decides.
   */
  private async appendAtHead(
    stream: string,
    head: Head,
    events: readonly NewEvent[],
  ): Promise<AppendResult | undefined> {
    const chained = chainEvents(stream, head.revision + 1n, head.lastHash, events);
    const last = chained[chained.length - 1]!;
    const { rows } = await this.query<{ position: string; tx: string }>(
      `WITH head AS (
         UPDATE streams SET revision = $3, last_hash = $4
         WHERE stream_id = $1 AND revision = $2 AND last_hash = $5 RETURNING stream_id),
       inserted AS (
         ${INSERT_EVENTS} SELECT head.stream_id, ${eventValues('$1')} FROM head, ${chainedFrom(6)} ORDER BY n
         ${INSERT_RETURNING})
       SELECT position, tx, pg_notify('${CHANNEL}', '') FROM inserted`,
      [
        head.streamId,
        head.revision.toString(),
        last.revision.toString(),
        last.event.metadata.hash,
        head.lastHash,
        chainedRows(chained, head.lastHash, this.names),
      ],
    );
    if (rows.length === 0) {
      this.heads.delete(stream);
      return undefined;
    }
    return this.appended(stream, head.streamId, last, rows);
  }

  /**
   * Gives every name `events` use (types, system actors) its id, naming new ones in a statement of
   * their own: inside the append's transaction a new name would stay uncommitted, and every other
   * writer using it would wait for it. A name another writer is adding at that moment is read on the
   * next try.
   */
  private async nameStrings(events: readonly NewEvent[]): Promise<void> {
    const used = new Set<string>();
    for (const event of events) {
      used.add(event.type);
      const actor = systemActor(event.metadata);
      if (actor !== null) used.add(actor);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const missing = [...used].filter((name) => !this.names.has(name));
      if (missing.length === 0) return;
      const { rows } = await this.query<{ id: number; name: string }>(
        `WITH named AS (
           INSERT INTO log_names (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING name_id, name)
         SELECT name_id AS id, name FROM named
         UNION ALL SELECT name_id, name FROM log_names WHERE name = ANY($1::text[])`,
        [missing],
      );
      for (const { id, name } of rows) this.names.set(name, id);
    }
    throw new Error(
      `could not name ${[...used].filter((name) => !this.names.has(name)).join(', ')} in log_names`,
    );
  }

  private appended(
    stream: string,
    streamId: number,
    last: ReturnType<typeof chainEvents>[number],
    rows: readonly { position: string; tx: string }[],
  ): AppendResult {
    this.heads.delete(stream);
    this.heads.set(stream, {
      revision: last.revision,
      lastHash: last.event.metadata.hash as string,
      streamId,
    });
    if (this.heads.size > KNOWN_HEADS) this.heads.delete(this.heads.keys().next().value as string);
    const tail = rows.reduce((a, b) => (BigInt(a.position) > BigInt(b.position) ? a : b));
    return {
      nextExpectedVersion: last.revision,
      position: formatPosition(BigInt(tail.tx), BigInt(tail.position)),
    };
  }

  /** Locks the stream's head row; creates it (revision -1) when the append will write the first event. */
  private async lockHead(
    client: PoolClient,
    stream: string,
    create: boolean,
  ): Promise<{ revision: bigint; lastHash: string; streamId?: number }> {
    const select = () =>
      client.query<{ revision: string; last_hash: string; stream_id: number }>(
        'SELECT revision::text, last_hash, stream_id FROM streams WHERE stream_name = $1 FOR UPDATE',
        [stream],
      );
    let { rows } = await select();
    if (rows.length === 0 && create) {
      // A concurrent creator makes this insert wait for its commit; then the row is there to lock.
      const created = await client.query<{ stream_id: number }>(
        `INSERT INTO streams (stream_name, revision, last_hash) VALUES ($1, -1, '') ON CONFLICT DO NOTHING
         RETURNING stream_id`,
        [stream],
      );
      const streamId = created.rows[0]?.stream_id;
      if (streamId !== undefined) return { revision: -1n, lastHash: '', streamId };
      ({ rows } = await select());
    }
    const row = rows[0];
    return row
      ? { revision: BigInt(row.revision), lastHash: row.last_hash, streamId: row.stream_id }
      : { revision: -1n, lastHash: '' };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? BigInt(Number.MAX_SAFE_INTEGER) : 0n);
    const { rows } = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${EVENT_SOURCE}
       WHERE s.stream_name = $1 AND e.stream_revision ${backwards ? '<=' : '>='} $2
       ORDER BY e.stream_revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      [stream, from > MAX_REVISION ? MAX_REVISION.toString() : from.toString(), options.maxCount ?? null],
    );
    return rows.map(toRecorded);
  }

  async readAll({ after = START, maxCount, types }: ReadAllOptions): Promise<RecordedEvent[]> {
    const [tx, position] = parsePosition(after);
    const { rows } = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${EVENT_SOURCE}
       WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
         AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         AND ($4::text[] IS NULL OR t.name = ANY($4::text[]))
       ORDER BY e.transaction_id, e.global_position LIMIT $3`,
      [tx.toString(), position.toString(), maxCount, types ?? null],
    );
    return rows.map(toRecorded);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.listen();
    return pollingSubscription(this, options, (wake) => {
      this.committed.on('commit', wake);
      return () => this.committed.off('commit', wake);
    });
  }

  /**
   * One LISTEN connection per store wakes every subscription as soon as an append commits. Without it
   * subscriptions still poll (every 250 ms), so a lost connection only costs latency: it is re-opened
   * with back-off (0.25 s doubling to 5 s) for as long as anyone is subscribed.
   */
  private listen(attempt = 0): void {
    if (this.listener || this.closed) return;
    let connection: PoolClient | undefined;
    let failures = attempt;
    const listener = (async () => {
      connection = await this.connect();
      connection.on('notification', () => this.committed.emit('commit'));
      connection.on('error', () => lost());
      await connection.query(`LISTEN ${CHANNEL}`);
      failures = 0;
      return connection;
    })();
    // Runs once per connection (the guard): on its 'error', or when connecting or LISTEN failed.
    const lost = () => {
      if (this.listener !== listener) return;
      this.listener = undefined;
      connection?.release(true);
      if (this.closed || this.committed.listenerCount('commit') === 0) return;
      const delay = Math.min(250 * 2 ** failures, 5000);
      setTimeout(() => this.listen(failures + 1), delay).unref();
    };
    this.listener = listener;
    listener.catch(lost);
  }

  async headPosition(): Promise<GlobalPosition> {
    const { rows } = await this.query<{ tx: string; position: string }>(
      `SELECT transaction_id::text AS tx, global_position::text AS position FROM event_log
       WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? formatPosition(BigInt(row.tx), BigInt(row.position)) : START;
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1 FROM event_log LIMIT 1');
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = undefined;
    if (listener) (await listener.catch(() => undefined))?.release(true);
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      // An outage the pool already recognised keeps the code every other PostgreSQL use answers with.
      if (error instanceof DependencyUnavailableError) throw error;
      throw new EventStoreUnavailableError(
        `PostgreSQL event store unreachable: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  private async query<R extends object>(sql: string, params: unknown[] = []) {
    const client = await this.connect();
    try {
      return await client.query<R>(sql, params);
    } finally {
      client.release();
    }
  }
}
