import { hash } from 'node:crypto';
import type { EventMetadata, JsonValue, NewEvent, StoredMetadata } from '../ports/event-store.port.js';
import { canonicalJsonBytes } from './json-bytes.js';

/**
 * Per-stream tamper evidence: each event's hash covers its stream position, id, type, data, metadata
 * and the previous event's hash. Every adapter chains with this one function, so a log moved between
 * stores verifies the same way.
 */
export function chainEvents(
  stream: string,
  firstRevision: bigint,
  prevHash: string,
  events: readonly NewEvent[],
): { event: NewEvent & { metadata: StoredMetadata }; revision: bigint }[] {
  let previous = prevHash;
  return events.map((event, index) => {
    const revision = firstRevision + BigInt(index);
    const hash = eventHash(stream, revision, previous, event.id, event.type, event.data, event.metadata);
    const metadata: StoredMetadata = { ...event.metadata, prevHash: previous, hash };
    previous = hash;
    return { event: { ...event, metadata }, revision };
  });
}

export function eventHash(
  stream: string,
  revision: bigint,
  prevHash: string,
  id: string,
  type: string,
  data: JsonValue,
  metadata: EventMetadata | StoredMetadata,
): string {
  return eventHashOfCanonicalData(stream, revision, prevHash, id, type, canonicalJson(data), metadata);
}

/**
 * `eventHash` of an event whose data is stored JSON text in UTF-8 (a whole-log scan's): the hashed text
 * is written into one buffer kept for every call, its data rewritten there (`canonicalJsonBytes`), so
 * the scan's million events make no string of their data.
 */
export function eventHashOfBytes(
  stream: string,
  revision: bigint | number,
  prevHash: string,
  id: string,
  type: string,
  data: Uint8Array,
  metadata: EventMetadata | StoredMetadata,
): string {
  const rest = `,${bodyAfterData(stream, revision, prevHash, id, type, metadata)}`;
  freshBody(DATA_MEMBER.length + 2 * data.length + 3 * rest.length);
  let length = body.write(DATA_MEMBER, 0, 'latin1');
  const end = canonicalJsonBytes(data, body, length);
  if (end >= 0) {
    length = end;
  } else {
    const canonical = canonicalJson(JSON.parse(Buffer.from(data).toString()) as JsonValue);
    freshBody(DATA_MEMBER.length + 3 * (canonical.length + rest.length));
    length = body.write(DATA_MEMBER, 0, 'latin1');
    length += body.write(canonical, length);
  }
  length += body.write(rest, length);
  return hash('sha256', body.subarray(0, length));
}

/**
 * `eventHashOfCanonicalData` of data already canonical as UTF-8 bytes (an import's, rewritten from its
 * line by `canonicalJsonBytesAt`): copied into the one hashed buffer, never made a string.
 */
export function eventHashOfCanonicalBytes(
  stream: string,
  revision: bigint | number,
  prevHash: string,
  id: string,
  type: string,
  canonicalData: Uint8Array,
  metadata: EventMetadata | StoredMetadata,
): string {
  const rest = `,${bodyAfterData(stream, revision, prevHash, id, type, metadata)}`;
  freshBody(DATA_MEMBER.length + canonicalData.length + 3 * rest.length);
  let length = body.write(DATA_MEMBER, 0, 'latin1');
  body.set(canonicalData, length);
  length += canonicalData.length;
  length += body.write(rest, length);
  return hash('sha256', body.subarray(0, length));
}

const DATA_MEMBER = '{"data":';
let body = Buffer.allocUnsafe(64 * 1024);

/** Makes `body` at least `bytes` long; what it held is not kept (write it after). */
function freshBody(bytes: number): void {
  if (bytes > body.length) body = Buffer.allocUnsafe(2 * bytes);
}

/**
 * SHA-256 of the canonical JSON of {stream, revision (a string), prevHash, id, type, data, metadata
 * without the chain's own members}, written out in canonical (sorted) member order.
 */
export function eventHashOfCanonicalData(
  stream: string,
  revision: bigint | number,
  prevHash: string,
  id: string,
  type: string,
  canonicalData: string,
  metadata: EventMetadata | StoredMetadata,
): string {
  return hash(
    'sha256',
    `{"data":${canonicalData},${bodyAfterData(stream, revision, prevHash, id, type, metadata)}`,
  );
}

/** The hashed members after the data (see `eventHashOfCanonicalData`), and the closing brace. */
function bodyAfterData(
  stream: string,
  revision: bigint | number,
  prevHash: string,
  id: string,
  type: string,
  metadata: EventMetadata | StoredMetadata,
): string {
  return (
    `"id":${JSON.stringify(id)},"metadata":${coveredMetadata(metadata)},"prevHash":${JSON.stringify(prevHash)},` +
    `"revision":"${revision}","stream":${JSON.stringify(stream)},"type":${JSON.stringify(type)}}`
  );
}

/** canonicalJson of the metadata without the chain's own members (`prevHash`, `hash`): what is hashed. */
function coveredMetadata(metadata: EventMetadata | StoredMetadata): string {
  const members = metadata as Record<string, JsonValue | undefined>;
  let json = '{';
  for (const key of Object.keys(members).sort()) {
    const value = members[key];
    if (key === 'prevHash' || key === 'hash' || value === undefined) continue;
    json += `${json.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(value)}`;
  }
  return `${json}}`;
}

/** JSON with object keys sorted and undefined members dropped: the same value always hashes the same. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}
