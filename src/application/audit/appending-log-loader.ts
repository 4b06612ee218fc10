import type { AuditLog } from '../ports/audit-log.port.js';
import type { EventStore, JsonObject } from '../ports/event-store.port.js';
import {
  LoadConflictError,
  type LoadResult,
  type LoadSession,
  type LogLoader,
  type StagedEvent,
} from '../ports/log-loader.port.js';

/**
 * The loader for stores without bulk loading (EventStoreDB, in-memory): each staged batch is appended
 * through the append path, a run of one stream's events at a time, at the expected version its first
 * revision implies. Events already there (same id at the same revision) are skipped, so a load cut short
 * can run again. Unlike the PostgreSQL loader, events are written as they are staged.
 */
export function appendingLogLoader(store: EventStore, auditLog: AuditLog): LogLoader {
  return {
    target: async () => ({ empty: await auditLog.isEmpty(), unfinished: [] }),
    open: async () => appendingSession(store),
  };
}

function appendingSession(store: EventStore): LoadSession {
  const result = { moved: 0, skipped: 0 };
  const appendRun = async (run: StagedEvent[]) => {
    const first = run[0];
    if (!first) return;
    const existing = await store.readStream(first.stream, {
      fromRevision: first.revision,
      maxCount: run.length,
    });
    existing.forEach((stored, i) => {
      if (stored.id !== run[i]?.id || stored.metadata.hash !== run[i]?.metadata.hash)
        throw new LoadConflictError(
          `${first.stream}@${stored.revision} is already taken by another event in the log`,
        );
    });
    result.skipped += existing.length;
    const rest = run.slice(existing.length);
    const next = rest[0];
    if (!next) return;
    await store.append(
      next.stream,
      rest.map(({ id, type, dataJson, metadata }) => {
        const { prevHash: _p, hash: _h, ...covered } = metadata;
        return { id, type, data: JSON.parse(dataJson) as JsonObject, metadata: covered };
      }),
      next.revision === 0n ? 'no-stream' : next.revision - 1n,
    );
    const stored = await store.readStream(next.stream, {
      fromRevision: next.revision,
      maxCount: rest.length,
    });
    rest.forEach((event, i) => {
      if (stored[i]?.metadata.hash !== event.metadata.hash)
        throw new LoadConflictError(
          `${event.stream}@${event.revision} (${event.id}) was stored with hash ${stored[i]?.metadata.hash} ` +
            `but the input says ${event.metadata.hash}`,
        );
    });
    result.moved += rest.length;
  };
  return {
    stage: async (events) => {
      let run: StagedEvent[] = [];
      for (const event of events) {
        if (run[0] && run[0].stream !== event.stream) {
          await appendRun(run);
          run = [];
        }
        run.push(event);
      }
      await appendRun(run);
    },
    commit: async (options): Promise<LoadResult> => {
      options.onProgress?.({ phase: 'moved', events: result.moved });
      return { ...result };
    },
    close: async () => undefined,
  };
}
