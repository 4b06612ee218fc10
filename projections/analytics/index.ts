import { readFileSync } from 'node:fs';
import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import type { BudgetMonthEventType } from '../../src/domain/budget-month/events.js';
import { budgetEvents, changedExpenseKeys, monthKeys } from '../budget-events.js';
import { loadExpenses, loadPlans, MONTH, PLAN_COLUMNS, USER, writeExpenses } from '../ledger-rows.js';
import { addTo, insertRows, replace, sqlFor } from '../support.js';
import {
  AnalyticsBatch,
  type CategoryDelta,
  type DailyDelta,
  type Expense,
  type MerchantDelta,
} from './batch.js';

export { normaliseMerchant } from './batch.js';

const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

/** The events that change allocation or spend; the others (overspend, overdrawn) only move the checkpoint. */
const EVENT_TYPES: readonly BudgetMonthEventType[] = [
  'BudgetPlanned',
  'BudgetReplanned',
  'ExpenseRecorded',
  'ExpenseAmended',
  'ExpenseVoided',
  'BudgetRebalanced',
  'AllocationAdjusted',
  'DayClosed',
];

const HANDLED: ReadonlySet<string> = new Set(EVENT_TYPES);

/** The events after which a month's plan is read: a replacing plan takes the old split out. */
const PLANNED: ReadonlySet<BudgetMonthEventType> = new Set(['BudgetPlanned']);

const totals = ['allocated', 'bigint', (r: { allocated: bigint }) => r.allocated.toString()] as const;
const spent = ['spent', 'bigint', (r: { spent: bigint }) => r.spent.toString()] as const;
const count = ['transactions', 'integer', (r: { transactions: number }) => r.transactions] as const;

/** One statement per table: totals add the batch's deltas, plans and expenses are replaced. */
async function write(client: PoolClient, sql: (text: string) => string, batch: AnalyticsBatch) {
  await insertRows<DailyDelta>(
    client,
    sql('$.daily_totals'),
    [['user_id', 'uuid', (d) => d.user], ['day', 'date', (d) => d.day], totals, spent, count],
    batch.daily.values(),
    `(user_id, day) DO UPDATE SET ${addTo('allocated', 'spent', 'transactions')}`,
  );
  await insertRows<CategoryDelta>(
    client,
    sql('$.category_months'),
    [USER, MONTH, ['category', 'text', (c) => c.category], totals, spent, count],
    batch.categories.values(),
    `(user_id, month, category) DO UPDATE SET ${addTo('allocated', 'spent', 'transactions')}`,
  );
  await insertRows<MerchantDelta>(
    client,
    sql('$.merchant_months'),
    [USER, MONTH, ['merchant', 'text', (m) => m.merchant], spent, count],
    batch.merchants.values(),
    `(user_id, month, merchant) DO UPDATE SET ${addTo('spent', 'transactions')}`,
  );
  await insertRows(
    client,
    sql('$.plans'),
    PLAN_COLUMNS,
    [...batch.plans.values()],
    `(user_id, month) DO UPDATE SET ${replace('split_algorithm', 'plan')}`,
  );
  await writeExpenses<Expense>(
    client,
    sql,
    [...batch.expenses.values()],
    [['merchant', 'text', (e) => e.merchant]],
  );
}

export const analyticsProjection: Projection = {
  name: 'analytics',
  // 2: re-plans (BudgetReplanned) move allocations.
  version: 2,
  eventTypes: HANDLED,
  publishedTables: ['daily_totals', 'category_months', 'merchant_months'],
  ddl: (schema) => SCHEMA_SQL.replaceAll('{{schema}}', schema),

  async applyBatch(client: PoolClient, schema: string, recorded: readonly RecordedEvent[]) {
    const sql = sqlFor(schema);
    const events = budgetEvents(recorded, HANDLED);
    if (events.length === 0) return;
    const knownPlans = await loadPlans(client, sql('$.plans'), monthKeys(events, PLANNED), (_, plan) => plan);
    const knownExpenses = await loadExpenses<Expense>(
      client,
      sql,
      changedExpenseKeys(events),
      (r) => ({
        day: r.day,
        category: r.category,
        merchant: r.merchant as string,
        amount: BigInt(r.amount),
        voided: r.voided,
      }),
      ', t.merchant',
    );
    const batch = new AnalyticsBatch(knownPlans, knownExpenses);
    for (const { userId, month, event } of events) batch.apply(userId, month, event);
    await write(client, sql, batch);
  },
};
