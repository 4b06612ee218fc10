import { quickEntryCategory } from '../../domain/budget-month/quick-entry.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { type LocalDate, localDateAt, monthOf } from '../../domain/shared/local-date.js';
import type { CommandContext } from '../command-handler.js';
import { requireUser } from '../users/require-user.js';
import { autoPlanMonth } from './auto-plan.js';
import { type RecordExpenseDeps, type RecordExpenseResult, recordExpense } from './record-expense.js';

export interface TrackExpenseInput {
  readonly userId: string;
  readonly amount: string;
  /** Omitted: the first flexible category of the month's plan. */
  readonly category?: string;
  readonly merchant?: string;
  readonly note?: string;
  readonly idempotencyKey?: string;
}

export interface TrackExpenseResult extends RecordExpenseResult {
  readonly date: LocalDate;
  readonly category: string;
}

/**
 * Quick entry: an expense dated today in the user's time zone. Without a category it goes where
 * `quickEntryCategory` says, after the month got its automatic plan if it had none.
 */
export const trackExpense = (deps: RecordExpenseDeps) => {
  const record = recordExpense(deps);
  const autoPlan = autoPlanMonth(deps);
  return async (input: TrackExpenseInput, context: CommandContext): Promise<TrackExpenseResult> => {
    const user = await requireUser(deps.users, input.userId);
    const date = localDateAt(deps.clock.now(), user.profile.timezone);
    const month = monthOf(date);
    let category = input.category;
    if (category === undefined) {
      const stream = budgetMonthStream(user.userId, month);
      let { state } = await deps.budgets.load(stream);
      if (state.status === 'unplanned') state = (await autoPlan(user, month, context))?.state ?? state;
      category = quickEntryCategory(state);
    }
    const result = await record(
      {
        userId: user.userId,
        amount: input.amount,
        category,
        date,
        ...(input.merchant ? { merchant: input.merchant } : {}),
        ...(input.note ? { note: input.note } : {}),
        ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
      },
      context,
    );
    return { ...result, date, category };
  };
};
