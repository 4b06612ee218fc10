import type { PoolClient } from 'pg';
import pgCopy from 'pg-copy-streams';
import type { ScannedEvent, StreamHead } from '../../application/ports/audit-log.port.js';
import type { JsonObject, StoredMetadata } from '../../application/ports/event-store.port.js';
import { PrevHashes, storedMetadata } from '../event-store/event-row.js';

/** Events per page handed to the reader. */
const PAGE = 2000;

/**
 * What the scan reads besides the rows, in their snapshot: each stream's head by id, each name
 * (types, system actors) by id, and the hashes a NULL prev_hash is derived from (migration 018).
 */
interface ScanContext {
  readonly heads: ReadonlyMap<number, StreamHead>;
  readonly names: ReadonlyMap<number, string>;
  readonly prevHashes: PrevHashes;
}

/**
 * The whole log in `$all` order as `COPY … TO STDOUT` (text format), parsed line by line: the fastest
 * scan PostgreSQL offers, with no per-row protocol message or per-column parser. Stream names and heads
 * come from one read of `streams` in the same snapshot (the caller's REPEATABLE READ transaction), so
 * rows carry only the stream's id. The rows are read as bytes, not decoded: the data stays the stored
 * JSON text's bytes (most of each row), which export copies and verification rewrites without a string.
 */
export async function* scanLog(
  client: PoolClient,
  options: { belowHorizon: boolean },
): AsyncIterable<readonly ScannedEvent[]> {
  const context = {
    heads: await streamHeads(client),
    names: await logNames(client),
    prevHashes: new PrevHashes(),
  };
  let horizon = '';
  if (options.belowHorizon) {
    const { rows } = await client.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    horizon = `WHERE e.transaction_id < '${BigInt(rows[0]?.xmin ?? '0')}'::xid8`;
  }
  const copy = client.query(
    pgCopy.to(`COPY (SELECT e.stream_id, e.stream_revision, e.event_id, e.type_id, e.data, e.metadata,
       e.correlation_id, e.causation_id, e.actor_id, e.actor_name_id, (extract(epoch FROM e.occurred_at) * 1000)::int8,
       e.schema_version, encode(e.prev_hash, 'hex'), encode(e.hash, 'hex')
     FROM event_log e ${horizon} ORDER BY e.transaction_id, e.global_position) TO STDOUT`),
  );
  const row = new Row();
  let partial: Buffer | undefined;
  let page: ScannedEvent[] = [];
  for await (const chunk of copy) {
    const bytes = partial ? Buffer.concat([partial, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE, start); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
      const event = scannedEvent(row.read(bytes, start, end), context);
      if (event) page.push(event);
      start = end + 1;
    }
    partial = start < bytes.length ? bytes.subarray(start) : undefined;
    if (page.length >= PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

async function streamHeads(client: PoolClient): Promise<Map<number, StreamHead>> {
  const { rows } = await client.query<{ id: number; name: string; revision: string; hash: string }>(
    'SELECT stream_id AS id, stream_name AS name, revision::text, last_hash AS hash FROM streams',
  );
  const heads = new Map<number, StreamHead>();
  for (const row of rows)
    heads.set(row.id, { stream: row.name, revision: BigInt(row.revision), lastHash: row.hash });
  return heads;
}

async function logNames(client: PoolClient): Promise<Map<number, string>> {
  const { rows } = await client.query<{ id: number; name: string }>(
    'SELECT name_id AS id, name FROM log_names',
  );
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** The columns of the COPY, in its order. */
const STREAM = 0;
const REVISION = 1;
const ID = 2;
const TYPE = 3;
const DATA = 4;
const REST = 5;
const ACTOR_NAME = 9;
const PREV_HASH = 12;
const HASH = 13;

/**
 * One COPY text line; undefined for an event of no stream (the JSON-form readers join them away). A
 * hashed event whose prev_hash is NULL has as prevHash the hash of its stream's event at revision - 1,
 * which `$all` order has already brought (writers leave it out only then: migration 018).
 */
function scannedEvent(row: Row, context: ScanContext): ScannedEvent | undefined {
  const streamId = row.integer(STREAM) ?? -1;
  const head = context.heads.get(streamId);
  if (!head) return undefined;
  const revision = row.integer(REVISION) ?? 0;
  const hash = row.ascii(HASH);
  const prevHash =
    row.ascii(PREV_HASH) ??
    (hash === null ? null : (context.prevHashes.derivable(streamId, revision) ?? null));
  context.prevHashes.seen(streamId, revision, hash);
  return {
    head,
    revision,
    id: row.ascii(ID) ?? '',
    type: context.names.get(row.integer(TYPE) ?? -1) ?? '',
    data: row.bytes(DATA) ?? Buffer.alloc(0),
    metadata: scannedMetadata(row, context.names, prevHash, hash),
  };
}

/** An event's metadata from its row (see `storedMetadata`), with its prevHash as stored or derived. */
function scannedMetadata(
  row: Row,
  names: ReadonlyMap<number, string>,
  prevHash: string | null,
  hash: string | null,
): StoredMetadata {
  const rest = row.text(REST);
  const actorName = row.integer(ACTOR_NAME);
  return storedMetadata({
    event_id: row.ascii(ID) ?? '',
    event_type: '',
    data: {},
    rest: rest === null ? null : (JSON.parse(rest) as JsonObject),
    correlation_id: row.ascii(6),
    causation_id: row.ascii(7),
    actor_id: row.ascii(8),
    actor_name: actorName === null ? null : (names.get(actorName) ?? null),
    occurred_ms: row.ascii(10),
    schema_version: row.integer(11),
    prev_hash: prevHash,
    hash,
  });
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const NULL_MARK = 0x4e; // N, of \N
const COLUMNS = 14;

/** The fields of one COPY text line, read from its bytes where they are (one Row reads every line). */
class Row {
  private line: Buffer = Buffer.alloc(0);
  private readonly starts = new Int32Array(COLUMNS + 1);

  read(line: Buffer, start: number, end: number): this {
    this.line = line;
    let at = start;
    for (let column = 0; column < COLUMNS; column += 1) {
      this.starts[column] = at;
      const tab = column < COLUMNS - 1 ? line.indexOf(TAB, at) : -1;
      at = (tab < 0 || tab > end ? end : tab) + 1;
    }
    this.starts[COLUMNS] = at;
    return this;
  }

  /** A field's bytes with COPY's escapes undone (a copy only when it has one), or null for \N. */
  bytes(column: number): Buffer | null {
    const field = this.line.subarray(this.starts[column], (this.starts[column + 1] as number) - 1);
    if (field.length === 2 && field[0] === BACKSLASH && field[1] === NULL_MARK) return null;
    return field.includes(BACKSLASH) ? unescaped(field) : field;
  }

  text(column: number): string | null {
    return this.bytes(column)?.toString('utf8') ?? null;
  }

  /** A field PostgreSQL writes in ASCII without escapes (uuid, hex, number), or null for \N. */
  ascii(column: number): string | null {
    const start = this.starts[column] as number;
    if (this.line[start] === BACKSLASH) return null;
    return this.line.toString('latin1', start, (this.starts[column + 1] as number) - 1);
  }

  /** A field holding a non-negative integer, or null for \N. */
  integer(column: number): number | null {
    const start = this.starts[column] as number;
    const end = (this.starts[column + 1] as number) - 1;
    if (this.line[start] === BACKSLASH) return null;
    let value = 0;
    for (let i = start; i < end; i += 1) value = value * 10 + ((this.line[i] as number) - 0x30);
    return value;
  }
}

const ESCAPES: Record<number, number> = { 98: 0x08, 102: 0x0c, 110: 0x0a, 114: 0x0d, 116: 0x09, 118: 0x0b };

/** COPY's backslash escapes undone (JSON text holds only `\\`: escaped JSON). */
function unescaped(field: Buffer): Buffer {
  const out = Buffer.allocUnsafe(field.length);
  let length = 0;
  for (let i = 0; i < field.length; i += 1) {
    let c = field[i] as number;
    if (c === BACKSLASH) {
      i += 1;
      c = field[i] as number;
      c = ESCAPES[c] ?? c;
    }
    out[length] = c;
    length += 1;
  }
  return out.subarray(0, length);
}
