import { budgetMonthDecider } from '../../domain/budget-month/budget-month.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { type Goal, goalDecider } from '../../domain/goal/goal.js';
import type { GoalCommand } from '../../domain/goal/goal-commands.js';
import type { GoalEvent } from '../../domain/goal/goal-events.js';
import { goalIndexDecider } from '../../domain/goal/goal-index.js';
import { goalIndexStream, goalStream } from '../../domain/goal/goal-stream.js';
import { parseCategory } from '../../domain/shared/category.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { localDateAt, monthOf, parseLocalDate } from '../../domain/shared/local-date.js';
import { parseMoney } from '../../domain/shared/money.js';
import { type CommandContext, commandHandler, type Handled } from '../command-handler.js';
import { trackWrites } from '../consistency/track-writes.js';
import { derivedUuid } from '../derived-id.js';
import { goalCodec, goalIndexCodec } from '../events/goal.codec.js';
import type { GlobalPosition } from '../ports/event-store.port.js';
import type { GoalContributionJob } from '../reactions/goal-contribution.js';
import { requireUser } from '../users/require-user.js';
import { contributionExpense, type GoalDeps, goalWriteDeps } from './goal-deps.js';
import { goalPlanning } from './goal-planning.js';
import { type GoalView, goalView, ownGoal } from './goal-view.js';

export interface GoalWriteResult {
  readonly goal: GoalView;
  /** False when the request changed nothing (a retry). */
  readonly changed: boolean;
  readonly position?: GlobalPosition;
}

const positionOf = (handled: Pick<Handled<unknown, unknown>, 'position'>) =>
  handled.position ? { position: handled.position } : {};

/** Savings goals: `goal-<id>` streams, listed through the owner's `goals-<userId>` index. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a factory of the goal use cases, one closure each over the same handlers
export function createGoalsUseCases(ports: GoalDeps) {
  const goals = trackWrites(commandHandler(ports, goalDecider, goalCodec), ports.writes);
  const index = commandHandler(ports, goalIndexDecider, goalIndexCodec);
  const deps = goalWriteDeps(ports, goals);
  const now = () => ports.clock.now().toISOString();

  const loadOwn = async (userId: string, goalId: string) =>
    ownGoal((await goals.load(goalStream(goalId))).state, userId);

  /** Decides on the goal first without writing, so what it refuses leaves no trace in the index. */
  const handleGoal = async (goalId: string, command: GoalCommand, context: CommandContext) => {
    goalDecider.decide(command, (await goals.load(goalStream(goalId))).state);
    return goals.handle(goalStream(goalId), command, context);
  };

  const createGoal = async (
    input: {
      userId: string;
      goalId?: string;
      idempotencyKey?: string;
      name: string;
      target: string;
      targetDate?: string;
    },
    context: CommandContext,
  ): Promise<GoalWriteResult> => {
    const user = await requireUser(ports.users, input.userId);
    const goalId =
      input.goalId ??
      (input.idempotencyKey === undefined
        ? ports.ids.uuid()
        : derivedUuid('goal', user.userId, input.idempotencyKey));
    const command: GoalCommand = {
      type: 'CreateGoal',
      data: {
        goalId,
        userId: user.userId,
        name: input.name.trim(),
        target: parseMoney(input.target, user.currency).amount,
        currency: user.currency,
        ...(input.targetDate ? { targetDate: parseLocalDate(input.targetDate) } : {}),
        now: now(),
      },
    };
    const actor = { ...context, actor: user.userId };
    goalDecider.decide(command, (await goals.load(goalStream(goalId))).state);
    await index.handle(
      goalIndexStream(user.userId),
      { type: 'ListGoal', data: { goalId, now: now() } },
      actor,
    );
    const handled = await goals.handle(goalStream(goalId), command, actor);
    return {
      goal: goalView(ownGoal(handled.state, user.userId)),
      changed: handled.events.length > 0,
      ...positionOf(handled),
    };
  };

  const updateGoal = async (
    input: {
      userId: string;
      goalId: string;
      name?: string;
      target?: string;
      targetDate?: string | null;
      status?: 'abandoned';
      reason?: string;
    },
    context: CommandContext,
  ): Promise<GoalWriteResult> => {
    const user = await requireUser(ports.users, input.userId);
    await loadOwn(user.userId, input.goalId);
    const actor = { ...context, actor: user.userId };
    const events: GoalEvent[] = [];
    let last: Handled<unknown, unknown> | undefined;
    if (input.name !== undefined || input.target !== undefined || input.targetDate !== undefined) {
      last = await handleGoal(
        input.goalId,
        {
          type: 'UpdateGoal',
          data: {
            ...(input.name === undefined ? {} : { name: input.name.trim() }),
            ...(input.target === undefined ? {} : { target: parseMoney(input.target, user.currency).amount }),
            ...(input.targetDate === undefined
              ? {}
              : { targetDate: input.targetDate === null ? null : parseLocalDate(input.targetDate) }),
            now: now(),
          },
        },
        actor,
      );
      events.push(...(last.events as GoalEvent[]));
    }
    if (input.status === 'abandoned') {
      last = await handleGoal(
        input.goalId,
        { type: 'AbandonGoal', data: { ...(input.reason ? { reason: input.reason } : {}), now: now() } },
        actor,
      );
      events.push(...(last.events as GoalEvent[]));
    }
    const goal = await loadOwn(user.userId, input.goalId);
    return { goal: goalView(goal), changed: events.length > 0, ...(last ? positionOf(last) : {}) };
  };

  const contribute = async (
    input: {
      userId: string;
      goalId: string;
      contributionId?: string;
      idempotencyKey?: string;
      amount: string;
      date?: string;
      category?: string;
    },
    context: CommandContext,
  ) => {
    const user = await requireUser(ports.users, input.userId);
    const goal = await loadOwn(user.userId, input.goalId);
    const contributionId =
      input.contributionId ??
      (input.idempotencyKey === undefined
        ? ports.ids.uuid()
        : derivedUuid('goal-contribution-key', user.userId, goal.goalId, input.idempotencyKey));
    const day = input.date
      ? parseLocalDate(input.date)
      : localDateAt(ports.clock.now(), user.profile.timezone);
    const command = {
      type: 'Contribute' as const,
      data: {
        contributionId,
        amount: parseMoney(input.amount, user.currency).amount,
        day,
        category: parseCategory(input.category ?? 'savings'),
        transactionId: derivedUuid('goal-contribution', goal.goalId, contributionId),
        now: now(),
      },
    };
    const actor = { ...context, actor: user.userId };
    goalDecider.decide(command, goal);
    // What the month would refuse (another currency, a full month, …) is refused before the goal records it.
    const expense = contributionExpense(user, goal.goalId, command.data, now());
    const month = await ports.budgets.load(budgetMonthStream(user.userId, monthOf(day)));
    if (!goal.contributions.has(contributionId)) budgetMonthDecider.decide(expense, month.state);
    const handled = await goals.handle(goalStream(goal.goalId), command, actor);
    const recorded = await deps.recordContribution(user, goal.goalId, contributionId, actor);
    const after = ownGoal(handled.state, user.userId);
    return {
      goal: goalView(after),
      changed: handled.events.length > 0,
      contribution: {
        id: contributionId,
        transactionId: command.data.transactionId,
        amount: command.data.amount,
        date: day,
        category: command.data.category,
        ...(recorded.overspentBy ? { overspentBy: recorded.overspentBy.amount } : {}),
      },
      ...(recorded.position ? { position: recorded.position } : positionOf(handled)),
    };
  };

  const withdraw = async (
    input: { userId: string; goalId: string; withdrawalId?: string; amount: string },
    context: CommandContext,
  ): Promise<GoalWriteResult> => {
    const user = await requireUser(ports.users, input.userId);
    await loadOwn(user.userId, input.goalId);
    const handled = await handleGoal(
      input.goalId,
      {
        type: 'Withdraw',
        data: {
          withdrawalId: input.withdrawalId ?? ports.ids.uuid(),
          amount: parseMoney(input.amount, user.currency).amount,
          now: now(),
        },
      },
      { ...context, actor: user.userId },
    );
    return {
      goal: goalView(ownGoal(handled.state, user.userId)),
      changed: handled.events.length > 0,
      ...positionOf(handled),
    };
  };

  /** Folds each listed goal's stream: always as of the user's last write. */
  const goalStates = async (userId: string): Promise<Goal[]> => {
    await requireUser(ports.users, userId);
    const { state } = await index.load(goalIndexStream(userId));
    const loaded = await Promise.all(state.goalIds.map((id) => goals.load(goalStream(id))));
    return loaded.flatMap(({ state: goal }) =>
      goal.status !== 'none' && goal.userId === userId ? [goal] : [],
    );
  };

  /** The `goal-contribution` job: records a contribution's expense if the request did not. */
  const completeContribution = async (job: GoalContributionJob): Promise<void> => {
    const { state } = await goals.load(goalStream(job.goalId));
    if (state.status === 'none' || !state.contributions.has(job.contributionId)) return;
    try {
      const user = await requireUser(ports.users, state.userId);
      await deps.recordContribution(user, job.goalId, job.contributionId, {
        correlationId: job.correlationId,
        causationId: job.causedBy,
        actor: 'system:goal',
      });
    } catch (error) {
      // An erased user's contributions have nowhere to go.
      if (error instanceof DomainError && ['user-not-found', 'user-erased'].includes(error.code)) return;
      throw error;
    }
  };

  return {
    createGoal,
    updateGoal,
    contribute,
    withdrawFromGoal: withdraw,
    listGoals: async (userId: string): Promise<GoalView[]> => (await goalStates(userId)).map(goalView),
    goalStates,
    getGoal: async (userId: string, goalId: string) => goalView(await loadOwn(userId, goalId)),
    completeGoalContribution: completeContribution,
    ...goalPlanning(ports),
  };
}

export type GoalsUseCases = ReturnType<typeof createGoalsUseCases>;
