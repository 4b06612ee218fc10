import { createHash } from 'node:crypto';
import type { EventMetadata, JsonValue, NewEvent, StoredMetadata } from '../ports/event-store.port.js';

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
  const { prevHash: _p, hash: _h, ...covered } = metadata as StoredMetadata;
  const body = canonicalJson({
    stream,
    revision: revision.toString(),
    prevHash,
    id,
    type,
    data,
    metadata: covered as JsonValue,
  });
  return createHash('sha256').update(body).digest('hex');
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
