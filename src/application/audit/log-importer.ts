import { z } from 'zod';
import { eventHash } from '../event-store/hash-chain.js';
import type { EventMetadata, EventStore, JsonObject, NewEvent } from '../ports/event-store.port.js';
import { WrongExpectedVersionError } from '../ports/event-store.port.js';

export interface ImportResult {
  readonly events: number;
  readonly streams: number;
}

/** An import stopped; `imported` events were appended before it (the target must be emptied to retry). */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly imported: number,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface LogImporter {
  /** The next exported event (a parsed JSON value; `line` names it in errors). */
  offer(value: unknown, line: number): Promise<void>;
  /** Appends what is still batched and checks that no stream misses a revision. */
  finish(): Promise<ImportResult>;
  /** The streams that received events so far. */
  streams(): Iterable<string>;
}

const json = z.json();
const exportedLine = z.object({
  stream: z.string().min(1).max(500),
  revision: z.union([z.number().int().min(0), z.string().regex(/^\d{1,18}$/)]).transform((r) => BigInt(r)),
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID'),
  type: z.string().min(1).max(200),
  data: z.record(z.string(), json),
  metadata: z.looseObject({
    correlationId: z.string(),
    occurredAt: z.string(),
    schemaVersion: z.number(),
    prevHash: z.string(),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
});

interface Parsed {
  readonly line: number;
  readonly stream: string;
  readonly revision: bigint;
  readonly event: NewEvent;
  readonly prevHash: string;
  readonly hash: string;
}

/** Appends per stream are grouped up to this many consecutive events of one stream. */
const BATCH = 500;
/** Events that arrived before an earlier revision of their stream, held until it comes. */
const MAX_OUT_OF_ORDER = 10_000;

/**
 * Appends exported events to an empty log through the append path (never a logical dump: the xid8 read
 * horizon needs transaction ids of this cluster, DESIGN.md §5). Each event goes to its stream at
 * expected version `revision - 1`, in the order offered, so ids, order within each stream and relative
 * global order are kept, and chaining recomputes the same hashes: each event's hash is checked against
 * the exported one before it is appended and read back after, and the import stops at the first
 * difference. Used by `import` (an export) and `restore` (a backup).
 */
export function logImporter(
  store: EventStore,
  options: { onProgress?: (events: number) => void } = {},
): LogImporter {
  let imported = 0;
  /** Per stream: the next revision expected and the hash of the last one accepted. */
  const heads = new Map<string, { next: bigint; hash: string }>();
  const waiting = new Map<string, Map<bigint, Parsed>>();
  let waitingCount = 0;
  let batch: Parsed[] = [];
  const failure = (message: string) =>
    new ImportError(`${message}; ${imported} event(s) were imported`, imported);

  const flush = async () => {
    const first = batch[0];
    if (!first) return;
    const { stream, revision } = first;
    try {
      await store.append(
        stream,
        batch.map((p) => p.event),
        revision === 0n ? 'no-stream' : revision - 1n,
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      throw failure(`line ${first.line}: ${error.message} (is another process writing to this instance?)`);
    }
    const stored = await store.readStream(stream, { fromRevision: revision, maxCount: batch.length });
    batch.forEach((p, i) => {
      const got = stored[i];
      if (got?.id !== p.event.id || got.metadata.hash !== p.hash) {
        throw failure(
          `line ${p.line}: ${stream}@${p.revision} (${p.event.id}) was stored with hash ${got?.metadata.hash} ` +
            `but the export says ${p.hash}`,
        );
      }
    });
    imported += batch.length;
    batch = [];
    options.onProgress?.(imported);
  };

  const accept = async (p: Parsed, head: { next: bigint; hash: string }) => {
    if (p.prevHash !== head.hash) {
      throw failure(
        `line ${p.line}: ${p.stream}@${p.revision} (${p.event.id}) has prevHash ${p.prevHash || '""'} but the ` +
          `previous event of its stream hashes to ${head.hash || '"" (none)'}: the file was altered or is incomplete`,
      );
    }
    const computed = eventHash(
      p.stream,
      p.revision,
      head.hash,
      p.event.id,
      p.event.type,
      p.event.data,
      p.event.metadata,
    );
    if (computed !== p.hash) {
      throw failure(
        `line ${p.line}: ${p.stream}@${p.revision} (${p.event.id}) hashes to ${computed} but the export says ` +
          `${p.hash}: the event was altered after it was recorded`,
      );
    }
    if (batch.length >= BATCH || (batch[0] && batch[0].stream !== p.stream)) await flush();
    batch.push(p);
    heads.set(p.stream, { next: p.revision + 1n, hash: p.hash });
  };

  const offer = async (p: Parsed) => {
    const head = heads.get(p.stream) ?? { next: 0n, hash: '' };
    if (p.revision < head.next) {
      throw failure(`line ${p.line}: ${p.stream}@${p.revision} appears twice in the file`);
    }
    if (p.revision > head.next) {
      // A stream's events normally come in order; hold one that overtook an earlier revision.
      const held = waiting.get(p.stream) ?? new Map<bigint, Parsed>();
      if (held.has(p.revision))
        throw failure(`line ${p.line}: ${p.stream}@${p.revision} appears twice in the file`);
      held.set(p.revision, p);
      waiting.set(p.stream, held);
      waitingCount += 1;
      if (waitingCount > MAX_OUT_OF_ORDER) {
        throw failure(
          `more than ${MAX_OUT_OF_ORDER} events arrived before earlier revisions of their streams`,
        );
      }
      return;
    }
    await accept(p, head);
    const held = waiting.get(p.stream);
    for (let next = held?.get(p.revision + 1n); next && held; next = held.get(next.revision + 1n)) {
      held.delete(next.revision);
      waitingCount -= 1;
      await accept(next, heads.get(p.stream) ?? head);
    }
    if (held?.size === 0) waiting.delete(p.stream);
  };

  return {
    offer: async (value, line) => offer(parseEvent(value, line, failure)),
    finish: async () => {
      await flush();
      for (const [stream, held] of waiting) {
        const first = [...held.keys()].sort((a, b) => (a < b ? -1 : 1))[0];
        throw failure(
          `${stream}: revision ${heads.get(stream)?.next ?? 0n} is missing from the file (it has revision ${first})`,
        );
      }
      return { events: imported, streams: heads.size };
    },
    streams: () => heads.keys(),
  };
}

function parseEvent(value: unknown, line: number, failure: (message: string) => ImportError): Parsed {
  const parsed = exportedLine.safeParse(value);
  if (!parsed.success) {
    throw failure(`line ${line} is not an exported event: ${z.prettifyError(parsed.error)}`);
  }
  const { stream, revision, id, type, data, metadata } = parsed.data;
  const { prevHash, hash, ...rest } = metadata;
  return {
    line,
    stream,
    revision,
    prevHash,
    hash,
    event: { id, type, data: data as JsonObject, metadata: rest as EventMetadata },
  };
}
