import { readFileSync } from 'node:fs';
import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import type { BudgetMonthEventType, PlannedCategory } from '../../src/domain/budget-month/events.js';
import {
  budgetEvents,
  changedExpenseKeys,
  key,
  loadExpenses,
  type MonthPlan,
  type OwnedEvent,
} from '../month-ledger.js';
import { addTo, type Column, insertRows, replace, rowsByKeys, sqlFor } from '../support.js';
import {
  AnalyticsBatch,
  type CategoryDelta,
  type DailyDelta,
  type Expense,
  type ExpenseWrite,
  type MerchantDelta,
  type PlanWrite,
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

type StoredPlan = { category: string; amount: string; kind: 'flexible' | 'fixed'; dueDay?: number }[];

const planJson = (plan: readonly PlannedCategory[]) =>
  JSON.stringify(plan.map((c) => ({ ...c, amount: c.amount.toString() })));

const parsePlan = (json: StoredPlan): PlannedCategory[] =>
  json.map((c) => ({ ...c, amount: BigInt(c.amount) }) as PlannedCategory);

/** The stored plans of the months the batch plans (a replacing plan takes the old split out). */
async function loadPlans(client: PoolClient, sql: (text: string) => string, events: readonly OwnedEvent[]) {
  const months = new Map<string, string[]>();
  for (const { userId, month, event } of events)
    if (event.type === 'BudgetPlanned') months.set(key(userId, month), [userId, month]);
  const rows = await rowsByKeys<{
    user_id: string;
    month: string;
    split_algorithm: string;
    plan: StoredPlan;
  }>(
    client,
    sql('SELECT t.user_id, t.month, t.split_algorithm, t.plan FROM $.plans t'),
    ['user_id', 'month'],
    ['uuid', 'text'],
    [...months.values()],
  );
  return new Map<string, MonthPlan>(
    rows.map((r) => [
      key(r.user_id, r.month),
      { splitAlgorithm: r.split_algorithm, plan: parsePlan(r.plan) },
    ]),
  );
}

const totals = ['allocated', 'bigint', (r: { allocated: bigint }) => r.allocated.toString()] as const;
const spent = ['spent', 'bigint', (r: { spent: bigint }) => r.spent.toString()] as const;
const count = ['transactions', 'integer', (r: { transactions: number }) => r.transactions] as const;
const user = ['user_id', 'uuid', (r: { user: string }) => r.user] as const;
const month = ['month', 'text', (r: { month: string }) => r.month] as const;

/** One statement per table: totals add the batch's deltas, plans and expenses are replaced. */
async function write(client: PoolClient, sql: (text: string) => string, batch: AnalyticsBatch) {
  await insertRows<DailyDelta>(
    client,
    sql('$.daily_totals'),
    [user, ['day', 'date', (d) => d.day], totals, spent, count],
    batch.daily.values(),
    `(user_id, day) DO UPDATE SET ${addTo('allocated', 'spent', 'transactions')}`,
  );
  await insertRows<CategoryDelta>(
    client,
    sql('$.category_months'),
    [user, month, ['category', 'text', (c) => c.category], totals, spent, count],
    batch.categories.values(),
    `(user_id, month, category) DO UPDATE SET ${addTo('allocated', 'spent', 'transactions')}`,
  );
  await insertRows<MerchantDelta>(
    client,
    sql('$.merchant_months'),
    [user, month, ['merchant', 'text', (m) => m.merchant], spent, count],
    batch.merchants.values(),
    `(user_id, month, merchant) DO UPDATE SET ${addTo('spent', 'transactions')}`,
  );
  await insertRows<PlanWrite>(
    client,
    sql('$.plans'),
    [
      user,
      month,
      ['split_algorithm', 'text', (p) => p.splitAlgorithm],
      ['plan', 'jsonb', (p) => planJson(p.plan)],
    ],
    [...batch.plans.values()],
    `(user_id, month) DO UPDATE SET ${replace('split_algorithm', 'plan')}`,
  );
  const expenseColumns: Column<ExpenseWrite>[] = [
    user,
    month,
    ['transaction_id', 'text', (e) => e.transactionId],
    ['day', 'date', (e) => e.day],
    ['category', 'text', (e) => e.category],
    ['merchant', 'text', (e) => e.merchant],
    ['amount', 'bigint', (e) => e.amount.toString()],
    ['voided', 'boolean', (e) => e.voided],
  ];
  await insertRows(
    client,
    sql('$.expenses'),
    expenseColumns,
    [...batch.expenses.values()],
    `(user_id, month, transaction_id) DO UPDATE SET ${replace('day', 'category', 'merchant', 'amount', 'voided')}`,
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
    const knownPlans = await loadPlans(client, sql, events);
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
