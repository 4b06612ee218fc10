import type { BudgetMonthEvent } from '../../domain/budget-month/events.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { type LocalDate, monthOf } from '../../domain/shared/local-date.js';
import type { CommandContext } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';

/** Closes a past day with the user's rollover policy. Closing an unplanned month's day does nothing. */
export const closeDay =
  (deps: { users: UserHandler; budgets: BudgetMonthHandler; clock: Clock }) =>
  async (
    input: { userId: string; day: LocalDate },
    context: CommandContext,
  ): Promise<readonly BudgetMonthEvent[]> => {
    const user = await requireUser(deps.users, input.userId);
    const stream = budgetMonthStream(user.userId, monthOf(input.day));
    const { state } = await deps.budgets.load(stream);
    if (state.status !== 'planned') return [];
    const { events } = await deps.budgets.handle(
      stream,
      {
        type: 'CloseDay',
        data: {
          day: input.day,
          policy: user.profile.rolloverPolicy ?? 'forward',
          now: deps.clock.now().toISOString(),
        },
      },
      context,
    );
    return events;
  };
