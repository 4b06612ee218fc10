import type {
  BudgetMonthEvent,
  CategoryKind,
  CellMove,
  PlannedCategory,
} from '../../domain/budget-month/events.js';
import type { BudgetMonthState, PlannedMonth } from '../../domain/budget-month/state.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { type Category, parseCategory } from '../../domain/shared/category.js';
import {
  type LocalDate,
  localDateAt,
  parseLocalDate,
  parseYearMonth,
} from '../../domain/shared/local-date.js';
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
  /** A month with history changes from this day on; default the user's today (see PlanMonth). */
  readonly effectiveFrom?: string;
}

/** What a re-plan changed for one category: its new amount and what that added to (or took from) days. */
export interface CategoryChange {
  readonly category: Category;
  readonly amount: bigint;
  readonly change: bigint;
}

export interface PlanMonthResult {
  readonly plan: PlannedMonth;
  readonly version: bigint;
  readonly changed: boolean;
  /** The month had no plan before this one. */
  readonly created: boolean;
  /** Set for a mid-month re-plan. */
  readonly replanned?: { readonly effectiveFrom: LocalDate; readonly changes: readonly CategoryChange[] };
  /** Cells the new plan left (or found) overspent; the redistribution covers them as usual. */
  readonly overspends: readonly { day: LocalDate; category: Category; overBy: bigint }[];
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
    const now = deps.clock.now();
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
          ...(input.effectiveFrom === undefined
            ? {}
            : { effectiveFrom: parseLocalDate(input.effectiveFrom) }),
          today: localDateAt(now, user.profile.timezone),
          reason: 'manual',
          now: now.toISOString(),
        },
      },
      { ...context, actor: user.userId },
      options,
    );
    const replanned = handled.events.find((e) => e.type === 'BudgetReplanned');
    return {
      plan: handled.state as PlannedMonth,
      version: handled.version,
      changed: handled.events.length > 0,
      created: firstPlan(handled),
      ...(replanned?.type === 'BudgetReplanned'
        ? {
            replanned: {
              effectiveFrom: replanned.data.effectiveFrom,
              changes: categoryChanges(replanned.data.categories, replanned.data.moves),
            },
          }
        : {}),
      overspends: handled.events.flatMap((e) =>
        e.type === 'OverspendDetected'
          ? [{ day: e.data.day, category: e.data.category, overBy: e.data.overBy }]
          : [],
      ),
      ...(handled.position ? { position: handled.position } : {}),
    };
  };

/**
 * Whether this handling gave the month its first plan: a BudgetPlanned on a new stream, or after
 * expenses (which lock the month). One on an unlocked planned month replaced that plan.
 */
const firstPlan = (handled: {
  state: BudgetMonthState;
  events: readonly BudgetMonthEvent[];
  version: bigint;
}) =>
  handled.events.some((e) => e.type === 'BudgetPlanned') &&
  ((handled.state.status === 'planned' && handled.state.locked) ||
    handled.version + 1n === BigInt(handled.events.length));

function categoryChanges(
  categories: readonly PlannedCategory[],
  moves: readonly CellMove[],
): CategoryChange[] {
  const change = new Map<Category, bigint>();
  for (const move of moves) change.set(move.category, (change.get(move.category) ?? 0n) + move.amount);
  return categories
    .filter((c) => change.has(c.category))
    .map((c) => ({ category: c.category, amount: c.amount, change: change.get(c.category) ?? 0n }));
}
