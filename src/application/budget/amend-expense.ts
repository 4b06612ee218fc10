import { budgetMonthDecider, budgetMonthStream } from '../../domain/budget-month/budget-month.js';
import type { RecordExpense } from '../../domain/budget-month/commands.js';
import type { ExpenseFields, ExpenseSource } from '../../domain/budget-month/events.js';
import type { PlannedMonth } from '../../domain/budget-month/state.js';
import { parseCategory } from '../../domain/shared/category.js';
import { fail } from '../../domain/shared/domain-error.js';
import { monthOf, parseLocalDate, type YearMonth } from '../../domain/shared/local-date.js';
import { type Money, money, parseMoney } from '../../domain/shared/money.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import type { CommandContext } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventStore, GlobalPosition } from '../ports/event-store.port.js';
import type { TransactionReadModel } from '../ports/transaction-read-model.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';
import { READ_YOUR_WRITES_TIMEOUT_MS } from './daily-budget.query.js';

export interface AmendExpenseDeps {
  readonly users: UserHandler;
  readonly budgets: BudgetMonthHandler;
  readonly transactions: TransactionReadModel;
  readonly store: EventStore;
  readonly clock: Clock;
}

/** What a client may change; absent keeps the field, `null` clears merchant or note. */
export interface ExpenseChanges {
  readonly amount?: string;
  readonly category?: string;
  readonly date?: string;
  readonly merchant?: string | null;
  readonly note?: string | null;
}

export interface AmendExpenseInput {
  readonly userId: string;
  readonly transactionId: string;
  readonly changes: ExpenseChanges;
  /** Read-your-writes: wait (bounded) until the transactions read model has this position. */
  readonly after?: GlobalPosition;
}

export interface AmendExpenseResult {
  readonly transactionId: string;
  /** The expense as it now is. */
  readonly fields: Omit<ExpenseFields, 'amount'> & { readonly amount: Money };
  readonly source: ExpenseSource;
  /** False when the changes changed nothing. */
  readonly changed: boolean;
  /** Set when the new date is in another month: voided there, recorded here. */
  readonly moved?: { readonly from: YearMonth; readonly to: YearMonth };
  readonly overspentBy?: Money;
  readonly position?: GlobalPosition;
}

/**
 * The month a transaction lives in, from the transactions read model (owner-scoped: another user's id
 * is not found), and that month's current state from the log.
 */
async function locate(
  deps: AmendExpenseDeps,
  user: RegisteredUser,
  transactionId: string,
  after: GlobalPosition | undefined,
) {
  if (after !== undefined) await deps.transactions.waitFor(after, READ_YOUR_WRITES_TIMEOUT_MS);
  const item = await deps.transactions.get(user.userId, transactionId);
  if (!item) return fail('transaction-not-found', 'No such transaction');
  const month = monthOf(item.day);
  const stream = budgetMonthStream(user.userId, month);
  const { state } = await deps.budgets.load(stream);
  const transaction = state.status === 'planned' ? state.transactions.get(transactionId) : undefined;
  if (!transaction) return fail('transaction-not-found', 'No such transaction');
  return { month, stream, transaction };
}

const parseChanges = (changes: ExpenseChanges, user: RegisteredUser) => ({
  ...(changes.amount === undefined ? {} : { amount: parseMoney(changes.amount, user.currency).amount }),
  ...(changes.category === undefined ? {} : { category: parseCategory(changes.category) }),
  ...(changes.date === undefined ? {} : { day: parseLocalDate(changes.date) }),
  // An empty string clears, like null.
  ...(changes.merchant === undefined ? {} : { merchant: changes.merchant || null }),
  ...(changes.note === undefined ? {} : { note: changes.note || null }),
});

const asResult = (fields: ExpenseFields, currency: RegisteredUser['currency']) => ({
  ...fields,
  amount: money(fields.amount, currency),
});

/**
 * PUT: amends an expense (a new ExpenseAmended fact). A new date in another month moves it: VoidExpense
 * in the old month, then RecordExpense with the same transaction id in the new one, caused by the void
 * (its event id is the record's causation id; both share the request's correlation id). The record is
 * decided on the new month first, without writing, so a move the new month would refuse voids nothing.
 */
export const amendExpense =
  (deps: AmendExpenseDeps) =>
  async (input: AmendExpenseInput, context: CommandContext): Promise<AmendExpenseResult> => {
    const user = await requireUser(deps.users, input.userId);
    const changes = parseChanges(input.changes, user);
    const { month, stream, transaction } = await locate(deps, user, input.transactionId, input.after);
    if (transaction.voided) {
      return fail('transaction-voided', `Transaction ${input.transactionId} was voided`);
    }
    const now = deps.clock.now().toISOString();
    const actorContext = { ...context, actor: user.userId };
    const targetMonth = changes.day === undefined ? month : monthOf(changes.day);

    if (targetMonth === month) {
      const handled = await deps.budgets.handle(
        stream,
        {
          type: 'AmendExpense',
          data: { transactionId: input.transactionId, currency: user.currency, ...changes, now },
        },
        actorContext,
      );
      const after = (handled.state as PlannedMonth).transactions.get(input.transactionId);
      if (!after) return fail('transaction-not-found', 'No such transaction');
      const overspend = handled.events.find((e) => e.type === 'OverspendDetected');
      return {
        transactionId: input.transactionId,
        fields: asResult(after.current, user.currency),
        source: after.source,
        changed: handled.events.length > 0,
        ...(overspend ? { overspentBy: money(overspend.data.overBy, user.currency) } : {}),
        ...(handled.position ? { position: handled.position } : {}),
      };
    }

    // A move to another month.
    const { current } = transaction;
    const next: ExpenseFields = {
      day: changes.day ?? current.day,
      category: changes.category ?? current.category,
      amount: changes.amount ?? current.amount,
      merchant: changes.merchant === null ? undefined : (changes.merchant ?? current.merchant),
      note: changes.note === null ? undefined : (changes.note ?? current.note),
    };
    const targetStream = budgetMonthStream(user.userId, targetMonth);
    const { state: target } = await deps.budgets.load(targetStream);
    if (target.status === 'planned' && target.transactions.has(input.transactionId)) {
      // The ledger keeps a transaction id once per month: one voided there cannot be recorded again.
      return fail(
        'transaction-id-conflict',
        `Transaction ${input.transactionId} was in ${targetMonth} before; record a new transaction instead`,
        { transactionId: input.transactionId, month: targetMonth },
      );
    }
    const record: RecordExpense = {
      type: 'RecordExpense',
      data: {
        transactionId: input.transactionId,
        day: next.day,
        category: next.category,
        amount: next.amount,
        currency: user.currency,
        ...(next.merchant === undefined ? {} : { merchant: next.merchant }),
        ...(next.note === undefined ? {} : { note: next.note }),
        source: transaction.source,
        now,
      },
    };
    // Throws what the new month would refuse (no plan, unknown category, …) before anything is voided.
    budgetMonthDecider.decide(record, target);

    const voided = await deps.budgets.handle(
      stream,
      {
        type: 'VoidExpense',
        data: { transactionId: input.transactionId, reason: `moved to ${targetMonth}`, now },
      },
      actorContext,
    );
    if (voided.events.length === 0) {
      return fail('transaction-voided', `Transaction ${input.transactionId} was voided`);
    }
    const [voidEvent] = await deps.store.readStream(stream, { fromRevision: voided.version, maxCount: 1 });
    const recorded = await deps.budgets.handle(targetStream, record, {
      correlationId: context.correlationId,
      causationId: voidEvent?.id ?? context.causationId ?? context.correlationId,
      actor: user.userId,
    });
    const overspend = recorded.events.find((e) => e.type === 'OverspendDetected');
    const position = recorded.position ?? voided.position;
    return {
      transactionId: input.transactionId,
      fields: asResult(next, user.currency),
      source: transaction.source,
      changed: true,
      moved: { from: month, to: targetMonth },
      ...(overspend ? { overspentBy: money(overspend.data.overBy, user.currency) } : {}),
      ...(position ? { position } : {}),
    };
  };

export interface VoidExpenseInput {
  readonly userId: string;
  readonly transactionId: string;
  readonly reason?: string;
  readonly after?: GlobalPosition;
}

/** DELETE: voids an expense (a new ExpenseVoided fact; nothing is deleted). Voiding twice changes nothing. */
export const voidExpense =
  (deps: AmendExpenseDeps) =>
  async (
    input: VoidExpenseInput,
    context: CommandContext,
  ): Promise<{ transactionId: string; changed: boolean; position?: GlobalPosition }> => {
    const user = await requireUser(deps.users, input.userId);
    const { stream } = await locate(deps, user, input.transactionId, input.after);
    const handled = await deps.budgets.handle(
      stream,
      {
        type: 'VoidExpense',
        data: {
          transactionId: input.transactionId,
          ...(input.reason === undefined ? {} : { reason: input.reason }),
          now: deps.clock.now().toISOString(),
        },
      },
      { ...context, actor: user.userId },
    );
    return {
      transactionId: input.transactionId,
      changed: handled.events.length > 0,
      ...(handled.position ? { position: handled.position } : {}),
    };
  };
