import { readFileSync } from 'node:fs';
import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import type { BudgetMonthEvent } from '../../src/domain/budget-month/events.js';
import { budgetEvents } from '../month-ledger.js';
import { sqlFor } from '../support.js';

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

/** Map keys; NUL cannot occur in the parts (PostgreSQL text refuses it), so keys never collide. */
const monthKey = (userId: string, month: string) => `${userId}\u0000${month}`;
const rowKey = (userId: string, month: string, transactionId: string) =>
  `${userId}\u0000${month}\u0000${transactionId}`;

interface Owned {
  readonly userId: string;
  readonly month: string;
  readonly event: BudgetMonthEvent;
}

/**
 * One batch's changes in memory: whole rows, so the single upsert per table writes each row's final
 * state. Rows that amendments and voids need are loaded first, so the result is the same however the
 * log is cut into batches.
 */
class Batch {
  readonly months = new Map<string, { userId: string; month: string; currency: string }>();
  readonly rows = new Map<string, TransactionRow>();

  constructor(
    private readonly knownCurrencies: ReadonlyMap<string, string>,
    private readonly knownRows: ReadonlyMap<string, TransactionRow>,
  ) {}

  apply({ userId, month, event }: Owned): void {
    switch (event.type) {
      case 'BudgetPlanned':
        this.months.set(monthKey(userId, month), { userId, month, currency: event.data.currency });
        return;
      case 'ExpenseRecorded': {
        const { transactionId, day, category, amount, merchant, note, source, recordedAt } = event.data;
        const key = monthKey(userId, month);
        const currency =
          event.data.currency ?? this.months.get(key)?.currency ?? this.knownCurrencies.get(key);
        if (currency === undefined)
          throw new Error(`ExpenseRecorded without a currency in ${userId} ${month}`);
        this.rows.set(rowKey(userId, month, transactionId), {
          userId,
          month,
          transactionId,
          day,
          category,
          amount,
          currency,
          merchant: merchant ?? null,
          note: note ?? null,
          source,
          status: 'recorded',
          recordedAt,
          updatedAt: null,
          amended: 0,
        });
        return;
      }
      case 'ExpenseAmended':
      case 'ExpenseVoided': {
        const key = rowKey(userId, month, event.data.transactionId);
        const known = this.knownRows.get(key);
        const before = this.rows.get(key) ?? (known && { ...known });
        if (!before) throw new Error(`${event.type} for unknown transaction ${event.data.transactionId}`);
        if (event.type === 'ExpenseVoided') {
          before.status = 'voided';
          before.updatedAt = event.data.voidedAt;
        } else {
          const { day, category, amount, merchant, note, amendedAt } = event.data;
          Object.assign(before, {
            day,
            category,
            amount,
            merchant: merchant ?? null,
            note: note ?? null,
            updatedAt: amendedAt,
            amended: before.amended + 1,
          });
        }
        this.rows.set(key, before);
        return;
      }
      default:
        return;
    }
  }
}

interface LoadedRow {
  user_id: string;
  month: string;
  transaction_id: string;
  day: string;
  category: string;
  amount: string;
  currency: string;
  merchant: string | null;
  note: string | null;
  source: string;
  status: 'recorded' | 'voided';
  recorded_at: string;
  updated_at: string | null;
  amended: number;
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
    const events: Owned[] = budgetEvents(recorded, EVENT_TYPES);
    if (events.length === 0) return;

    // The month's currency for each expense recorded in this batch (a plan in the batch overrides it).
    const recordedMonths = new Map<string, [string, string]>();
    for (const { userId, month, event } of events) {
      if (event.type === 'ExpenseRecorded') recordedMonths.set(monthKey(userId, month), [userId, month]);
    }
    const knownCurrencies = new Map<string, string>();
    if (recordedMonths.size > 0) {
      const keys = [...recordedMonths.values()];
      const { rows } = await client.query<{ user_id: string; month: string; currency: string }>(
        sql(`SELECT m.user_id, m.month, m.currency FROM $.months m
             JOIN unnest($1::uuid[], $2::text[]) AS k(user_id, month) USING (user_id, month)`),
        [keys.map((k) => k[0]), keys.map((k) => k[1])],
      );
      for (const r of rows) knownCurrencies.set(monthKey(r.user_id, r.month), r.currency);
    }

    // The current rows of the expenses this batch amends or voids, in one query.
    const targets = new Map<string, [string, string, string]>();
    for (const { userId, month, event } of events) {
      if (event.type === 'ExpenseAmended' || event.type === 'ExpenseVoided') {
        const id = event.data.transactionId;
        targets.set(rowKey(userId, month, id), [userId, month, id]);
      }
    }
    const knownRows = new Map<string, TransactionRow>();
    if (targets.size > 0) {
      const keys = [...targets.values()];
      const { rows } = await client.query<LoadedRow>(
        sql(`SELECT t.user_id, t.month, t.transaction_id, to_char(t.day, 'YYYY-MM-DD') AS day, t.category,
               t.amount::text AS amount, t.currency, t.merchant, t.note, t.source, t.status,
               t.recorded_at::text AS recorded_at, t.updated_at::text AS updated_at, t.amended
             FROM $.transactions t
             JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS k(user_id, month, transaction_id)
               ON t.user_id = k.user_id AND t.month = k.month AND t.transaction_id = k.transaction_id`),
        [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])],
      );
      for (const r of rows) {
        knownRows.set(rowKey(r.user_id, r.month, r.transaction_id), {
          userId: r.user_id,
          month: r.month,
          transactionId: r.transaction_id,
          day: r.day,
          category: r.category,
          amount: BigInt(r.amount),
          currency: r.currency,
          merchant: r.merchant,
          note: r.note,
          source: r.source,
          status: r.status,
          recordedAt: r.recorded_at,
          updatedAt: r.updated_at,
          amended: r.amended,
        });
      }
    }

    const batch = new Batch(knownCurrencies, knownRows);
    for (const event of events) batch.apply(event);

    if (batch.months.size > 0) {
      const months = [...batch.months.values()];
      await client.query(
        sql(`INSERT INTO $.months (user_id, month, currency)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
             ON CONFLICT (user_id, month) DO UPDATE SET currency = EXCLUDED.currency`),
        [months.map((m) => m.userId), months.map((m) => m.month), months.map((m) => m.currency)],
      );
    }
    if (batch.rows.size > 0) {
      const rows = [...batch.rows.values()];
      await client.query(
        sql(`INSERT INTO $.transactions AS t (user_id, month, transaction_id, day, category, amount, currency,
               merchant, note, source, status, recorded_at, updated_at, amended)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::text[], $6::bigint[],
               $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[],
               $13::timestamptz[], $14::integer[])
             ON CONFLICT (user_id, transaction_id, month) DO UPDATE SET day = EXCLUDED.day,
               category = EXCLUDED.category, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
               merchant = EXCLUDED.merchant, note = EXCLUDED.note, source = EXCLUDED.source,
               status = EXCLUDED.status, recorded_at = EXCLUDED.recorded_at,
               updated_at = EXCLUDED.updated_at, amended = EXCLUDED.amended`),
        [
          rows.map((r) => r.userId),
          rows.map((r) => r.month),
          rows.map((r) => r.transactionId),
          rows.map((r) => r.day),
          rows.map((r) => r.category),
          rows.map((r) => r.amount.toString()),
          rows.map((r) => r.currency),
          rows.map((r) => r.merchant),
          rows.map((r) => r.note),
          rows.map((r) => r.source),
          rows.map((r) => r.status),
          rows.map((r) => r.recordedAt),
          rows.map((r) => r.updatedAt),
          rows.map((r) => r.amended),
        ],
      );
    }
  },
};
