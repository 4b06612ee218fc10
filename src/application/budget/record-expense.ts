import { recordExpenseCommand } from '../../domain/budget-month/commands.js';
import type { CategorizedBy, ExpenseSource } from '../../domain/budget-month/events.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { type Category, parseCategory } from '../../domain/shared/category.js';
import { monthOf, parseLocalDate } from '../../domain/shared/local-date.js';
import { type Money, parseMoney } from '../../domain/shared/money.js';
import { type CategorizingDeps, categorizeExpenses } from '../categorization/categorize-expenses.js';
import type { CommandContext } from '../command-handler.js';
import { derivedUuid } from '../derived-id.js';
import type { Clock } from '../ports/clock.port.js';
import type { GlobalPosition } from '../ports/event-store.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import { type AutoPlanDeps, autoPlanMonth } from './auto-plan.js';
import type { BudgetMonthHandler } from './budget-handler.js';
import { claimIds, type IdentityDeps } from './transaction-identity.js';

export interface RecordExpenseInput {
  readonly userId: string;
  /** Client-chosen id (offline clients create ids before they sync); the idempotency key of the fact. */
  readonly transactionId?: string;
  readonly amount: string;
  /** Omitted: the categorizer decides (and the event records which tier did). */
  readonly category?: string;
  readonly date: string;
  readonly merchant?: string;
  readonly note?: string;
  readonly source?: ExpenseSource;
  /**
   * The request's Idempotency-Key, recorded with the fact. Without a client id, the transaction id is
   * derived from it, so a retry that runs again (after a crash released the key) records nothing new.
   */
  readonly idempotencyKey?: string;
}

export interface RecordExpenseResult {
  readonly transactionId: string;
  readonly amount: Money;
  readonly category: Category;
  /** Set when the categorizer chose the category. */
  readonly categorizedBy?: CategorizedBy;
  /** False when the same transaction had already been recorded: nothing changed. */
  readonly created: boolean;
  /** The part of the day's category allocation this expense newly exceeded, if any. */
  readonly overspentBy?: Money;
  readonly version: bigint;
  readonly position?: GlobalPosition;
}

export interface RecordExpenseDeps
  extends IdentityDeps,
    Partial<Pick<CategorizingDeps, 'categorizer'>>,
    Pick<AutoPlanDeps, 'commitmentsOf'> {
  readonly users: UserHandler;
  readonly budgets: BudgetMonthHandler;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export const recordExpense =
  (deps: RecordExpenseDeps) =>
  async (input: RecordExpenseInput, context: CommandContext): Promise<RecordExpenseResult> => {
    const user = await requireUser(deps.users, input.userId);
    const day = parseLocalDate(input.date);
    const month = monthOf(day);
    const amount = parseMoney(input.amount, user.currency);
    const transactionId =
      input.transactionId ??
      (input.idempotencyKey === undefined
        ? deps.ids.uuid()
        : derivedUuid('expense', user.userId, input.idempotencyKey));
    const [decided] = await categorizeExpenses(deps, user, [
      {
        transactionId,
        day,
        amount: amount.amount,
        ...(input.category === undefined ? {} : { category: parseCategory(input.category) }),
        ...(input.merchant ? { merchant: input.merchant } : {}),
        ...(input.note ? { note: input.note } : {}),
      },
    ]);
    const { category, categorizedBy } = decided as { category: Category; categorizedBy?: CategorizedBy };
    const refused = (await claimIds(deps, user.userId, month, [transactionId])).get(transactionId);
    if (refused) throw refused;
    const handled = await deps.budgets.handle(
      budgetMonthStream(user.userId, month),
      recordExpenseCommand({
        transactionId,
        fields: {
          day,
          category,
          amount: amount.amount,
          merchant: input.merchant || undefined,
          note: input.note || undefined,
        },
        currency: user.currency,
        source: input.source ?? 'manual',
        categorizedBy,
        idempotencyKey: input.idempotencyKey,
        now: deps.clock.now().toISOString(),
      }),
      { ...context, actor: user.userId },
    );
    // Spent before any plan: the month gets the one the user's preference chooses, and the expense
    // counts against it (its overspend, if any, is detected by the plan's decision).
    const planned =
      handled.state.status === 'unplanned' ? await autoPlanMonth(deps)(user, month, context) : undefined;
    const overspend = [...handled.events, ...(planned?.events ?? [])].find(
      (e) => e.type === 'OverspendDetected' && e.data.causedBy === transactionId,
    );
    const position = planned?.position ?? handled.position;
    return {
      transactionId,
      amount,
      category,
      ...(categorizedBy ? { categorizedBy } : {}),
      created: handled.events.length > 0,
      ...(overspend?.type === 'OverspendDetected'
        ? { overspentBy: { amount: overspend.data.overBy, currency: user.currency } }
        : {}),
      version: planned?.version ?? handled.version,
      ...(position ? { position } : {}),
    };
  };
