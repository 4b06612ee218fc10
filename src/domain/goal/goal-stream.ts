/** Stream names are a contract shared by every event store: `goal-<goalId>` and the owner's `goals-<userId>`. */
export const goalStream = (goalId: string): string => `goal-${goalId}`;

const GOAL_STREAM = /^goal-([0-9a-fA-F-]{36})$/;

/** The goal id of a `goal-<id>` stream; undefined for any other stream. */
export function parseGoalStream(stream: string): string | undefined {
  return GOAL_STREAM.exec(stream)?.[1];
}

/** The index of a user's goals: which goal streams to fold when the goals are listed. */
export const goalIndexStream = (userId: string): string => `goals-${userId}`;

const GOAL_INDEX_STREAM = /^goals-([0-9a-fA-F-]{36})$/;

export function parseGoalIndexStream(stream: string): string | undefined {
  return GOAL_INDEX_STREAM.exec(stream)?.[1];
}
