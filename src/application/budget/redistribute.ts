import { cellAmount, parseCellKey } from '../../domain/budget-month/cells.js';
import type { BudgetMonthEvent } from '../../domain/budget-month/events.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { parseCategory } from '../../domain/shared/category.js';
import { dateInMonth, parseLocalDate, parseYearMonth } from '../../domain/shared/local-date.js';
import type { CommandContext } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';
import { rebalance } from './rebalance.js';

export type RedistributeInput =
  | { readonly userId: string; readonly date: string; readonly category: string; readonly algorithm?: string }
  | { readonly userId: string; readonly month: string; readonly algorithm?: string };

/**
 * The manual trigger: rebalances one overspent cell, or every cell of a month that still has an
 * uncovered overspend, in day order. The automatic reaction does the same; both are idempotent.
 */
export const redistribute =
  (deps: { users: UserHandler; budgets: BudgetMonthHandler; clock: Clock }) =>
  async (input: RedistributeInput, context: CommandContext): Promise<BudgetMonthEvent[]> => {
    const user = await requireUser(deps.users, input.userId);
    const run = rebalance(deps);
    const ctx = { ...context, actor: user.userId };
    const causedBy = context.causationId ?? context.correlationId;
    const algorithm = input.algorithm ? { algorithm: input.algorithm } : {};
    if ('date' in input) {
      const day = parseLocalDate(input.date);
      return [
        ...(await run(
          { userId: user.userId, day, category: parseCategory(input.category), causedBy, ...algorithm },
          ctx,
        )),
      ];
    }
    const month = parseYearMonth(input.month);
    const { state } = await deps.budgets.load(budgetMonthStream(user.userId, month));
    if (state.status !== 'planned') return [];
    const uncovered = [...state.spent.keys()]
      .map(parseCellKey)
      .filter(
        ({ day, category }) =>
          cellAmount(state.spent, day, category) -
            cellAmount(state.allocated, day, category) -
            cellAmount(state.overdrawn, day, category) >
          0n,
      )
      .sort((a, b) => a.day - b.day || (a.category < b.category ? -1 : 1));
    const events: BudgetMonthEvent[] = [];
    for (const { day, category } of uncovered) {
      events.push(
        ...(await run(
          { userId: user.userId, day: dateInMonth(month, day), category, causedBy, ...algorithm },
          ctx,
        )),
      );
    }
    return events;
  };
