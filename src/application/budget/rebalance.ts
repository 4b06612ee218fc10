import type { BudgetMonthEvent } from '../../domain/budget-month/events.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import type { Category } from '../../domain/shared/category.js';
import { type LocalDate, monthOf } from '../../domain/shared/local-date.js';
import type { CommandContext } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import type { BudgetMonthHandler } from './budget-handler.js';

export interface RebalanceInput {
  readonly userId: string;
  readonly day: LocalDate;
  readonly category: Category;
  /** The overspend event (or request) this rebalance answers. */
  readonly causedBy: string;
  readonly algorithm?: string;
}

/** Covers what is still uncovered in one overspent cell; a repeat finds nothing to do. */
export const rebalance =
  (deps: { budgets: BudgetMonthHandler; clock: Clock }) =>
  async (input: RebalanceInput, context: CommandContext): Promise<readonly BudgetMonthEvent[]> => {
    const { events } = await deps.budgets.handle(
      budgetMonthStream(input.userId, monthOf(input.day)),
      {
        type: 'Rebalance',
        data: {
          day: input.day,
          category: input.category,
          causedBy: input.causedBy,
          ...(input.algorithm ? { algorithm: input.algorithm } : {}),
          now: deps.clock.now().toISOString(),
        },
      },
      context,
    );
    return events;
  };
