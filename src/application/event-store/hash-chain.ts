import { hash } from 'node:crypto';
import type { EventMetadata, JsonValue, NewEvent, StoredMetadata } from '../ports/event-store.port.js';
import { canonicalJsonText } from './json-text.js';

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
 * `eventHash` of an event whose data is JSON text (as stored or exported): the whole-log scans hash a
 * million events, and rewriting the text (`canonicalJsonText`) costs a third of parsing and re-sorting.
 */
export function eventHashOfText(
  stream: string,
  revision: bigint | number,
  prevHash: string,
  id: string,
  type: string,
  dataText: string,
  metadata: EventMetadata | StoredMetadata,
): string {
  const data = canonicalJsonText(dataText) ?? canonicalJson(JSON.parse(dataText) as JsonValue);
  return eventHashOfCanonicalData(stream, revision, prevHash, id, type, data, metadata);
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
  const { prevHash: _p, hash: _h, ...covered } = metadata as StoredMetadata;
  const body =
    `{"data":${canonicalData},"id":${JSON.stringify(id)},"metadata":${canonicalJson(covered as JsonValue)},` +
    `"prevHash":${JSON.stringify(prevHash)},"revision":"${revision}","stream":${JSON.stringify(stream)},` +
    `"type":${JSON.stringify(type)}}`;
  return hash('sha256', body);
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
