import {
  type EventMetadata,
  formatPosition,
  type JsonObject,
  type JsonValue,
  type RecordedEvent,
  type StoredMetadata,
} from '../../application/ports/event-store.port.js';

/**
 * How an event's metadata is stored in `event_log` (migration 013): each fixed member in a column of
 * its own when that column gives back exactly the same JSON value, everything else in `metadata` (the
 * rest). Reading puts the members back in the order PostgreSQL's jsonb kept them in before (shorter
 * keys first, then by bytes), so the JSON the API, the export and the hash chain see is byte for byte
 * what the JSON form gave. Migration 013 applies the same tests in SQL.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^(?:[0-9a-f]{64})?$/;
const INSTANT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SMALL = /^(?:0|[1-9]\d{0,3})$/;
/** An actor that is the system, not a user: named once in `log_names` (migration 018 tests the same). */
const SYSTEM_ACTOR = /^system:[a-z][a-z-]{0,30}$/;

/** The metadata of one event as `event_log` columns; hashes as hex (the SQL decodes them). */
export interface MetadataColumns {
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly actor: string | null;
  /** An actor that is the system (`system:rebalance`), held by its id in `log_names`. */
  readonly actorName: string | null;
  readonly occurredAt: string | null;
  readonly schemaVersion: number | null;
  readonly prevHash: string | null;
  /** prevHash is what a reader derives (migration 018): its column can stay NULL. */
  readonly prevDerived: boolean;
  readonly hash: string | null;
  /** The members no column holds, or null. */
  readonly rest: JsonObject | null;
}

const uuidOrNull = (value: JsonValue | undefined) =>
  typeof value === 'string' && UUID.test(value) ? value : null;
const hashOrNull = (value: JsonValue | undefined) =>
  typeof value === 'string' && SHA256.test(value) ? value : null;
const smallOrNull = (value: JsonValue | undefined) =>
  typeof value === 'number' && SMALL.test(String(value)) ? value : null;
function instantOrNull(value: JsonValue | undefined): string | null {
  if (value === lastValidInstant) return value;
  if (typeof value !== 'string' || !INSTANT.test(value)) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time) || new Date(time).toISOString() !== value) return null;
  lastValidInstant = value;
  return value;
}
/** The last instant found valid: a bulk load's events come in runs of one transaction's instant. */
let lastValidInstant = '';

/** The metadata's actor when it is the system (named in `log_names`), else null. */
export const systemActor = ({ actor }: StoredMetadata | EventMetadata): string | null =>
  typeof actor === 'string' && SYSTEM_ACTOR.test(actor) ? actor : null;

/**
 * `derivablePrev` is the prevHash a reader would derive for this event (`PrevHashes`): when the
 * metadata's equals it, the prev_hash column can stay NULL. A hash is kept in a column only beside a
 * prevHash, since a set hash column with a NULL prev_hash reads back with a derived prevHash.
 */
export function metadataColumns(metadata: StoredMetadata, derivablePrev?: string): MetadataColumns {
  const hash = metadata.prevHash === undefined ? null : hashOrNull(metadata.hash);
  const prevHash = hashOrNull(metadata.prevHash);
  const columns = {
    correlationId: uuidOrNull(metadata.correlationId),
    causationId: uuidOrNull(metadata.causationId),
    actor: uuidOrNull(metadata.actor),
    occurredAt: instantOrNull(metadata.occurredAt),
    schemaVersion: smallOrNull(metadata.schemaVersion),
    prevHash,
    hash,
  };
  const actorName = systemActor(metadata);
  const members = metadata as Record<string, JsonValue | undefined>;
  let rest: Record<string, JsonValue> | null = null;
  for (const key of Object.keys(members)) {
    const value = members[key];
    if (value === undefined || (key === 'actor' && actorName !== null)) continue;
    if (inColumn(columns, key)) continue;
    rest ??= {};
    define(rest, key, value);
  }
  return {
    correlationId: columns.correlationId,
    causationId: columns.causationId,
    actor: columns.actor,
    actorName,
    occurredAt: columns.occurredAt,
    schemaVersion: columns.schemaVersion,
    prevHash,
    prevDerived: hash !== null && prevHash !== null && prevHash === derivablePrev,
    hash,
    rest,
  };
}

/** Whether a column holds the member `key` (a column's own name, not null there). */
function inColumn(
  columns: Omit<MetadataColumns, 'actorName' | 'prevDerived' | 'rest'>,
  key: string,
): boolean {
  switch (key) {
    case 'correlationId':
      return columns.correlationId !== null;
    case 'causationId':
      return columns.causationId !== null;
    case 'actor':
      return columns.actor !== null;
    case 'occurredAt':
      return columns.occurredAt !== null;
    case 'schemaVersion':
      return columns.schemaVersion !== null;
    case 'prevHash':
      return columns.prevHash !== null;
    case 'hash':
      return columns.hash !== null;
    default:
      return false;
  }
}

/**
 * What bulk writers (in the order their events enter `$all`) and the `$all` scan derive prevHash
 * from: each event's hash as its column holds it, for the revision before the one derived. Per stream
 * it keeps the last revision of the unbroken run from 0 and, for the rare event that comes before its
 * predecessor (a transaction that had its id before another wrote the stream after it), the revisions
 * seen ahead of that run until the run reaches them: memory grows with the streams, not the events.
 */
export class PrevHashes {
  private readonly streams = new Map<string | number, StreamHashes>();

  /** The prevHash a reader derives for the event at `revision`, or undefined (its predecessor unseen). */
  derivable(stream: string | number, revision: number): string | undefined {
    if (revision === 0) return '';
    const seen = this.streams.get(stream);
    if (!seen) return undefined;
    const hash = seen.revision === revision - 1 ? seen.hash : seen.ahead?.get(revision - 1);
    return hash ?? undefined;
  }

  seen(stream: string | number, revision: number, hashColumn: string | null): void {
    const seen = this.streams.get(stream) ?? { revision: -1, hash: null };
    if (revision !== seen.revision + 1) {
      seen.ahead ??= new Map();
      seen.ahead.set(revision, hashColumn);
    } else {
      seen.revision = revision;
      seen.hash = hashColumn;
      for (
        let next = seen.ahead?.get(revision + 1);
        next !== undefined;
        next = seen.ahead?.get(seen.revision + 1)
      ) {
        seen.ahead?.delete(seen.revision + 1);
        seen.revision += 1;
        seen.hash = next;
      }
      if (seen.ahead?.size === 0) seen.ahead = undefined;
    }
    this.streams.set(stream, seen);
  }

  forget(stream: string | number): void {
    this.streams.delete(stream);
  }
}

interface StreamHashes {
  revision: number;
  hash: string | null;
  ahead?: Map<number, string | null>;
}

/** An `event_log` row as the SELECT of `EVENT_COLUMNS` returns it. */
export interface EventRow {
  readonly position: string;
  readonly tx: string;
  readonly stream_name: string;
  readonly revision: number;
  readonly event_id: string;
  readonly event_type: string;
  readonly data: JsonObject;
  readonly rest: JsonObject | null;
  readonly correlation_id: string | null;
  readonly causation_id: string | null;
  readonly actor_id: string | null;
  readonly actor_name: string | null;
  /** Milliseconds since the epoch, as text (int8). */
  readonly occurred_ms: string | null;
  readonly schema_version: number | null;
  readonly prev_hash: string | null;
  readonly hash: string | null;
}

/** An event's prevHash as bytes (migration 018): its column, or derived from the stream's previous event. */
const PREV_HASH = `CASE WHEN e.prev_hash IS NOT NULL OR e.hash IS NULL THEN e.prev_hash
  WHEN e.stream_revision = 0 THEN '\\x'::bytea
  ELSE (SELECT p.hash FROM event_log p WHERE p.stream_id = e.stream_id AND p.stream_revision = e.stream_revision - 1) END`;

/** The columns `toRecorded` reads, from `EVENT_SOURCE`. */
export const EVENT_COLUMNS = `e.global_position::text AS position, e.transaction_id::text AS tx, s.stream_name,
  e.stream_revision AS revision, e.event_id::text AS event_id, t.name AS event_type, e.data, e.metadata AS rest,
  e.correlation_id::text AS correlation_id, e.causation_id::text AS causation_id, e.actor_id::text AS actor_id,
  a.name AS actor_name,
  (extract(epoch FROM e.occurred_at) * 1000)::int8::text AS occurred_ms, e.schema_version,
  encode(${PREV_HASH}, 'hex') AS prev_hash, encode(e.hash, 'hex') AS hash`;

export const EVENT_SOURCE = `event_log e JOIN streams s USING (stream_id) JOIN log_names t ON t.name_id = e.type_id
  LEFT JOIN log_names a ON a.name_id = e.actor_name_id`;

/** The stored metadata, members in jsonb order (the fixed ones are written in that order here). */
export function storedMetadata(row: Omit<EventRow, 'position' | 'tx' | 'stream_name' | 'revision'>) {
  const metadata: Record<string, JsonValue> = {};
  if (row.hash !== null) metadata.hash = row.hash;
  if (row.actor_id !== null) metadata.actor = row.actor_id;
  else if (row.actor_name !== null) metadata.actor = row.actor_name;
  if (row.prev_hash !== null) metadata.prevHash = row.prev_hash;
  if (row.occurred_ms !== null) metadata.occurredAt = instant(row.occurred_ms);
  if (row.causation_id !== null) metadata.causationId = row.causation_id;
  if (row.correlation_id !== null) metadata.correlationId = row.correlation_id;
  if (row.schema_version !== null) metadata.schemaVersion = row.schema_version;
  if (row.rest === null) return metadata as unknown as StoredMetadata;
  return withRest(metadata, row.rest) as unknown as StoredMetadata;
}

/**
 * The ISO text of an instant in milliseconds, the last one remembered: events of one transaction share
 * theirs, and a whole-log scan reads them one after the other (most of a million in a row).
 */
function instant(ms: string): string {
  if (ms !== lastInstant.ms) lastInstant = { ms, text: new Date(Number(ms)).toISOString() };
  return lastInstant.text;
}
let lastInstant = { ms: '', text: '' };

const ASCII = /^[ -~]*$/;
/** jsonb's key order for printable ASCII keys: shorter first, then as JS compares them (byte-wise, for these). */
const asciiOrder = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
const byteOrder = (a: string, b: string) =>
  Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The fixed members and the rest (which wins where both have a key) in jsonb's key order. */
function withRest(fixed: Record<string, JsonValue>, rest: JsonObject): Record<string, JsonValue> {
  const keys = Object.keys(fixed);
  for (const key of Object.keys(rest)) if (!Object.hasOwn(fixed, key)) keys.push(key);
  keys.sort(keys.every((key) => ASCII.test(key)) ? asciiOrder : byteOrder);
  const ordered: Record<string, JsonValue> = {};
  for (const key of keys) {
    const value = (Object.hasOwn(rest, key) ? rest[key] : fixed[key]) as JsonValue;
    if (key === '__proto__') define(ordered, key, value);
    else ordered[key] = value;
  }
  return ordered;
}

/** Sets a member as JSON.parse does, so a key like `__proto__` is a member, not the prototype. */
function define(object: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

export const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  type: row.event_type,
  data: row.data,
  metadata: storedMetadata(row),
  streamName: row.stream_name,
  revision: BigInt(row.revision),
  position: formatPosition(BigInt(row.tx), BigInt(row.position)),
});

/** COPY text format: backslash, tab, newline and carriage return escaped (JSON text has only the first). */
export const copyText = (value: string): string =>
  /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      )
    : value;

const copyNullable = (value: string | number | null) => (value === null ? '\\N' : copyText(String(value)));
/** A column value `metadataColumns` checked (a UUID, an instant, a small integer, a system actor's name or
 * id): nothing in it for COPY to escape. */
const copyChecked = (value: string | number | null) => (value === null ? '\\N' : String(value));
const copyHash = (hex: string | null) => (hex === null ? '\\N' : `\\\\x${hex}`);

/**
 * The columns of `copyEventColumns(form)` after the stream's, as one line of COPY text (with its
 * newline); `name` gives what a name column takes (its id in `log_names` for the log, itself for
 * staging). With `prevHashes`, events come in `$all` order: prev_hash stays NULL where derivable.
 */
export function copyEventLine(
  stream: string | number,
  revision: bigint | number,
  id: string,
  type: string,
  dataJson: string,
  metadata: StoredMetadata,
  options: { name: (name: string) => string | number; prevHashes?: PrevHashes },
): string {
  const at = Number(revision);
  const { name, prevHashes } = options;
  const m = metadataColumns(metadata, prevHashes?.derivable(stream, at));
  prevHashes?.seen(stream, at, m.hash);
  const actorName = m.actorName === null ? null : name(m.actorName);
  return `${copyText(String(stream))}\t${revision}\t${id}\t${copyText(String(name(type)))}\t${copyText(dataJson)}\t${
    m.rest === null ? '\\N' : copyText(JSON.stringify(m.rest))
  }\t${copyChecked(m.correlationId)}\t${copyChecked(m.causationId)}\t${copyChecked(m.actor)}\t${copyNullable(
    actorName,
  )}\t${copyChecked(m.occurredAt)}\t${copyChecked(m.schemaVersion)}\t${copyHash(
    m.prevDerived ? null : m.prevHash,
  )}\t${copyHash(m.hash)}\n`;
}

/**
 * The columns a `copyEventLine` fills, after the stream's (`stream_id`, or the name when staging): names
 * by their ids in the log, as text when staging.
 */
export const copyEventColumns = (form: 'log' | 'staging') =>
  form === 'log'
    ? 'stream_revision, event_id, type_id, data, metadata, correlation_id, causation_id, actor_id, actor_name_id, occurred_at, schema_version, prev_hash, hash'
    : 'stream_revision, event_id, event_type, data, metadata, correlation_id, causation_id, actor_id, actor_name, occurred_at, schema_version, prev_hash, hash';
