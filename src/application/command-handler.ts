import { type Decider, foldEvents } from '../domain/shared/decider.js';
import type { EventCodec } from './events/codec.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { Clock } from './ports/clock.port.js';
import {
  type EventMetadata,
  type EventStore,
  type GlobalPosition,
  WrongExpectedVersionError,
} from './ports/event-store.port.js';
import type { IdGenerator } from './ports/id-generator.port.js';
import { StreamStateCache } from './stream-state-cache.js';

/**
 * What to decide on the stream's current state: one of the decider's commands, or a decision of the
 * caller's own over that state (several commands in turn, say), Emmett's `(state) => events`.
 */
export type Decision<C, E, S> = C | ((state: S) => E[]);

/** Who asked, and why: lands in every event's metadata. */
export interface CommandContext {
  readonly correlationId: string;
  readonly causationId?: string;
  readonly actor?: string;
}

export interface HandleOptions {
  /** The version the client last saw (HTTP If-Match). A stale one fails instead of being retried. */
  readonly expectedVersion?: bigint;
  readonly maxAttempts?: number;
}

export interface Handled<S, E> {
  readonly state: S;
  readonly events: readonly E[];
  /** Stream revision after the command: -1 when the stream still does not exist. */
  readonly version: bigint;
  readonly position?: GlobalPosition;
}

export interface CommandHandlerDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Streams whose folded state is kept between commands (0: fold every stream from its start each time). */
  readonly cachedStreams?: number;
}

/** Streams kept folded per handler when the composition root says nothing. */
export const DEFAULT_CACHED_STREAMS = 2_000;

/**
 * Read the stream (from the cached state's version on), fold it, decide, append at the version read. Commands on one stream are queued
 * within this process; a writer in another process makes the append fail with WrongExpectedVersion,
 * and the command is then decided again on the new state, a bounded number of times. Deciding again is
 * safe because deciders are pure and idempotent on ids.
 */
export function commandHandler<C, E extends { type: string; data: unknown }, S>(
  deps: CommandHandlerDeps,
  decider: Decider<C, E, S>,
  codec: EventCodec<E>,
) {
  const cache = new StreamStateCache<S>(deps.cachedStreams ?? DEFAULT_CACHED_STREAMS);

  const load = async (stream: string): Promise<{ state: S; version: bigint }> => {
    const cached = cache.get(stream) ?? { state: decider.initialState(), version: -1n };
    const recorded = await deps.store.readStream(stream, { fromRevision: cached.version + 1n });
    if (recorded.length === 0) return cached;
    const loaded = {
      state: foldEvents(
        decider,
        cached.state,
        recorded.map((event) => codec.decode(event)),
      ),
      version: (recorded[recorded.length - 1] as (typeof recorded)[number]).revision,
    };
    cache.set(stream, loaded);
    return loaded;
  };

  const queue = new KeyedMutex();

  const attempt = async (
    stream: string,
    decision: Decision<C, E, S>,
    context: CommandContext,
    options: HandleOptions,
  ): Promise<Handled<S, E>> => {
    const maxAttempts = options.maxAttempts ?? 10;
    // The first try decides on the cached state without asking the store what follows it: an append at
    // a stale version fails, and the next try reads. Any other answer (nothing to append, a rejection, a
    // stale If-Match) is given only after the stream's head confirmed the state it was decided on.
    let unconfirmed = cache.get(stream);
    for (let tries = unconfirmed ? 0 : 1; ; tries++) {
      const guess = unconfirmed;
      unconfirmed = undefined;
      const { state, version } = guess ?? (await load(stream));
      let events: E[];
      try {
        if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
          throw new WrongExpectedVersionError(
            stream,
            options.expectedVersion,
            version < 0n ? 'no-stream' : version,
          );
        }
        events =
          typeof decision === 'function'
            ? (decision as (state: S) => E[])(state)
            : decider.decide(decision, state);
      } catch (error) {
        if (guess) continue;
        throw error;
      }
      if (events.length === 0) {
        if (guess) continue;
        return { state, events, version };
      }
      const occurredAt = deps.clock.now().toISOString();
      const toStore = events.map((event) => {
        const { type, data, schemaVersion } = codec.encode(event);
        const metadata: EventMetadata = {
          correlationId: context.correlationId,
          ...(context.causationId ? { causationId: context.causationId } : {}),
          ...(context.actor ? { actor: context.actor } : {}),
          occurredAt,
          schemaVersion,
        };
        return { id: deps.ids.uuid(), type, data, metadata };
      });
      try {
        const result = await deps.store.append(stream, toStore, version < 0n ? 'no-stream' : version);
        const next = foldEvents(decider, state, events);
        cache.set(stream, { state: next, version: result.nextExpectedVersion });
        return { state: next, events, version: result.nextExpectedVersion, position: result.position };
      } catch (error) {
        if (guess && error instanceof WrongExpectedVersionError) continue;
        const retry =
          error instanceof WrongExpectedVersionError &&
          options.expectedVersion === undefined &&
          tries < maxAttempts;
        if (!retry) throw error;
        // Random back-off: a loser that retried at once would meet the same winner's next command again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** tries)));
      }
    }
  };

  const handle = (
    stream: string,
    decision: Decision<C, E, S>,
    context: CommandContext,
    options: HandleOptions = {},
  ) => queue.run(stream, () => attempt(stream, decision, context, options));

  /** Forgets the cached states of the streams `belongs` picks; the next load folds them from the start. */
  const forget = (belongs: (stream: string) => boolean) => cache.forget(belongs);

  return { load, handle, forget };
}

export type CommandHandler<C, E extends { type: string; data: unknown }, S> = ReturnType<
  typeof commandHandler<C, E, S>
>;
