import {
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

/** The metadata of one event as `event_log` columns; hashes as hex (the SQL decodes them). */
export interface MetadataColumns {
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly actor: string | null;
  readonly occurredAt: string | null;
  readonly schemaVersion: number | null;
  readonly prevHash: string | null;
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
  if (typeof value !== 'string' || !INSTANT.test(value)) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) || new Date(time).toISOString() !== value ? null : value;
}

export function metadataColumns(metadata: StoredMetadata): MetadataColumns {
  const columns = {
    correlationId: uuidOrNull(metadata.correlationId),
    causationId: uuidOrNull(metadata.causationId),
    actor: uuidOrNull(metadata.actor),
    occurredAt: instantOrNull(metadata.occurredAt),
    schemaVersion: smallOrNull(metadata.schemaVersion),
    prevHash: hashOrNull(metadata.prevHash),
    hash: hashOrNull(metadata.hash),
  };
  let rest: Record<string, JsonValue> | null = null;
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) continue;
    if (Object.hasOwn(columns, key) && columns[key as keyof typeof columns] !== null) continue;
    rest ??= {};
    define(rest, key, value);
  }
  return { ...columns, rest };
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
  /** Milliseconds since the epoch, as text (int8). */
  readonly occurred_ms: string | null;
  readonly schema_version: number | null;
  readonly prev_hash: string | null;
  readonly hash: string | null;
}

/** The columns `toRecorded` reads, from `event_log e JOIN streams s USING (stream_id)`. */
export const EVENT_COLUMNS = `e.global_position::text AS position, e.transaction_id::text AS tx, s.stream_name,
  e.stream_revision AS revision, e.event_id::text AS event_id, e.event_type, e.data, e.metadata AS rest,
  e.correlation_id::text AS correlation_id, e.causation_id::text AS causation_id, e.actor_id::text AS actor_id,
  (extract(epoch FROM e.occurred_at) * 1000)::int8::text AS occurred_ms, e.schema_version,
  encode(e.prev_hash, 'hex') AS prev_hash, encode(e.hash, 'hex') AS hash`;

export const EVENT_SOURCE = 'event_log e JOIN streams s USING (stream_id)';

/** The stored metadata, members in jsonb order (the fixed ones are written in that order here). */
export function storedMetadata(row: Omit<EventRow, 'position' | 'tx' | 'stream_name' | 'revision'>) {
  const metadata: Record<string, JsonValue> = {};
  if (row.hash !== null) metadata.hash = row.hash;
  if (row.actor_id !== null) metadata.actor = row.actor_id;
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
const copyHash = (hex: string | null) => (hex === null ? '\\N' : `\\\\x${hex}`);

/** The columns of `COPY_EVENT_COLUMNS` after the stream, as one line of COPY text (with its newline). */
export function copyEventLine(
  stream: string | number,
  revision: bigint | number,
  id: string,
  type: string,
  dataJson: string,
  metadata: StoredMetadata,
): string {
  const m = metadataColumns(metadata);
  return `${copyText(String(stream))}\t${revision}\t${id}\t${copyText(type)}\t${copyText(dataJson)}\t${
    m.rest === null ? '\\N' : copyText(JSON.stringify(m.rest))
  }\t${copyNullable(m.correlationId)}\t${copyNullable(m.causationId)}\t${copyNullable(m.actor)}\t${copyNullable(
    m.occurredAt,
  )}\t${copyNullable(m.schemaVersion)}\t${copyHash(m.prevHash)}\t${copyHash(m.hash)}\n`;
}

/** The columns a `copyEventLine` fills, after the stream's (`stream_id`, or the name when staging). */
export const COPY_EVENT_COLUMNS =
  'stream_revision, event_id, event_type, data, metadata, correlation_id, causation_id, actor_id, occurred_at, schema_version, prev_hash, hash';
