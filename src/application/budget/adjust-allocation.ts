import type { AllocationAdjusted } from '../../domain/budget-month/events.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { parseCategory } from '../../domain/shared/category.js';
import { fail } from '../../domain/shared/domain-error.js';
import { monthOf, parseLocalDate } from '../../domain/shared/local-date.js';
import { parseMoney } from '../../domain/shared/money.js';
import type { CommandContext } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import type { GlobalPosition } from '../ports/event-store.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';

export interface AdjustAllocationInput {
  readonly userId: string;
  readonly from: { date: string; category: string };
  readonly to: { date: string; category: string };
  readonly amount: string;
  readonly reason?: string;
}

/** A manual move of budget between two (day, category) cells of one month. */
export const adjustAllocation =
  (deps: { users: UserHandler; budgets: BudgetMonthHandler; clock: Clock }) =>
  async (
    input: AdjustAllocationInput,
    context: CommandContext,
  ): Promise<{ event: AllocationAdjusted; position?: GlobalPosition }> => {
    const user = await requireUser(deps.users, input.userId);
    const from = { day: parseLocalDate(input.from.date), category: parseCategory(input.from.category) };
    const to = { day: parseLocalDate(input.to.date), category: parseCategory(input.to.category) };
    if (monthOf(from.day) !== monthOf(to.day)) {
      fail('invalid-adjustment', 'An adjustment moves budget within one month');
    }
    const handled = await deps.budgets.handle(
      budgetMonthStream(user.userId, monthOf(from.day)),
      {
        type: 'AdjustAllocation',
        data: {
          from,
          to,
          amount: parseMoney(input.amount, user.currency).amount,
          ...(input.reason ? { reason: input.reason } : {}),
          now: deps.clock.now().toISOString(),
        },
      },
      { ...context, actor: user.userId },
    );
    const event = handled.events[0] as AllocationAdjusted;
    return { event, ...(handled.position ? { position: handled.position } : {}) };
  };
