/** A pure aggregate: what a command decides given the state, and how events fold into state. */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
  /**
   * `events.reduce(evolve, state)` without copying the state once per event; `state` is left as it was.
   * Deciders whose states grow large provide it.
   */
  fold?(state: State, events: Iterable<Event>): State;
}

/** Folds with the decider's own `fold` when it has one. */
export function foldEvents<C, E, S>(decider: Decider<C, E, S>, state: S, events: Iterable<E>): S {
  if (decider.fold) return decider.fold(state, events);
  let folded = state;
  for (const event of events) folded = decider.evolve(folded, event);
  return folded;
}
