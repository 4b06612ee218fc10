import type { CommandHandler } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import { comparePositions, type GlobalPosition } from '../ports/event-store.port.js';
import type { WritePositions } from '../ports/write-positions.port.js';

/** How long a user's state is used without asking the log whether another instance changed it. */
export const USER_STATE_MAX_AGE_MS = 5_000;
/** Users kept; the least recently used leaves first. */
export const USER_STATE_ENTRIES = 10_000;

interface Confirmed<S> {
  readonly state: S;
  readonly version: bigint;
  readonly at: number;
  /** The last write to the stream known when the entry was made. */
  readonly position?: GlobalPosition;
}

/**
 * Every request needs its user; reading the user's stream for each one cost a query per request. A
 * state loaded or written here is used again while it is younger than `maxAgeMs` and no newer write to
 * that stream is known in `writes` (shared by every instance when Redis is configured): a profile change
 * made through any instance is read by the next request on any other, and a change nobody tracked (an
 * administrator's, on another instance) within `maxAgeMs`. Commands always decide on the log itself.
 */
export function recentUsers<C, E extends { type: string; data: unknown }, S>(
  handler: CommandHandler<C, E, S>,
  deps: { readonly writes: WritePositions; readonly clock: Clock; readonly maxAgeMs?: number },
): CommandHandler<C, E, S> {
  const maxAgeMs = deps.maxAgeMs ?? USER_STATE_MAX_AGE_MS;
  const confirmed = new Map<string, Confirmed<S>>();
  const keep = (stream: string, entry: Confirmed<S>) => {
    confirmed.delete(stream);
    confirmed.set(stream, entry);
    if (confirmed.size > USER_STATE_ENTRIES) confirmed.delete(confirmed.keys().next().value as string);
  };
  const now = () => deps.clock.now().getTime();
  const writtenSince = (entry: Confirmed<S>, latest: GlobalPosition | undefined) =>
    latest !== undefined && (entry.position === undefined || comparePositions(latest, entry.position) > 0);

  return {
    ...handler,
    load: async (stream) => {
      const entry = confirmed.get(stream);
      const latest = await deps.writes.latest(stream);
      if (entry && now() - entry.at < maxAgeMs && !writtenSince(entry, latest)) return entry;
      const loaded = await handler.load(stream);
      keep(stream, { ...loaded, at: now(), ...(latest ? { position: latest } : {}) });
      return loaded;
    },
    handle: async (stream, command, context, options) => {
      const handled = await handler.handle(stream, command, context, options);
      if (handled.position !== undefined) {
        await deps.writes.record(stream, handled.position);
        keep(stream, {
          state: handled.state,
          version: handled.version,
          at: now(),
          position: handled.position,
        });
      }
      return handled;
    },
    forget: (belongs) => {
      for (const stream of [...confirmed.keys()]) if (belongs(stream)) confirmed.delete(stream);
      return handler.forget(belongs);
    },
  };
}
