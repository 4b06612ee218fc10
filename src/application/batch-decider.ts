import { type Decider, foldEvents } from '../domain/shared/decider.js';
import { DomainError } from '../domain/shared/domain-error.js';

/** What one command of a batch decided: its events, or why it was rejected. */
export interface DecidedItem<E> {
  readonly events: readonly E[];
  readonly error?: DomainError;
}

/**
 * Several commands on one stream, decided in one decision and appended at once: each command is decided
 * on the state the previous ones left, so the batch sees its own effects (an overspend caused by the
 * third expense of a day is detected as such).
 */
export interface Batch<C, E> {
  readonly type: 'Batch';
  readonly commands: readonly C[];
  /**
   * `all-or-nothing`: the first rejected command rejects the whole batch (BatchRejected is thrown,
   * nothing is appended). `skip-rejected`: a rejected command decides nothing and the others go on.
   */
  readonly mode: 'all-or-nothing' | 'skip-rejected';
  /**
   * Told what each command decided, every time the batch is decided. The command handler decides again
   * after a concurrent write; its last call describes what was appended.
   */
  readonly onDecided?: (items: readonly DecidedItem<E>[]) => void;
}

/** An all-or-nothing batch whose command `index` was rejected with `cause`. */
export class BatchRejected extends Error {
  constructor(
    readonly index: number,
    override readonly cause: DomainError,
  ) {
    super(`command ${index} of the batch was rejected: ${cause.message}`);
    this.name = 'BatchRejected';
  }
}

const isBatch = <C, E>(command: C | Batch<C, E>): command is Batch<C, E> =>
  (command as { type?: unknown }).type === 'Batch';

/**
 * The same decider, also taking `Batch` commands. The wrapped decider is unchanged: a batch only folds
 * its decisions one after another. Single commands are decided exactly as before.
 */
export function withBatches<C, E, S>(decider: Decider<C, E, S>): Decider<C | Batch<C, E>, E, S> {
  return {
    initialState: () => decider.initialState(),
    evolve: (state, event) => decider.evolve(state, event),
    fold: (state, events) => foldEvents(decider, state, events),
    decide(command, state) {
      if (!isBatch(command)) return decider.decide(command, state);
      let current = state;
      const items: DecidedItem<E>[] = [];
      const all: E[] = [];
      command.commands.forEach((single, index) => {
        let events: E[];
        try {
          events = decider.decide(single, current);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          if (command.mode === 'all-or-nothing') throw new BatchRejected(index, error);
          items.push({ events: [], error });
          return;
        }
        current = foldEvents(decider, current, events);
        items.push({ events });
        all.push(...events);
      });
      command.onDecided?.(items);
      return all;
    },
  };
}
