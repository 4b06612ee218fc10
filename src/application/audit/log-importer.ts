import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  canonicalJson,
  eventHashOfCanonicalBytes,
  eventHashOfCanonicalData,
} from '../event-store/hash-chain.js';
import type { JsonObject, StoredMetadata } from '../ports/event-store.port.js';
import {
  LoadConflictError,
  type LoadProgress,
  type LoadSession,
  type StagedEvent,
} from '../ports/log-loader.port.js';
import { readExportLine } from './export-line.js';

export interface ImportResult {
  /** Events in the file. */
  readonly events: number;
  readonly streams: number;
  /** Events written by this run, and those the log already held (from an interrupted run). */
  readonly moved: number;
  readonly skipped: number;
}

/**
 * An import stopped; `imported` events were written before it. Running the same import again resumes
 * it (events already in the log are skipped by id).
 */
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
  /** The next line of an export (`line`: its number, for errors): checked and staged. */
  offer(text: string, line: number): Promise<void>;
  /** The next exported event, already parsed from JSON (a backup record): checked and staged. */
  offerValue(value: unknown, line: number): Promise<void>;
  /**
   * Checks that no stream misses a revision, then moves what was staged into the log (`source`: the
   * SHA-256 of the input, by which an interrupted run is resumed; `skipExisting` for a target that
   * already has events).
   */
  finish(options: { source: string; skipExisting: boolean }): Promise<ImportResult>;
  /** The streams of the file seen so far. */
  streams(): Iterable<string>;
  /** What was offered, as the SHA-256 of its events' hashes in order: the same file gives the same. */
  source(): string;
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
  readonly id: string;
  readonly type: string;
  /** The data as JSON text. */
  readonly dataJson: string;
  /**
   * What the event hashes to, computed as it is read (with its own prevHash, which `checkLink` compares
   * with its predecessor's hash before this one).
   */
  readonly computedHash: string;
  /** The metadata as the line has it, the chain's members too (the hash does not cover them). */
  readonly metadata: StoredMetadata;
  readonly prevHash: string;
  readonly hash: string;
}

/** Events are staged this many at a time. */
const BATCH = 5000;
/** Events that arrived before an earlier revision of their stream, held until it comes. */
const MAX_OUT_OF_ORDER = 10_000;

export type ImportProgress = LoadProgress | { readonly phase: 'checked'; readonly events: number };

/**
 * Loads exported events (import, restore) at COPY speed: one streaming pass checks every stream's hash
 * chain (each event's prevHash is its predecessor's hash and its hash is recomputed with `eventHash`)
 * and stages the events; only when the whole input checked out are they moved into the log, in large
 * transactions of this installation (never a logical dump: the xid8 read horizon needs transaction ids
 * of this cluster; README, "Event store"). Ids, stream revisions, hashes and the relative global order are
 * kept. A stream's events may arrive out of order (up to MAX_OUT_OF_ORDER held); each stream starts at
 * revision 0 in the input.
 */
export function logImporter(
  session: LoadSession,
  options: { onProgress?: (progress: ImportProgress) => void } = {},
): LogImporter {
  let checked = 0;
  /** Per stream: the next revision expected and the hash of the last one accepted. */
  const heads = new Map<string, { next: bigint; hash: string }>();
  const waiting = new Map<string, Map<bigint, Parsed>>();
  let waitingCount = 0;
  let batch: StagedEvent[] = [];
  const sourceHash = createHash('sha256');
  const failure = (message: string) => new ImportError(`${message}; nothing was imported`, 0);

  const flush = async () => {
    if (batch.length === 0) return;
    const staged = batch;
    batch = [];
    await session.stage(staged);
    options.onProgress?.({ phase: 'checked', events: checked });
  };

  const accept = async (p: Parsed, head: { next: bigint; hash: string }) => {
    checkLink(p, head.hash, failure);
    head.next = p.revision + 1n;
    head.hash = p.hash;
    heads.set(p.stream, head);
    sourceHash.update(p.hash);
    checked += 1;
    // Staged as parsed: its metadata is the line's, prevHash and hash included.
    batch.push(p);
    if (batch.length >= BATCH) await flush();
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
    offer: async (text, line) => offer(parseEvent(text, line, failure)),
    offerValue: async (value, line) =>
      offer(checkedRevision(valueOrSchemaParse(value, line, failure), failure)),
    finish: async ({ source, skipExisting }) => {
      await flush();
      for (const [stream, held] of waiting) {
        const first = [...held.keys()].sort((a, b) => (a < b ? -1 : 1))[0];
        throw failure(
          `${stream}: revision ${heads.get(stream)?.next ?? 0n} is missing from the file (it has revision ${first})`,
        );
      }
      let moved = 0;
      try {
        const result = await session.commit({
          source,
          skipExisting,
          onProgress: (progress) => {
            if (progress.phase === 'moved') moved = progress.events;
            options.onProgress?.(progress);
          },
        });
        return { events: checked, streams: heads.size, ...result };
      } catch (error) {
        if (!(error instanceof LoadConflictError)) throw error;
        throw new ImportError(`${error.message}; ${moved} event(s) were imported`, moved);
      }
    },
    streams: () => heads.keys(),
    source: () => sourceHash.copy().digest('hex'),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256 = /^[0-9a-f]{64}$/;
/** Stream revisions are stored as integer (migration 013). */
const MAX_REVISION = 2_147_483_647;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A line as `exportLines` writes it, read without parsing its data (`readExportLine`), with the checks
 * of `exportedLine`; undefined for anything else (the schema then words the error).
 */
function quickParse(text: string, line: number): Parsed | undefined {
  const read = readExportLine(text);
  if (!read || read.stream.length > 500 || read.type.length > 200) return undefined;
  const metadata = chainedMetadata(read.metadata);
  if (!metadata) return undefined;
  const { prevHash, hash } = metadata;
  return {
    line,
    stream: read.stream,
    revision: BigInt(read.revision),
    id: read.id,
    type: read.type,
    dataJson: read.dataJson,
    // Hashed now: read.canonicalData is a view of a buffer the next line rewrites.
    computedHash: eventHashOfCanonicalBytes(
      read.stream,
      read.revision,
      prevHash,
      read.id,
      read.type,
      read.canonicalData,
      metadata,
    ),
    metadata,
    prevHash,
    hash,
  };
}

/**
 * The checks of `exportedLine` on a parsed value, by hand: the schema walks every value of `data`,
 * which JSON.parse already guarantees is JSON. Anything unusual goes to the schema, which words the
 * error.
 */
function valueParse(value: unknown, line: number): Parsed | undefined {
  if (!isObject(value)) return undefined;
  const { stream, revision, id, type, data, metadata } = value;
  if (typeof stream !== 'string' || stream.length < 1 || stream.length > 500) return undefined;
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 0) return undefined;
  if (typeof id !== 'string' || !UUID.test(id)) return undefined;
  if (typeof type !== 'string' || type.length < 1 || type.length > 200) return undefined;
  if (!isObject(data) || !isObject(metadata)) return undefined;
  const chained = chainedMetadata(metadata);
  return (
    chained && parsedEvent({ line, stream, revision, id, type, data: data as JsonObject, metadata: chained })
  );
}

/** A line read as a JSON value (not by `readExportLine`): its data made canonical and hashed now. */
function parsedEvent(e: {
  line: number;
  stream: string;
  revision: number | bigint;
  id: string;
  type: string;
  data: JsonObject;
  metadata: StoredMetadata;
}): Parsed {
  const { prevHash, hash } = e.metadata;
  const canonical = canonicalJson(e.data);
  return {
    line: e.line,
    stream: e.stream,
    revision: BigInt(e.revision),
    id: e.id,
    type: e.type,
    dataJson: JSON.stringify(e.data),
    computedHash: eventHashOfCanonicalData(
      e.stream,
      e.revision,
      prevHash,
      e.id,
      e.type,
      canonical,
      e.metadata,
    ),
    metadata: e.metadata,
    prevHash: prevHash as string,
    hash: hash as string,
  };
}

function parseEvent(text: string, line: number, failure: (message: string) => ImportError): Parsed {
  const parsed = quickParse(text, line) ?? valueOrSchemaParse(parseJson(text, line, failure), line, failure);
  return checkedRevision(parsed, failure);
}

const valueOrSchemaParse = (value: unknown, line: number, failure: (message: string) => ImportError) =>
  valueParse(value, line) ?? schemaParse(value, line, failure);

function checkedRevision(parsed: Parsed, failure: (message: string) => ImportError): Parsed {
  if (parsed.revision > MAX_REVISION)
    throw failure(
      `line ${parsed.line}: revision ${parsed.revision} is beyond what the log stores (${MAX_REVISION})`,
    );
  return parsed;
}

function parseJson(text: string, line: number, failure: (message: string) => ImportError): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw failure(`line ${line} is not JSON`);
  }
}

function schemaParse(value: unknown, line: number, failure: (message: string) => ImportError): Parsed {
  const parsed = exportedLine.safeParse(value);
  if (!parsed.success) {
    throw failure(`line ${line} is not an exported event: ${z.prettifyError(parsed.error)}`);
  }
  const { data, metadata, ...event } = parsed.data;
  return parsedEvent({ ...event, line, data: data as JsonObject, metadata: metadata as StoredMetadata });
}

function checkLink(p: Parsed, previousHash: string, failure: (message: string) => ImportError): void {
  if (p.prevHash !== previousHash) {
    throw failure(
      `line ${p.line}: ${p.stream}@${p.revision} (${p.id}) has prevHash ${p.prevHash || '""'} but the ` +
        `previous event of its stream hashes to ${previousHash || '"" (none)'}: the file was altered or is incomplete`,
    );
  }
  const computed = p.computedHash;
  if (computed !== p.hash) {
    throw failure(
      `line ${p.line}: ${p.stream}@${p.revision} (${p.id}) hashes to ${computed} but the export says ` +
        `${p.hash}: the event was altered after it was recorded`,
    );
  }
}

/** An exported event's metadata, if it has what a stored event has (the chain's members among them). */
function chainedMetadata(metadata: Record<string, unknown>): StoredMetadata | undefined {
  const { correlationId, occurredAt, schemaVersion, prevHash, hash } = metadata;
  if (
    typeof correlationId !== 'string' ||
    typeof occurredAt !== 'string' ||
    typeof schemaVersion !== 'number' ||
    typeof prevHash !== 'string' ||
    typeof hash !== 'string' ||
    !SHA256.test(hash)
  )
    return undefined;
  return metadata as unknown as StoredMetadata;
}
