import type { GoalDeps } from '../goals/goal-deps.js';
import { createGoalsUseCases } from '../goals/goals.js';
import { parseGoalContributionJob } from '../reactions/goal-contribution.js';
import { createRecurringUseCases, type RecurringDeps } from '../recurring/recurring-expenses.js';
import { createWellbeingUseCases } from '../wellbeing/wellbeing.js';
import { financialPlanning } from './financial-planning.js';

/**
 * Goals, the goal planner, recurring expenses, the budget optimizer and the health score: one set of
 * use cases for createDaybook, with the job handlers its worker role runs.
 */
export function createPlanningUseCases(ports: GoalDeps & RecurringDeps) {
  const goals = createGoalsUseCases(ports);
  const recurring = createRecurringUseCases(ports);
  const planning = financialPlanning({
    ...ports,
    goalsOf: goals.goalStates,
    recurringOf: recurring.listRecurring,
  });
  return {
    ...goals,
    ...recurring,
    ...planning,
    ...createWellbeingUseCases(ports),
    /** Queue → handler, for the worker role. */
    jobHandlers: {
      'goal-contribution': (payload) => goals.completeGoalContribution(parseGoalContributionJob(payload)),
      'recurring-expenses': async () => {
        await recurring.recordDueRecurring();
      },
    } satisfies Record<string, (payload: Parameters<typeof parseGoalContributionJob>[0]) => Promise<void>>,
  };
}
