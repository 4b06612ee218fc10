import type { RecordExpense } from '../../domain/budget-month/commands.js';
import type { GoalState } from '../../domain/goal/goal.js';
import type { GoalCommand } from '../../domain/goal/goal-commands.js';
import type { GoalContributed, GoalEvent } from '../../domain/goal/goal-events.js';
import { goalStream } from '../../domain/goal/goal-stream.js';
import { fail } from '../../domain/shared/domain-error.js';
import { formatMoney, money } from '../../domain/shared/money.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import type { BudgetMonthHandler } from '../budget/budget-handler.js';
import { type RecordExpenseDeps, recordExpense } from '../budget/record-expense.js';
import type { CommandContext, CommandHandler } from '../command-handler.js';
import type { EventStore } from '../ports/event-store.port.js';
import type { WritePositions } from '../ports/write-positions.port.js';
import type { UserHandler } from '../users/require-user.js';

export interface GoalDeps extends RecordExpenseDeps {
  readonly store: EventStore;
  readonly writes: WritePositions;
  readonly users: UserHandler;
  readonly budgets: BudgetMonthHandler;
}

type GoalHandler = CommandHandler<GoalCommand, GoalEvent, GoalState>;

/** Stable, so the request and the job (and their retries) describe the same expense. */
const noteOf = (goalId: string) => `Savings goal ${goalId}`;

/** The expense a contribution is in its month (what the month is asked before the goal records it). */
export const contributionExpense = (
  user: RegisteredUser,
  goalId: string,
  contribution: Omit<GoalContributed['data'], 'contributedAt'>,
  now: string,
): RecordExpense => ({
  type: 'RecordExpense',
  data: {
    transactionId: contribution.transactionId,
    day: contribution.day,
    category: contribution.category,
    amount: contribution.amount,
    currency: user.currency,
    note: noteOf(goalId),
    source: 'goal',
    now,
  },
});

/**
 * Records a contribution's expense in its month through the ordinary expense path (claimed, audited,
 * planned automatically when the month has no plan), caused by the GoalContributed event. Idempotent: the
 * expense id is derived from the contribution, so the request and the job may both run it.
 */
export function goalWriteDeps(ports: GoalDeps, goals: GoalHandler) {
  const record = recordExpense(ports);
  const recordContribution = async (
    user: RegisteredUser,
    goalId: string,
    contributionId: string,
    context: CommandContext,
  ) => {
    const stream = goalStream(goalId);
    const { state } = await goals.load(stream);
    const contribution = state.status === 'none' ? undefined : state.contributions.get(contributionId);
    if (!contribution) return fail('goal-not-found', 'No such contribution');
    const events = await ports.store.readStream(stream);
    const cause = events.find(
      (e) => e.type === 'GoalContributed' && e.data.contributionId === contributionId,
    );
    return record(
      {
        userId: user.userId,
        transactionId: contribution.transactionId,
        amount: formatMoney(money(contribution.amount, user.currency)),
        category: contribution.category,
        date: contribution.day,
        note: noteOf(goalId),
        source: 'goal',
      },
      { ...context, ...(cause ? { causationId: cause.id } : {}) },
    );
  };
  return { recordContribution };
}
