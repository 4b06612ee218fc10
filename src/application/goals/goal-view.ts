import { type Goal, type GoalState, progressPercent } from '../../domain/goal/goal.js';
import { fail } from '../../domain/shared/domain-error.js';

/** What a client sees of a goal. Money stays bigint here; the HTTP layer formats it. */
export interface GoalView {
  readonly id: string;
  readonly name: string;
  readonly status: Goal['status'];
  readonly currency: Goal['currency'];
  readonly target: bigint;
  readonly saved: bigint;
  readonly contributed: bigint;
  readonly withdrawn: bigint;
  readonly remaining: bigint;
  /** Whole percent of the target saved (at most 100). */
  readonly progress: number;
  readonly targetDate?: string;
  readonly milestones: Goal['milestones'];
  readonly createdAt: string;
  readonly achievedAt?: string;
  readonly abandonedAt?: string;
}

export const goalView = (goal: Goal): GoalView => ({
  id: goal.goalId,
  name: goal.name,
  status: goal.status,
  currency: goal.currency,
  target: goal.target,
  saved: goal.saved,
  contributed: goal.contributed,
  withdrawn: goal.withdrawn,
  remaining: goal.saved >= goal.target ? 0n : goal.target - goal.saved,
  progress: progressPercent(goal),
  ...(goal.targetDate ? { targetDate: goal.targetDate } : {}),
  milestones: goal.milestones,
  createdAt: goal.createdAt,
  ...(goal.achievedAt ? { achievedAt: goal.achievedAt } : {}),
  ...(goal.abandonedAt ? { abandonedAt: goal.abandonedAt } : {}),
});

/** The goal, when it exists and belongs to `userId`; another user's goal is not found. */
export function ownGoal(state: GoalState, userId: string): Goal {
  if (state.status === 'none' || state.userId !== userId) return fail('goal-not-found', 'No such goal');
  return state;
}
