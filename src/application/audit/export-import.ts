import { SYSTEM } from '../events/security.codec.js';
import { type AuditLog, type ScannedEvent, streamOwner } from '../ports/audit-log.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventStore, JsonObject, StoredMetadata } from '../ports/event-store.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import type { LogLoader } from '../ports/log-loader.port.js';
import type { SubjectKeyStore } from '../ports/subject-key-store.port.js';
import { appendSecurityEvent } from '../security/security-log.js';
import { appendingLogLoader } from './appending-log-loader.js';
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

/**
 * The export as JSON Lines text, each line exactly `JSON.stringify` of the `ExportedEvent` `exportLog`
 * gives (without its newline), recorded the same way. The whole log is read with the audit log's scan
 * when it offers one: the stored data text is rewritten (`rewriteJson`), never parsed.
 */
export const exportLines =
  (deps: ExportDeps) =>
  (input: { userId?: string; actor?: string } = {}): AsyncIterable<string> => {
    const scan = deps.auditLog.scanAll?.bind(deps.auditLog);
    if (input.userId !== undefined || !scan) {
      const events = exportLog(deps)(input);
      return (async function* () {
        for await (const event of events) yield JSON.stringify(event);
      })();
    }
    return recorded(
      deps,
      input,
      (async function* () {
        for await (const page of scan({ belowHorizon: true })) yield* page.map(exportedLine);
      })(),
    );
  };

function exportedLine(event: ScannedEvent): string {
  return JSON.stringify({
    stream: event.head.stream,
    revision: event.revision,
    id: event.id,
    type: event.type,
    data: JSON.parse(event.dataText),
    metadata: event.metadata,
  });
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
      events += 1;
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
