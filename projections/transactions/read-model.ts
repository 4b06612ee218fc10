import type { Pool } from 'pg';
import type { GlobalPosition } from '../../src/application/ports/event-store.port.js';
import { viewName } from '../../src/application/ports/projection.port.js';
import {
  decodeTransactionCursor,
  encodeTransactionCursor,
  InvalidCursorError,
  MAX_PAGE_SIZE,
  type PageRequest,
  type TransactionCursor,
  type TransactionFilter,
  type TransactionItem,
  type TransactionPage,
  type TransactionReadModel,
} from '../../src/application/ports/transaction-read-model.port.js';
import type { ExpenseSource } from '../../src/domain/budget-month/events.js';
import type { LocalDate } from '../../src/domain/shared/local-date.js';
import type { Currency } from '../../src/domain/shared/money.js';
import { waitForLive } from '../support.js';
import type { StoredTransaction } from './row.js';

const TRANSACTIONS = viewName('transactions', 'transactions');
/** Page size of `stream`: large enough to be cheap, small enough to keep memory flat. */
const STREAM_PAGE = 1000;

const COLUMNS = `transaction_id, to_char(day, 'YYYY-MM-DD') AS day, category, amount::text AS amount, currency,
  merchant, note, source, status, recorded_at, updated_at, amended`;

type Row = StoredTransaction<Date>;

const toItem = (r: Row): TransactionItem => ({
  transactionId: r.transaction_id,
  day: r.day as LocalDate,
  category: r.category,
  amount: BigInt(r.amount),
  currency: r.currency as Currency,
  ...(r.merchant === null ? {} : { merchant: r.merchant }),
  ...(r.note === null ? {} : { note: r.note }),
  source: r.source as ExpenseSource,
  status: r.status,
  recordedAt: r.recorded_at.toISOString(),
  ...(r.updated_at === null ? {} : { updatedAt: r.updated_at.toISOString() }),
  amended: r.amended,
});

/** Reads the transactions projection through the view that always points at its live generation. */
export class PostgresTransactionReadModel implements TransactionReadModel {
  constructor(private readonly pool: Pool) {}

  async list(userId: string, filter: TransactionFilter, page: PageRequest): Promise<TransactionPage> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE_SIZE) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    let after: TransactionCursor | undefined;
    if (page.cursor !== undefined) {
      after = decodeTransactionCursor(page.cursor);
      if (!after) throw new InvalidCursorError();
    }
    return this.page(userId, filter, page.limit, after);
  }

  async get(userId: string, transactionId: string): Promise<TransactionItem | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ${TRANSACTIONS} WHERE user_id = $1 AND transaction_id = $2
       ORDER BY status = 'recorded' DESC, day DESC LIMIT 1`,
      [userId, transactionId],
    );
    return rows[0] && toItem(rows[0]);
  }

  async *stream(userId: string, filter: TransactionFilter): AsyncGenerator<TransactionItem> {
    let after: TransactionCursor | undefined;
    for (;;) {
      const { items, last } = await this.rows(userId, filter, STREAM_PAGE, after);
      yield* items;
      if (!last) return;
      after = last;
    }
  }

  waitFor(position: GlobalPosition, timeoutMs: number): Promise<boolean> {
    return waitForLive(this.pool, 'transactions', position, timeoutMs);
  }

  private async page(
    userId: string,
    filter: TransactionFilter,
    limit: number,
    after: TransactionCursor | undefined,
  ): Promise<TransactionPage> {
    const { items, last } = await this.rows(userId, filter, limit, after);
    return last ? { items, nextCursor: encodeTransactionCursor(last) } : { items };
  }

  /** Up to `limit` items after the cursor, and where the next page starts when there is one. */
  private async rows(
    userId: string,
    filter: TransactionFilter,
    limit: number,
    after: TransactionCursor | undefined,
  ): Promise<{ items: TransactionItem[]; last?: TransactionCursor }> {
    const params: unknown[] = [userId];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ['user_id = $1'];
    if (!filter.includeVoided) where.push(`status = 'recorded'`);
    if (filter.from !== undefined) where.push(`day >= ${param(filter.from)}::date`);
    if (filter.to !== undefined) where.push(`day <= ${param(filter.to)}::date`);
    if (filter.category !== undefined) where.push(`category = ${param(filter.category)}`);
    if (filter.merchant !== undefined)
      where.push(`strpos(lower(merchant), lower(${param(filter.merchant)}::text)) > 0`);
    if (filter.minAmount !== undefined) where.push(`amount >= ${param(filter.minAmount.toString())}::bigint`);
    if (filter.maxAmount !== undefined) where.push(`amount <= ${param(filter.maxAmount.toString())}::bigint`);
    if (after) {
      const day = param(after.day);
      const id = param(after.transactionId);
      where.push(`(day < ${day}::date OR (day = ${day}::date AND transaction_id > ${id}::text))`);
    }
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ${TRANSACTIONS} WHERE ${where.join(' AND ')}
       ORDER BY day DESC, transaction_id LIMIT ${param(limit + 1)}`,
      params,
    );
    const items = rows.slice(0, limit).map(toItem);
    const lastItem = items[items.length - 1];
    return rows.length > limit && lastItem
      ? { items, last: { day: lastItem.day, transactionId: lastItem.transactionId } }
      : { items };
  }
}
