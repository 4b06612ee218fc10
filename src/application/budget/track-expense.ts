import { budgetMonthStream } from '../../domain/budget-month/budget-month.js';
import { fail } from '../../domain/shared/domain-error.js';
import { type LocalDate, localDateAt, monthOf } from '../../domain/shared/local-date.js';
import type { CommandContext } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';
import { type RecordExpenseResult, recordExpense } from './record-expense.js';

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
 * Quick entry: an expense dated today in the user's time zone. Without a category it goes to the first
 * flexible category of the month's plan (plans keep their categories in name order); a month without
 * a plan, or without a flexible category, has no default and the entry is refused (422 invalid-expense).
 */
export const trackExpense = (deps: {
  users: UserHandler;
  budgets: BudgetMonthHandler;
  clock: Clock;
  ids: IdGenerator;
}) => {
  const record = recordExpense(deps);
  return async (input: TrackExpenseInput, context: CommandContext): Promise<TrackExpenseResult> => {
    const user = await requireUser(deps.users, input.userId);
    const date = localDateAt(deps.clock.now(), user.profile.timezone);
    const month = monthOf(date);
    let category = input.category;
    if (category === undefined) {
      const { state } = await deps.budgets.load(budgetMonthStream(user.userId, month));
      if (state.status !== 'planned') {
        return fail('invalid-expense', `No category given, and ${month} has no plan to take a default from`);
      }
      const flexible = state.plan.find((p) => p.kind === 'flexible');
      if (!flexible) {
        return fail('invalid-expense', `No category given, and the ${month} plan has no flexible category`);
      }
      category = flexible.category;
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
