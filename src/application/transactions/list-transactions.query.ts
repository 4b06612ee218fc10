import { fail } from '../../domain/shared/domain-error.js';
import { parseLocalDate } from '../../domain/shared/local-date.js';
import { type Currency, parseMoney } from '../../domain/shared/money.js';
import type {
  TransactionFilter,
  TransactionItem,
  TransactionPage,
  TransactionReadModel,
} from '../ports/transaction-read-model.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';

export interface TransactionQueryDeps {
  readonly users: UserHandler;
  readonly transactions: TransactionReadModel;
}

/** Filters as clients send them: dates `YYYY-MM-DD`, amounts decimal strings in the user's currency. */
export interface TransactionFilterInput {
  readonly from?: string;
  readonly to?: string;
  readonly category?: string;
  readonly merchant?: string;
  readonly minAmount?: string;
  readonly maxAmount?: string;
  readonly includeVoided?: boolean;
}

export interface ListTransactionsInput {
  readonly userId: string;
  readonly filter?: TransactionFilterInput;
  /** 1 to MAX_PAGE_SIZE. */
  readonly limit: number;
  /** Check it with `decodeTransactionCursor` first: a malformed one makes the read model throw. */
  readonly cursor?: string;
}

/** Client filters in the model's terms; amounts are read in the user's currency. */
function toFilter(input: TransactionFilterInput, currency: Currency): TransactionFilter {
  return {
    ...(input.from === undefined ? {} : { from: parseLocalDate(input.from) }),
    ...(input.to === undefined ? {} : { to: parseLocalDate(input.to) }),
    ...(input.category === undefined ? {} : { category: input.category }),
    ...(input.merchant === undefined ? {} : { merchant: input.merchant }),
    ...(input.minAmount === undefined ? {} : { minAmount: parseMoney(input.minAmount, currency).amount }),
    ...(input.maxAmount === undefined ? {} : { maxAmount: parseMoney(input.maxAmount, currency).amount }),
    ...(input.includeVoided === undefined ? {} : { includeVoided: input.includeVoided }),
  };
}

/** A page of the user's expenses, newest day first, from the transactions read model. */
export const listTransactions =
  (deps: TransactionQueryDeps) =>
  async (input: ListTransactionsInput): Promise<TransactionPage> => {
    const user = await requireUser(deps.users, input.userId);
    const filter = toFilter(input.filter ?? {}, user.currency);
    return deps.transactions.list(user.userId, filter, {
      limit: input.limit,
      ...(input.cursor === undefined ? {} : { cursor: input.cursor }),
    });
  };

/** One of the user's expenses; another user's id is simply not found. */
export const getTransaction =
  (deps: TransactionQueryDeps) =>
  async (input: { userId: string; transactionId: string }): Promise<{ item: TransactionItem }> => {
    const user = await requireUser(deps.users, input.userId);
    const item = await deps.transactions.get(user.userId, input.transactionId);
    if (!item) return fail('transaction-not-found', 'No such transaction');
    return { item };
  };

/**
 * Every matching expense, in list order, for export. Filters are checked before it returns, so a bad one
 * fails before anything is sent; the items are then read a page at a time as they are consumed.
 */
export const exportTransactions =
  (deps: TransactionQueryDeps) =>
  async (input: {
    userId: string;
    filter?: TransactionFilterInput;
  }): Promise<{ items: AsyncIterable<TransactionItem> }> => {
    const user = await requireUser(deps.users, input.userId);
    const filter = toFilter(input.filter ?? {}, user.currency);
    return { items: deps.transactions.stream(user.userId, filter) };
  };
