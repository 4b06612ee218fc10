import { SYSTEM } from '../events/security.codec.js';
import { type AuditLog, type ScannedEvent, streamOwner } from '../ports/audit-log.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventStore, JsonObject, StoredMetadata } from '../ports/event-store.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import type { LogLoader } from '../ports/log-loader.port.js';
import type { SubjectKeyStore } from '../ports/subject-key-store.port.js';
import { appendSecurityEvent } from '../security/security-log.js';
import { appendingLogLoader } from './appending-log-loader.js';
import { compactJsonb } from './compact-json.js';
import { ImportError, type ImportProgress, type ImportResult, logImporter } from './log-importer.js';

/**
 * One line of an export (JSON Lines): an event as stored, without its store-specific global position.
 * `data` is the stored payload (amounts in minor units as decimal strings); `metadata` includes the
 * hash chain (`prevHash`, `hash`).
 */
export interface ExportedEvent {
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: StoredMetadata;
}

/** Who exports when the caller does not say: the operator's CLI. */
export const CLI_ACTOR = 'system:cli';

/**
 * The whole log (or one user's streams: a GDPR data export) in `$all` order, one event at a time, so a
 * caller that writes each line before asking for the next keeps memory flat. Recorded in the security
 * log once it ends (see `recorded`).
 */
export const exportLog =
  (deps: ExportDeps) =>
  (input: { userId?: string; actor?: string } = {}): AsyncIterable<ExportedEvent> =>
    recorded(
      deps,
      input,
      (async function* () {
        for await (const event of deps.auditLog.events(
          input.userId === undefined ? {} : { userId: input.userId },
        )) {
          yield {
            stream: event.streamName,
            revision: Number(event.revision),
            id: event.id,
            type: event.type,
            data: event.data,
            metadata: event.metadata,
          };
        }
      })(),
    );

/** A piece of an export: whole JSON Lines (UTF-8, each with its newline), and how many. */
export interface ExportChunk {
  readonly text: Uint8Array;
  readonly events: number;
}

/**
 * The export as JSON Lines, each line exactly `JSON.stringify` of the `ExportedEvent` `exportLog` gives,
 * recorded the same way, in chunks of whole lines. The whole log is read with the audit log's scan when
 * it offers one, and written as bytes: the stored data text is compacted (`compactJsonb`), not parsed.
 */
export const exportLines =
  (deps: ExportDeps) =>
  (input: { userId?: string; actor?: string } = {}): AsyncIterable<ExportChunk> => {
    const scan = deps.auditLog.scanAll?.bind(deps.auditLog);
    if (input.userId !== undefined || !scan) return stringifiedLines(exportLog(deps)(input));
    return recorded(
      deps,
      input,
      (async function* () {
        for await (const page of scan({ belowHorizon: true })) yield exportedLines(page);
      })(),
      (chunk) => chunk.events,
    );
  };

/** Lines per chunk of an export read event by event (one write per line is slow). */
const CHUNK_LINES = 500;

async function* stringifiedLines(events: AsyncIterable<ExportedEvent>): AsyncIterable<ExportChunk> {
  let lines: string[] = [];
  const chunk = () => ({ text: Buffer.from(`${lines.join('\n')}\n`), events: lines.length });
  for await (const event of events) {
    lines.push(JSON.stringify(event));
    if (lines.length < CHUNK_LINES) continue;
    yield chunk();
    lines = [];
  }
  if (lines.length > 0) yield chunk();
}

/** The lines of a page of the scan, as `JSON.stringify` writes each `ExportedEvent`. */
function exportedLines(page: readonly ScannedEvent[]): ExportChunk {
  let capacity = 0;
  for (const event of page) capacity += event.data.length + LINE_ROOM;
  const out = new LineWriter(capacity);
  for (const event of page) {
    out.text(
      `{"stream":${JSON.stringify(event.head.stream)},"revision":${event.revision},"id":${JSON.stringify(
        event.id,
      )},"type":${JSON.stringify(event.type)},"data":`,
    );
    out.data(event.data);
    out.text(`,"metadata":${JSON.stringify(event.metadata)}}\n`);
  }
  return { text: out.written(), events: page.length };
}

/** Room for a line besides its data (its metadata, stream, id and type): a guess, grown past when short. */
const LINE_ROOM = 640;

/** UTF-8 bytes written one after the other into a buffer, grown when full. */
class LineWriter {
  private bytes: Buffer;
  private length = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  text(text: string): void {
    this.room(text.length * 3);
    this.length += this.bytes.write(text, this.length);
  }

  /** Stored JSON text as JSON.stringify writes its value. */
  data(json: Uint8Array): void {
    this.room(json.length);
    const end = compactJsonb(json, this.bytes, this.length);
    if (end >= 0) this.length = end;
    else
      this.text(
        JSON.stringify(JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.length).toString())),
      );
  }

  written(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + bytes));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

type ExportDeps = { auditLog: AuditLog; store: EventStore; clock: Clock; ids: IdGenerator };

/**
 * Hands out what `source` yields and records the export in the security log once it ends (so it is
 * not part of itself): DataExported in `security-<userId>` (one user's export) or `security-system`
 * (the whole log), with the actor, the number of events handed out and whether the export ran to its
 * end. An export that cannot be recorded fails.
 */
async function* recorded<T>(
  deps: ExportDeps,
  input: { userId?: string; actor?: string },
  source: AsyncIterable<T>,
  count: (item: T) => number = () => 1,
): AsyncIterable<T> {
  let events = 0;
  const record = (complete: boolean) =>
    appendSecurityEvent(deps, {
      subject: input.userId ?? SYSTEM,
      actor: input.actor ?? CLI_ACTOR,
      event: {
        type: 'DataExported',
        data: {
          at: deps.clock.now().toISOString(),
          actor: input.actor ?? CLI_ACTOR,
          subject: input.userId ?? 'all',
          events,
          complete,
        },
      },
    });
  let outcome: 'complete' | 'failed' | 'stopped' = 'stopped';
  try {
    for await (const item of source) {
      events += count(item);
      yield item;
    }
    outcome = 'complete';
  } catch (error) {
    outcome = 'failed';
    await record(false).catch((recordError: unknown) => {
      throw new AggregateError([error, recordError], 'The export failed and could not be recorded');
    });
    throw error;
  } finally {
    // 'stopped': the reader gave up early (e.g. its output failed); what it got is recorded all the same.
    if (outcome !== 'failed') await record(outcome === 'complete');
  }
}

/**
 * Loads an export into this installation (see `logImporter`): into an empty log, or, with `append`, next
 * to what the log holds (events it already has are skipped by id). An import that was cut short is
 * resumed by importing the same file again. An export carries no data keys, so every user whose streams
 * were imported and who has no key here is recorded as erased: their personal fields read "[erased]"
 * (they cannot be decrypted anyway) instead of failing every reader. Use backup/restore to move an
 * installation with its keys.
 */
export const importLog =
  (deps: { store: EventStore; auditLog: AuditLog; subjectKeys: SubjectKeyStore; logLoader?: LogLoader }) =>
  async (
    lines: AsyncIterable<string>,
    options: { append?: boolean; onProgress?: (progress: ImportProgress) => void } = {},
  ): Promise<ImportResult & { readonly erasedUsers: number }> => {
    const loader = deps.logLoader ?? appendingLogLoader(deps.store, deps.auditLog);
    const target = await loader.target();
    if (!target.empty && !options.append && target.unfinished.length === 0) throw notEmpty();
    const session = await loader.open();
    try {
      const importer = logImporter(session, options);
      let lineNumber = 0;
      for await (const text of lines) {
        lineNumber += 1;
        if (text.trim() === '') continue;
        await importer.offer(text, lineNumber);
      }
      const source = importer.source();
      if (!target.empty && !options.append && !target.unfinished.includes(source)) throw notEmpty();
      const result = await importer.finish({ source, skipExisting: !target.empty });
      return { ...result, erasedUsers: await eraseKeyless(deps.subjectKeys, importer.streams()) };
    } finally {
      await session.close();
    }
  };

const notEmpty = () =>
  new ImportError(
    'The event log is not empty: import loads an export into an empty instance (or resumes an import of ' +
      'the same file that was cut short); --append adds it to the events already there',
    0,
  );

/** Records as erased every owner of these streams who has no data key (nor tombstone) in this installation. */
async function eraseKeyless(keys: SubjectKeyStore, streams: Iterable<string>): Promise<number> {
  const owners = new Set<string>();
  for (const stream of streams) {
    const owner = streamOwner(stream);
    if (owner) owners.add(owner);
  }
  const known = await keys.lookup([...owners]);
  const keyless = [...owners].filter((owner) => !known.has(owner));
  for (const owner of keyless) await keys.erase(owner);
  return keyless.length;
}
