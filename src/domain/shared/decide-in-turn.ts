import { type Decider, foldEvents } from './decider.js';
import { DomainError } from './domain-error.js';

/** What one command of several decided: its events, or why it was rejected. */
export interface DecidedItem<E> {
  readonly events: readonly E[];
  readonly error?: DomainError;
}

/**
 * `all-or-nothing`: the first rejected command rejects them all (TurnRejected is thrown).
 * `skip-rejected`: a rejected command decides nothing and the others go on.
 */
export type TurnMode = 'all-or-nothing' | 'skip-rejected';

/** An all-or-nothing decision whose command `index` was rejected with `cause`. */
export class TurnRejected extends Error {
  constructor(
    readonly index: number,
    override readonly cause: DomainError,
  ) {
    super(`command ${index} was rejected: ${cause.message}`);
    this.name = 'TurnRejected';
  }
}

/**
 * Several commands on one stream as one decision: each is decided on the state the previous ones left,
 * so the whole sees its own effects (an overspend caused by the third expense of a day is detected as
 * such), and the events of all are appended at once.
 */
export function decideInTurn<C, E, S>(
  decider: Decider<C, E, S>,
  commands: readonly C[],
  state: S,
  mode: TurnMode,
): { events: E[]; items: DecidedItem<E>[] } {
  let current = state;
  const items: DecidedItem<E>[] = [];
  const events: E[] = [];
  commands.forEach((command, index) => {
    let decided: E[];
    try {
      decided = decider.decide(command, current);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (mode === 'all-or-nothing') throw new TurnRejected(index, error);
      items.push({ events: [], error });
      return;
    }
    current = foldEvents(decider, current, decided);
    items.push({ events: decided });
    events.push(...decided);
  });
  return { events, items };
}
