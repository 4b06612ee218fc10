import { type LocalDate, localDateAt } from '../../domain/shared/local-date.js';
import type { CommandContext } from '../command-handler.js';
import { requireUser } from '../users/require-user.js';
import { type RecordExpenseDeps, type RecordExpenseResult, recordExpense } from './record-expense.js';

export interface TrackExpenseInput {
  readonly userId: string;
  readonly amount: string;
  /** Omitted: the categorizer decides from the merchant and note (`other` when nothing is known). */
  readonly category?: string;
  readonly merchant?: string;
  readonly note?: string;
  readonly idempotencyKey?: string;
}

export interface TrackExpenseResult extends RecordExpenseResult {
  readonly date: LocalDate;
}

/** Quick entry: an expense dated today in the user's time zone, categorized like any other. */
export const trackExpense = (deps: RecordExpenseDeps) => {
  const record = recordExpense(deps);
  return async (input: TrackExpenseInput, context: CommandContext): Promise<TrackExpenseResult> => {
    const user = await requireUser(deps.users, input.userId);
    const date = localDateAt(deps.clock.now(), user.profile.timezone);
    const result = await record(
      {
        userId: user.userId,
        amount: input.amount,
        ...(input.category === undefined ? {} : { category: input.category }),
        date,
        ...(input.merchant ? { merchant: input.merchant } : {}),
        ...(input.note ? { note: input.note } : {}),
        ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
      },
      context,
    );
    return { ...result, date };
  };
};
