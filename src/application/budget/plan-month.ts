import { budgetMonthStream } from '../../domain/budget-month/budget-month.js';
import type { CategoryKind, PlannedCategory } from '../../domain/budget-month/events.js';
import type { PlannedMonth } from '../../domain/budget-month/state.js';
import { parseCategory } from '../../domain/shared/category.js';
import { parseYearMonth } from '../../domain/shared/local-date.js';
import { parseMoney } from '../../domain/shared/money.js';
import type { CommandContext, HandleOptions } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import type { GlobalPosition } from '../ports/event-store.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';

export interface PlanMonthInput {
  readonly userId: string;
  readonly month: string;
  readonly categories: readonly { category: string; amount: string; kind?: CategoryKind; dueDay?: number }[];
  readonly splitAlgorithm?: string;
}

export interface PlanMonthResult {
  readonly plan: PlannedMonth;
  readonly version: bigint;
  readonly changed: boolean;
  readonly position?: GlobalPosition;
}

export const planMonth =
  (deps: { users: UserHandler; budgets: BudgetMonthHandler; clock: Clock }) =>
  async (
    input: PlanMonthInput,
    context: CommandContext,
    options?: HandleOptions,
  ): Promise<PlanMonthResult> => {
    const user = await requireUser(deps.users, input.userId);
    const month = parseYearMonth(input.month);
    const categories: PlannedCategory[] = input.categories.map((c) => ({
      category: parseCategory(c.category),
      amount: parseMoney(c.amount, user.currency).amount,
      kind: c.kind ?? 'flexible',
      ...(c.dueDay === undefined ? {} : { dueDay: c.dueDay }),
    }));
    const handled = await deps.budgets.handle(
      budgetMonthStream(user.userId, month),
      {
        type: 'PlanMonth',
        data: {
          userId: user.userId,
          month,
          currency: user.currency,
          income: user.income,
          categories,
          ...(input.splitAlgorithm ? { splitAlgorithm: input.splitAlgorithm } : {}),
          now: deps.clock.now().toISOString(),
        },
      },
      { ...context, actor: user.userId },
      options,
    );
    return {
      plan: handled.state as PlannedMonth,
      version: handled.version,
      changed: handled.events.length > 0,
      ...(handled.position ? { position: handled.position } : {}),
    };
  };
