import { readFileSync } from 'node:fs';
import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import { budgetEvents, changedExpenseKeys, key, type OwnedEvent } from '../budget-events.js';
import { type Column, insertRows, replace, rowsByKeys, sqlFor } from '../support.js';
import type { StoredTransaction } from './row.js';

const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

const EVENT_TYPES = new Set(['BudgetPlanned', 'ExpenseRecorded', 'ExpenseAmended', 'ExpenseVoided']);

/** A `transactions` row as this batch will leave it. Timestamps stay text, so a reload writes back the same instant. */
interface TransactionRow {
  readonly userId: string;
  readonly month: string;
  readonly transactionId: string;
  day: string;
  category: string;
  amount: bigint;
  currency: string;
  merchant: string | null;
  note: string | null;
  source: string;
  status: 'recorded' | 'voided';
  recordedAt: string;
  updatedAt: string | null;
  amended: number;
}

interface MonthRow {
  readonly userId: string;
  readonly month: string;
  readonly currency: string;
}

/**
 * One batch's changes in memory: whole rows, so the single upsert per table writes each row's final
 * state. Rows that amendments and voids need are loaded first, so the result is the same however the
 * log is cut into batches.
 */
class Batch {
  readonly months = new Map<string, MonthRow>();
  readonly rows = new Map<string, TransactionRow>();

  constructor(
    private readonly knownCurrencies: ReadonlyMap<string, string>,
    private readonly knownRows: ReadonlyMap<string, TransactionRow>,
  ) {}

  apply({ userId, month, event }: OwnedEvent): void {
    switch (event.type) {
      case 'BudgetPlanned':
        this.months.set(key(userId, month), { userId, month, currency: event.data.currency });
        return;
      case 'ExpenseRecorded': {
        const { transactionId, day, category, amount, merchant, note, source, recordedAt } = event.data;
        const monthKey = key(userId, month);
        const currency =
          event.data.currency ?? this.months.get(monthKey)?.currency ?? this.knownCurrencies.get(monthKey);
        if (currency === undefined)
          throw new Error(`ExpenseRecorded without a currency in ${userId} ${month}`);
        this.rows.set(key(userId, month, transactionId), {
          ...{ userId, month, transactionId, day, category, amount, currency },
          ...{ merchant: merchant ?? null, note: note ?? null, source, status: 'recorded' },
          ...{ recordedAt, updatedAt: null, amended: 0 },
        });
        return;
      }
      case 'ExpenseAmended':
      case 'ExpenseVoided': {
        const rowKey = key(userId, month, event.data.transactionId);
        const known = this.knownRows.get(rowKey);
        const before = this.rows.get(rowKey) ?? (known && { ...known });
        if (!before) throw new Error(`${event.type} for unknown transaction ${event.data.transactionId}`);
        if (event.type === 'ExpenseVoided') {
          before.status = 'voided';
          before.updatedAt = event.data.voidedAt;
        } else {
          const { day, category, amount, merchant, note, amendedAt } = event.data;
          Object.assign(before, { day, category, amount, merchant: merchant ?? null, note: note ?? null });
          Object.assign(before, { updatedAt: amendedAt, amended: before.amended + 1 });
        }
        this.rows.set(rowKey, before);
        return;
      }
      default:
        return;
    }
  }
}

/** The month's currency for each expense recorded in this batch (a plan in the batch overrides it). */
async function loadCurrencies(
  client: PoolClient,
  sql: (text: string) => string,
  events: readonly OwnedEvent[],
) {
  const months = new Map<string, string[]>();
  for (const { userId, month, event } of events)
    if (event.type === 'ExpenseRecorded') months.set(key(userId, month), [userId, month]);
  const rows = await rowsByKeys<{ user_id: string; month: string; currency: string }>(
    client,
    sql('SELECT t.user_id, t.month, t.currency FROM $.months t'),
    ['user_id', 'month'],
    ['uuid', 'text'],
    [...months.values()],
  );
  return new Map(rows.map((r) => [key(r.user_id, r.month), r.currency]));
}

/** The current rows of the expenses this batch amends or voids, in one query. */
async function loadRows(client: PoolClient, sql: (text: string) => string, events: readonly OwnedEvent[]) {
  const rows = await rowsByKeys<StoredTransaction<string> & { user_id: string; month: string }>(
    client,
    sql(`SELECT t.user_id, t.month, t.transaction_id, to_char(t.day, 'YYYY-MM-DD') AS day, t.category,
           t.amount::text AS amount, t.currency, t.merchant, t.note, t.source, t.status,
           t.recorded_at::text AS recorded_at, t.updated_at::text AS updated_at, t.amended
         FROM $.transactions t`),
    ['user_id', 'month', 'transaction_id'],
    ['uuid', 'text', 'text'],
    changedExpenseKeys(events),
  );
  return new Map<string, TransactionRow>(
    rows.map((r) => [
      key(r.user_id, r.month, r.transaction_id),
      {
        ...{ userId: r.user_id, month: r.month, transactionId: r.transaction_id, day: r.day },
        ...{ category: r.category, amount: BigInt(r.amount), currency: r.currency },
        ...{ merchant: r.merchant, note: r.note, source: r.source, status: r.status },
        ...{ recordedAt: r.recorded_at, updatedAt: r.updated_at, amended: r.amended },
      },
    ]),
  );
}

const TRANSACTION_COLUMNS: readonly Column<TransactionRow>[] = [
  ['user_id', 'uuid', (r) => r.userId],
  ['month', 'text', (r) => r.month],
  ['transaction_id', 'text', (r) => r.transactionId],
  ['day', 'date', (r) => r.day],
  ['category', 'text', (r) => r.category],
  ['amount', 'bigint', (r) => r.amount.toString()],
  ['currency', 'text', (r) => r.currency],
  ['merchant', 'text', (r) => r.merchant],
  ['note', 'text', (r) => r.note],
  ['source', 'text', (r) => r.source],
  ['status', 'text', (r) => r.status],
  ['recorded_at', 'timestamptz', (r) => r.recordedAt],
  ['updated_at', 'timestamptz', (r) => r.updatedAt],
  ['amended', 'integer', (r) => r.amended],
];
const MONTH_COLUMNS: readonly Column<MonthRow>[] = [
  ['user_id', 'uuid', (r) => r.userId],
  ['month', 'text', (r) => r.month],
  ['currency', 'text', (r) => r.currency],
];

async function write(client: PoolClient, sql: (text: string) => string, batch: Batch) {
  await insertRows(
    client,
    sql('$.months'),
    MONTH_COLUMNS,
    [...batch.months.values()],
    `(user_id, month) DO UPDATE SET ${replace('currency')}`,
  );
  // Every column but the key is the row's final state.
  const updated = TRANSACTION_COLUMNS.map(([name]) => name).slice(3);
  await insertRows(
    client,
    sql('$.transactions'),
    TRANSACTION_COLUMNS,
    [...batch.rows.values()],
    `(user_id, transaction_id, month) DO UPDATE SET ${replace(...updated)}`,
  );
}

export const transactionsProjection: Projection = {
  name: 'transactions',
  // 2: expenses of a month without a plan carry their currency.
  version: 2,
  eventTypes: EVENT_TYPES,
  publishedTables: ['transactions'],
  ddl: (schema) => SCHEMA_SQL.replaceAll('{{schema}}', schema),

  async applyBatch(client: PoolClient, schema: string, recorded: readonly RecordedEvent[]) {
    const sql = sqlFor(schema);
    const events = budgetEvents(recorded, EVENT_TYPES);
    if (events.length === 0) return;
    const batch = new Batch(await loadCurrencies(client, sql, events), await loadRows(client, sql, events));
    for (const event of events) batch.apply(event);
    await write(client, sql, batch);
  },
};
