import { budgetMonthDecider } from '../../domain/budget-month/budget-month.js';
import { recordExpenseCommand } from '../../domain/budget-month/commands.js';
import type { BudgetMonthEvent, CategorizedBy, ExpenseSource } from '../../domain/budget-month/events.js';
import { FALLBACK_CATEGORY } from '../../domain/budget-month/quick-entry.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { type Category, parseCategory } from '../../domain/shared/category.js';
import {
  type DecidedItem,
  decideInTurn,
  type TurnMode,
  TurnRejected,
} from '../../domain/shared/decide-in-turn.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { type LocalDate, monthOf, parseLocalDate, type YearMonth } from '../../domain/shared/local-date.js';
import { type Money, money, parseMoney } from '../../domain/shared/money.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import { categorizeExpenses } from '../categorization/categorize-expenses.js';
import type { CommandContext } from '../command-handler.js';
import { derivedUuid } from '../derived-id.js';
import type { Categorizer } from '../ports/categorizer.port.js';
import type { Clock } from '../ports/clock.port.js';
import {
  comparePositions,
  type GlobalPosition,
  WrongExpectedVersionError,
} from '../ports/event-store.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import type { TransactionMonths } from '../ports/transaction-months.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import { type AutoPlanDeps, autoPlanMonth } from './auto-plan.js';
import type { BudgetMonthHandler } from './budget-handler.js';
import { claimIds } from './transaction-identity.js';

export interface ExpenseInput {
  /** Client-chosen id; otherwise derived (from the Idempotency-Key) or random. */
  readonly transactionId?: string;
  readonly amount: string;
  /** Omitted: the categorizer decides. */
  readonly category?: string;
  /** YYYY-MM-DD; must be a calendar date (the month is read from it before anything else). */
  readonly date: string;
  readonly merchant?: string;
  readonly note?: string;
}

export interface RecordExpensesInput {
  readonly userId: string;
  /** 1 to MAX_BULK_EXPENSES. */
  readonly expenses: readonly ExpenseInput[];
  readonly source?: ExpenseSource;
  /** Ids of expenses without a client id are derived from it and their index: a retry lands on them. */
  readonly idempotencyKey?: string;
}

export const MAX_BULK_EXPENSES = 500;

/** One expense of a month, parsed and ready to decide; `index` is its place in the request. */
export interface PreparedExpense {
  readonly index: number;
  readonly transactionId: string;
  readonly day: LocalDate;
  readonly category: Category;
  /** Set when the categorizer chose the category. */
  readonly categorizedBy?: CategorizedBy;
  readonly amount: Money;
  readonly merchant?: string;
  readonly note?: string;
}

export interface ExpenseOutcome extends PreparedExpense {
  /** False when the same transaction was already recorded: nothing changed. */
  readonly created: boolean;
  readonly overspentBy?: Money;
  /** Only in `skip-rejected` mode: why this one expense was not recorded. */
  readonly error?: DomainError;
}

export interface MonthOutcome {
  readonly month: YearMonth;
  readonly status: 'recorded' | 'rejected';
  /** Why the month was rejected: a DomainError, or a WrongExpectedVersionError after every retry. */
  readonly error?: DomainError | WrongExpectedVersionError;
  /** The request index of the expense that made the month fail, when one did. */
  readonly rejectedIndex?: number;
  /** The request indexes of every expense of this month, in request order. */
  readonly indexes: readonly number[];
  /** Recorded months: each expense's outcome. Rejected months: the expenses that could be read. */
  readonly transactions: readonly ExpenseOutcome[];
  /** Where the month's append landed in $all; absent when nothing was written. */
  readonly position?: GlobalPosition;
}

export interface RecordExpensesResult {
  readonly months: readonly MonthOutcome[];
  /** The latest position written: read-your-writes for every month at once. */
  readonly position?: GlobalPosition;
}

export interface RecordExpensesDeps extends Pick<AutoPlanDeps, 'commitmentsOf'> {
  readonly users: UserHandler;
  readonly budgets: BudgetMonthHandler;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly transactionMonths: TransactionMonths;
  /** Decides the category of expenses sent without one (default: the built-in keywords). */
  readonly categorizer?: Categorizer;
}

export const latestPosition = (
  positions: readonly (GlobalPosition | undefined)[],
): GlobalPosition | undefined =>
  positions.reduce<GlobalPosition | undefined>(
    (latest, p) =>
      p === undefined ? latest : latest === undefined || comparePositions(p, latest) > 0 ? p : latest,
    undefined,
  );

/**
 * Decides a month's expenses in ONE command handling on the month's stream (one append).
 * `all-or-nothing`: any rejected expense rejects the month, nothing of it is written.
 * `skip-rejected`: rejected expenses are reported one by one and the rest is written.
 * Ids another month holds are rejected first; a month that had no plan then gets its automatic one.
 */
export async function recordMonth(
  deps: Pick<RecordExpensesDeps, 'budgets' | 'clock' | 'transactionMonths'>,
  user: RegisteredUser,
  month: YearMonth,
  expenses: readonly PreparedExpense[],
  options: { mode: TurnMode; source: ExpenseSource; idempotencyKey?: string },
  context: CommandContext,
): Promise<MonthOutcome> {
  const refused = await claimIds(
    deps,
    user.userId,
    month,
    expenses.map((e) => e.transactionId),
  );
  const firstRefused = expenses.find((e) => refused.has(e.transactionId));
  if (firstRefused && options.mode === 'all-or-nothing') {
    return {
      month,
      status: 'rejected',
      error: refused.get(firstRefused.transactionId) as DomainError,
      rejectedIndex: firstRefused.index,
      indexes: expenses.map((e) => e.index),
      transactions: expenses.map((e) => ({ ...e, created: false })),
    };
  }
  const outcome = await recordAccepted(
    deps,
    user,
    month,
    expenses.filter((e) => !refused.has(e.transactionId)),
    options,
    context,
  );
  if (refused.size === 0) return outcome;
  const recorded = new Map(outcome.transactions.map((t) => [t.index, t]));
  return {
    ...outcome,
    indexes: expenses.map((e) => e.index),
    transactions: expenses.map(
      (e) =>
        recorded.get(e.index) ?? { ...e, created: false, error: refused.get(e.transactionId) as DomainError },
    ),
  };
}

async function recordAccepted(
  deps: Pick<RecordExpensesDeps, 'budgets' | 'clock' | 'transactionMonths'>,
  user: RegisteredUser,
  month: YearMonth,
  expenses: readonly PreparedExpense[],
  options: { mode: TurnMode; source: ExpenseSource; idempotencyKey?: string },
  context: CommandContext,
): Promise<MonthOutcome> {
  const now = deps.clock.now().toISOString();
  const commands = expenses.map((e) =>
    recordExpenseCommand({
      transactionId: e.transactionId,
      fields: {
        day: e.day,
        category: e.category,
        amount: e.amount.amount,
        merchant: e.merchant || undefined,
        note: e.note || undefined,
      },
      currency: user.currency,
      source: options.source,
      categorizedBy: e.categorizedBy,
      idempotencyKey: options.idempotencyKey,
      now,
    }),
  );
  let decided: readonly DecidedItem<BudgetMonthEvent>[] = [];
  try {
    const handled = await deps.budgets.handle(
      budgetMonthStream(user.userId, month),
      (state) => {
        // Decided again after a concurrent write: the last decision is the one appended.
        const decision = decideInTurn(budgetMonthDecider, commands, state, options.mode);
        decided = decision.items;
        return decision.events;
      },
      { ...context, actor: user.userId },
    );
    const planned =
      handled.state.status === 'unplanned' ? await autoPlanMonth(deps)(user, month, context) : undefined;
    const transactions = expenses.map((expense, i): ExpenseOutcome => {
      const item = decided[i];
      const overspend = [...(item?.events ?? []), ...(planned?.events ?? [])].find(
        (e) => e.type === 'OverspendDetected' && e.data.causedBy === expense.transactionId,
      );
      return {
        ...expense,
        created: item?.events.some((e) => e.type === 'ExpenseRecorded') ?? false,
        ...(overspend?.type === 'OverspendDetected'
          ? { overspentBy: money(overspend.data.overBy, user.currency) }
          : {}),
        ...(item?.error ? { error: item.error } : {}),
      };
    });
    const position = planned?.position ?? handled.position;
    return {
      month,
      status: 'recorded',
      indexes: expenses.map((e) => e.index),
      transactions,
      ...(position ? { position } : {}),
    };
  } catch (error) {
    const rejected = (
      cause: DomainError | WrongExpectedVersionError,
      rejectedIndex?: number,
    ): MonthOutcome => ({
      month,
      status: 'rejected',
      error: cause,
      ...(rejectedIndex === undefined ? {} : { rejectedIndex }),
      indexes: expenses.map((e) => e.index),
      transactions: expenses.map((e) => ({ ...e, created: false })),
    });
    if (error instanceof TurnRejected) return rejected(error.cause, expenses[error.index]?.index);
    if (error instanceof DomainError || error instanceof WrongExpectedVersionError) return rejected(error);
    throw error;
  }
}

/** A prepared expense whose category may still be the categorizer's to decide. */
export type Uncategorized = Omit<PreparedExpense, 'category'> & { readonly category?: Category };

/** The expenses with a category each (see categorizeExpenses). */
export const categorized = async (
  deps: Pick<RecordExpensesDeps, 'budgets' | 'categorizer'>,
  user: RegisteredUser,
  expenses: readonly Uncategorized[],
): Promise<PreparedExpense[]> =>
  (
    await categorizeExpenses(
      deps,
      user,
      expenses.map((e) => ({ ...e, amount: e.amount.amount, money: e.amount })),
    )
  ).map(({ money: amount, ...e }) => ({ ...e, amount }));

/**
 * Many expenses in one request, all-or-nothing per month: each month's expenses are decided together
 * on that month's stream and appended at once; a month with any rejected expense records none of
 * them, while the other months still land.
 */
export const recordExpenses =
  (deps: RecordExpensesDeps) =>
  async (input: RecordExpensesInput, context: CommandContext): Promise<RecordExpensesResult> => {
    const user = await requireUser(deps.users, input.userId);
    const byMonth = new Map<
      YearMonth,
      { indexes: number[]; prepared: Uncategorized[]; failure?: [number, DomainError] }
    >();
    input.expenses.forEach((expense, index) => {
      const day = parseLocalDate(expense.date);
      const month = monthOf(day);
      const group = byMonth.get(month) ?? { indexes: [], prepared: [] };
      byMonth.set(month, group);
      group.indexes.push(index);
      const transactionId =
        expense.transactionId ??
        (input.idempotencyKey === undefined
          ? deps.ids.uuid()
          : derivedUuid('bulk', user.userId, input.idempotencyKey, String(index)));
      try {
        group.prepared.push({
          index,
          transactionId,
          day,
          ...(expense.category === undefined ? {} : { category: parseCategory(expense.category) }),
          amount: parseMoney(expense.amount, user.currency),
          ...(expense.merchant ? { merchant: expense.merchant } : {}),
          ...(expense.note ? { note: expense.note } : {}),
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        group.failure ??= [index, error];
      }
    });
    const source = input.source ?? 'manual';
    const months = await Promise.all(
      [...byMonth.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(async ([month, { indexes, prepared, failure }]): Promise<MonthOutcome> => {
          if (failure) {
            return {
              month,
              status: 'rejected',
              error: failure[1],
              rejectedIndex: failure[0],
              indexes,
              transactions: prepared.map((e) => ({
                ...e,
                category: e.category ?? FALLBACK_CATEGORY,
                created: false,
              })),
            };
          }
          return recordMonth(
            deps,
            user,
            month,
            await categorized(deps, user, prepared),
            {
              mode: 'all-or-nothing',
              source,
              ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
            },
            context,
          );
        }),
    );
    const position = latestPosition(months.map((m) => m.position));
    return { months, ...(position ? { position } : {}) };
  };
