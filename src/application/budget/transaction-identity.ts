import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { monthOf, type YearMonth } from '../../domain/shared/local-date.js';
import type { TransactionMonths } from '../ports/transaction-months.port.js';
import type { BudgetMonthHandler } from './budget-handler.js';

export interface IdentityDeps {
  readonly transactionMonths: TransactionMonths;
  readonly budgets: Pick<BudgetMonthHandler, 'load'>;
}

/**
 * A client transaction id is one fact per user, across months: claims `ids` for `month` before they are
 * recorded there. Answers, per id, why it cannot be: another month holds it (a move is the way to change
 * its month). A claim pointing at a month whose stream does not hold the id (its append never landed, or
 * the id moved on) is taken over.
 */
export async function claimIds(
  deps: IdentityDeps,
  userId: string,
  month: YearMonth,
  ids: readonly string[],
): Promise<Map<string, DomainError>> {
  const refused = new Map<string, DomainError>();
  const unique = [...new Set(ids)];
  const held = await deps.transactionMonths.claim(
    userId,
    unique.map((transactionId) => ({ transactionId, month })),
  );
  for (const [transactionId, other] of held) {
    if (await holds(deps, userId, other, transactionId)) {
      refused.set(transactionId, inOtherMonth(transactionId, other));
    } else {
      await deps.transactionMonths.assign(userId, transactionId, month);
    }
  }
  return refused;
}

/** Whether the month's stream has the id as its own: recorded there and not moved to another month. */
export async function holds(
  deps: IdentityDeps,
  userId: string,
  month: YearMonth,
  transactionId: string,
): Promise<boolean> {
  const { state } = await deps.budgets.load(budgetMonthStream(userId, month));
  const transaction = state.transactions.get(transactionId);
  return (
    transaction !== undefined &&
    (transaction.movedTo === undefined || monthOf(transaction.movedTo.day) === month)
  );
}

export const inOtherMonth = (transactionId: string, month: YearMonth): DomainError =>
  new DomainError(
    'transaction-in-other-month',
    `Transaction ${transactionId} belongs to ${month}; change its date to move it there`,
    { transactionId, month },
  );
