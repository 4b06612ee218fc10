import { budgetMonthDecider } from '../../domain/budget-month/budget-month.js';
import type { RecordExpense } from '../../domain/budget-month/commands.js';
import { recordExpenseCommand } from '../../domain/budget-month/commands.js';
import type { ExpenseFields, ExpenseSource } from '../../domain/budget-month/events.js';
import { mergeExpense } from '../../domain/budget-month/expenses.js';
import type { TransactionState } from '../../domain/budget-month/state.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { parseCategory } from '../../domain/shared/category.js';
import { fail } from '../../domain/shared/domain-error.js';
import { monthOf, parseLocalDate, parseYearMonth, type YearMonth } from '../../domain/shared/local-date.js';
import { type Money, money, parseMoney } from '../../domain/shared/money.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import type { CommandContext } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventStore, GlobalPosition } from '../ports/event-store.port.js';
import type { TransactionMonths } from '../ports/transaction-months.port.js';
import type { TransactionReadModel } from '../ports/transaction-read-model.port.js';
import type { CompleteMoveJob } from '../reactions/complete-move.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import { type AutoPlanDeps, autoPlanMonth } from './auto-plan.js';
import type { BudgetMonthHandler } from './budget-handler.js';

export interface AmendExpenseDeps extends Pick<AutoPlanDeps, 'commitmentsOf'> {
  readonly users: UserHandler;
  readonly budgets: BudgetMonthHandler;
  readonly transactions: TransactionReadModel;
  readonly transactionMonths: TransactionMonths;
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

type Located =
  | { readonly month: YearMonth; readonly stream: string; readonly transaction: TransactionState }
  /** Voided to move to another month whose record has not landed yet (a crash between the two). */
  | { readonly pendingMove: PendingMove };

interface PendingMove {
  readonly from: YearMonth;
  readonly transactionId: string;
  readonly fields: ExpenseFields;
  readonly source: ExpenseSource;
}

/**
 * The month a transaction lives in: its claim, else (history from before claims) the transactions read
 * model (the caller waits for it to reflect the user's writes), owner-scoped (another user's id is not found). The month's stream is the truth: a claim whose
 * append never landed is passed over, and an expense voided to move on is followed to where it went.
 */
async function locate(deps: AmendExpenseDeps, user: RegisteredUser, transactionId: string): Promise<Located> {
  const claimed = await deps.transactionMonths.monthOf(user.userId, transactionId);
  const inClaimed = claimed && (await lookIn(deps, user, transactionId, claimed));
  if (inClaimed) return inClaimed;
  const item = await deps.transactions.get(user.userId, transactionId);
  const inReadModel = item && (await lookIn(deps, user, transactionId, monthOf(item.day)));
  return inReadModel || fail('transaction-not-found', 'No such transaction');
}

async function lookIn(
  deps: AmendExpenseDeps,
  user: RegisteredUser,
  transactionId: string,
  month: YearMonth,
): Promise<Located | undefined> {
  const stream = budgetMonthStream(user.userId, month);
  const transaction = (await deps.budgets.load(stream)).state.transactions.get(transactionId);
  if (!transaction) return undefined;
  if (!transaction.movedTo) return { month, stream, transaction };
  const to = monthOf(transaction.movedTo.day);
  const target = budgetMonthStream(user.userId, to);
  const moved = (await deps.budgets.load(target)).state.transactions.get(transactionId);
  if (moved) return { month: to, stream: target, transaction: moved };
  return {
    pendingMove: { from: month, transactionId, fields: transaction.movedTo, source: transaction.source },
  };
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

const recordCommand = (
  transactionId: string,
  fields: ExpenseFields,
  source: ExpenseSource,
  currency: RegisteredUser['currency'],
  now: string,
): RecordExpense => recordExpenseCommand({ transactionId, fields, currency, source, now });

export type FinishMoveDeps = Pick<AmendExpenseDeps, 'budgets' | 'clock'>;

/**
 * The second half of a move: the record in the target month, caused by the void that carries the
 * expense's new fields. Idempotent (the same id with the same fields records nothing), so the request
 * and the `complete-move` job may both run it; a month without a plan then gets its automatic one.
 */
export const finishMove =
  (deps: FinishMoveDeps) => async (user: RegisteredUser, move: PendingMove, context: CommandContext) => {
    const to = monthOf(move.fields.day);
    const record = recordCommand(
      move.transactionId,
      move.fields,
      move.source,
      user.currency,
      deps.clock.now().toISOString(),
    );
    const recorded = await deps.budgets.handle(budgetMonthStream(user.userId, to), record, context);
    const planned =
      recorded.state.status === 'unplanned' ? await autoPlanMonth(deps)(user, to, context) : undefined;
    const events = [...recorded.events, ...(planned?.events ?? [])];
    const overspend = events.find(
      (e) => e.type === 'OverspendDetected' && e.data.causedBy === move.transactionId,
    );
    return {
      transactionId: move.transactionId,
      fields: asResult(move.fields, user.currency),
      source: move.source,
      changed: true,
      moved: { from: move.from, to },
      ...(overspend?.type === 'OverspendDetected'
        ? { overspentBy: money(overspend.data.overBy, user.currency) }
        : {}),
      ...((planned?.position ?? recorded.position)
        ? { position: planned?.position ?? recorded.position }
        : {}),
    } satisfies AmendExpenseResult;
  };

/**
 * PUT: amends an expense (a new ExpenseAmended fact). A new date in another month moves it: the claim
 * follows it, the old month voids it with its new fields (`movedTo`), and the new month records it with
 * the same id, caused by the void. The `complete-move` job keyed by the void finishes the record if this
 * request dies between the two; a retried PUT finds the move half done and finishes it too, answering
 * as the first would have. The record is decided on the new month first, without writing, so a move the
 * new month would refuse voids nothing.
 */
export const amendExpense = (deps: AmendExpenseDeps) => {
  const finish = finishMove(deps);
  return async (input: AmendExpenseInput, context: CommandContext): Promise<AmendExpenseResult> => {
    const user = await requireUser(deps.users, input.userId);
    const changes = parseChanges(input.changes, user);
    const actorContext = { ...context, actor: user.userId };
    const located = await locate(deps, user, input.transactionId);
    if ('pendingMove' in located) return finish(user, located.pendingMove, actorContext);
    const { month, stream, transaction } = located;
    if (transaction.voided) {
      return fail('transaction-voided', `Transaction ${input.transactionId} was voided`);
    }
    const now = deps.clock.now().toISOString();
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
      const after = handled.state.transactions.get(input.transactionId);
      if (!after) return fail('transaction-not-found', 'No such transaction');
      const overspend = handled.events.find((e) => e.type === 'OverspendDetected');
      return {
        transactionId: input.transactionId,
        fields: asResult(after.current, user.currency),
        source: after.source,
        changed: handled.events.length > 0,
        ...(overspend?.type === 'OverspendDetected'
          ? { overspentBy: money(overspend.data.overBy, user.currency) }
          : {}),
        ...(handled.position ? { position: handled.position } : {}),
      };
    }

    // A move to another month.
    const next = mergeExpense(transaction.current, changes);
    const targetStream = budgetMonthStream(user.userId, targetMonth);
    const { state: target } = await deps.budgets.load(targetStream);
    if (target.transactions.has(input.transactionId)) {
      // The ledger keeps a transaction id once per month: one voided there cannot be recorded again.
      return fail(
        'transaction-id-conflict',
        `Transaction ${input.transactionId} was in ${targetMonth} before; record a new transaction instead`,
        { transactionId: input.transactionId, month: targetMonth },
      );
    }
    // Throws what the new month would refuse (another currency, too many categories, …) before anything is voided.
    budgetMonthDecider.decide(
      recordCommand(input.transactionId, next, transaction.source, user.currency, now),
      target,
    );

    await deps.transactionMonths.assign(user.userId, input.transactionId, targetMonth);
    const voided = await deps.budgets.handle(
      stream,
      {
        type: 'VoidExpense',
        data: { transactionId: input.transactionId, reason: `moved to ${targetMonth}`, movedTo: next, now },
      },
      actorContext,
    );
    if (voided.events.length === 0) {
      return fail('transaction-voided', `Transaction ${input.transactionId} was voided`);
    }
    const [voidEvent] = await deps.store.readStream(stream, {
      fromRevision: voided.version - BigInt(voided.events.length) + 1n,
      maxCount: 1,
    });
    return finish(
      user,
      { from: month, transactionId: input.transactionId, fields: next, source: transaction.source },
      { ...actorContext, causationId: voidEvent?.id ?? context.causationId ?? context.correlationId },
    );
  };
};

export interface VoidExpenseInput {
  readonly userId: string;
  readonly transactionId: string;
  readonly reason?: string;
}

/** DELETE: voids an expense (a new ExpenseVoided fact; nothing is deleted). Voiding twice changes nothing. */
export const voidExpense =
  (deps: AmendExpenseDeps) =>
  async (
    input: VoidExpenseInput,
    context: CommandContext,
  ): Promise<{ transactionId: string; changed: boolean; position?: GlobalPosition }> => {
    const user = await requireUser(deps.users, input.userId);
    let located = await locate(deps, user, input.transactionId);
    if ('pendingMove' in located) {
      // Half moved: the move is finished first, so the void lands where the expense now lives.
      await finishMove(deps)(user, located.pendingMove, { ...context, actor: user.userId });
      located = await locate(deps, user, input.transactionId);
    }
    if ('pendingMove' in located) return fail('transaction-not-found', 'No such transaction');
    const { stream } = located;
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

/** The `complete-move` job: finishes a move whose void landed, from what the void recorded. */
export const completeMoveOf = (deps: FinishMoveDeps & { users: UserHandler }) => {
  const finish = finishMove(deps);
  return async (job: CompleteMoveJob): Promise<void> => {
    const user = await requireUser(deps.users, job.userId);
    const month = parseYearMonth(job.month);
    const { state } = await deps.budgets.load(budgetMonthStream(user.userId, month));
    const transaction = state.transactions.get(job.transactionId);
    if (!transaction?.movedTo) return;
    await finish(
      user,
      {
        from: month,
        transactionId: job.transactionId,
        fields: transaction.movedTo,
        source: transaction.source,
      },
      { correlationId: job.correlationId, causationId: job.causedBy, actor: 'system:move' },
    );
  };
};
