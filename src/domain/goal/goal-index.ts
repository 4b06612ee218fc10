import type { Decider } from '../shared/decider.js';

/** A user's goals, in the order they were opened: `goals-<userId>`. */
export type GoalListed = { type: 'GoalListed'; data: { goalId: string; listedAt: string } };
export type ListGoal = { type: 'ListGoal'; data: { goalId: string; now: string } };

export interface GoalIndex {
  readonly goalIds: readonly string[];
}

/**
 * The index is written before the goal's own stream: an entry whose goal was never created (a crash
 * between the two) is passed over when listing, and the retry of the create lists nothing twice.
 */
export const goalIndexDecider: Decider<ListGoal, GoalListed, GoalIndex> = {
  decide: (command, state) =>
    state.goalIds.includes(command.data.goalId)
      ? []
      : [{ type: 'GoalListed', data: { goalId: command.data.goalId, listedAt: command.data.now } }],
  evolve: (state, event) => ({ goalIds: [...state.goalIds, event.data.goalId] }),
  initialState: () => ({ goalIds: [] }),
};
