import { StringDecoder } from 'node:string_decoder';
import type { PoolClient } from 'pg';
import pgCopy from 'pg-copy-streams';
import type { ScannedEvent, StreamHead } from '../../application/ports/audit-log.port.js';
import type { JsonObject } from '../../application/ports/event-store.port.js';
import { PrevHashes, storedMetadata } from '../event-store/event-row.js';

/** Events per page handed to the reader. */
const PAGE = 2000;

/**
 * The whole log in `$all` order as `COPY … TO STDOUT` (text format), parsed line by line: the fastest
 * scan PostgreSQL offers, with no per-row protocol message or per-column parser. Stream names and heads
 * come from one read of `streams` in the same snapshot (the caller's REPEATABLE READ transaction), so
 * rows carry only the stream's id. Data stays JSON text.
 */
export async function* scanLog(
  client: PoolClient,
  options: { belowHorizon: boolean },
): AsyncIterable<readonly ScannedEvent[]> {
  const heads = await streamHeads(client);
  const names = await logNames(client);
  const prevHashes = new PrevHashes();
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
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let page: ScannedEvent[] = [];
  for await (const chunk of copy) {
    const lines = (partial + decoder.write(chunk as Buffer)).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const event = scannedEvent(line, heads, names, prevHashes);
      if (event) page.push(event);
    }
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

/** Each name by its id (migration 018: types, system actors), read in the scan's snapshot. */
async function logNames(client: PoolClient): Promise<Map<number, string>> {
  const { rows } = await client.query<{ id: number; name: string }>(
    'SELECT name_id AS id, name FROM log_names',
  );
  return new Map(rows.map((row) => [row.id, row.name]));
}

/**
 * One COPY text line; undefined for an event of no stream (the JSON-form readers join them away). A
 * NULL prev_hash beside a hash is derived from the stream's previous event, which `$all` order has
 * already brought (migration 018).
 */
function scannedEvent(
  line: string,
  heads: ReadonlyMap<number, StreamHead>,
  names: ReadonlyMap<number, string>,
  prevHashes: PrevHashes,
): ScannedEvent | undefined {
  const f = line.split('\t').map(field);
  const streamId = Number(f[0]);
  const head = heads.get(streamId);
  if (!head) return undefined;
  const revision = Number(f[1]);
  const hash = f[13] ?? null;
  const prevHash = f[12] ?? (hash === null ? null : (prevHashes.derivable(streamId, revision) ?? null));
  prevHashes.seen(streamId, revision, hash);
  const type = names.get(Number(f[3])) as string;
  const rest = f[5] ?? null;
  const metadata = storedMetadata({
    event_id: f[2] as string,
    event_type: type,
    data: {},
    rest: rest === null ? null : (JSON.parse(rest) as JsonObject),
    correlation_id: f[6] ?? null,
    causation_id: f[7] ?? null,
    actor_id: f[8] ?? null,
    actor_name: f[9] === undefined || f[9] === null ? null : (names.get(Number(f[9])) ?? null),
    occurred_ms: f[10] ?? null,
    schema_version: f[11] === undefined || f[11] === null ? null : Number(f[11]),
    prev_hash: prevHash,
    hash,
  });
  return {
    head,
    revision,
    id: f[2] as string,
    type,
    dataText: f[4] as string,
    metadata,
  };
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** A COPY text field: null for \N, escapes undone (backslashes are rare: only escaped JSON holds them). */
function field(text: string): string | null {
  if (text === '\\N') return null;
  if (!text.includes('\\')) return text;
  return text.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}
