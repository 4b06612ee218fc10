import { readFileSync } from 'node:fs';
import type { PoolClient } from 'pg';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import type { PlannedCategory } from '../../src/domain/budget-month/events.js';
import { budgetEvents, changedExpenseKeys, key, loadExpenses, type OwnedEvent } from '../month-ledger.js';
import { addTo, type Column, insertRows, replace, rowsByKeys, sqlFor } from '../support.js';
import {
  type CellDelta,
  DailyAllocationBatch,
  type ExpenseWrite,
  type MonthWrite,
  type PlanRow,
} from './batch.js';

const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');
/** Events that read or change a month's row (its plan, or the categories its expenses brought in). */
const PLAN_EVENTS = new Set([
  'BudgetPlanned',
  'BudgetReplanned',
  'DayClosed',
  'ExpenseRecorded',
  'ExpenseAmended',
]);

type StoredPlan = { category: string; amount: string; kind: 'flexible' | 'fixed'; dueDay?: number }[];

const planJson = (plan: readonly PlannedCategory[]) =>
  JSON.stringify(plan.map((c) => ({ ...c, amount: c.amount.toString() })));

const parsePlan = (json: StoredPlan) =>
  json.map((c) => ({ ...c, amount: BigInt(c.amount) }) as PlannedCategory);

/** The stored rows of the months whose plan the batch reads or changes. */
async function loadMonths(client: PoolClient, sql: (text: string) => string, events: readonly OwnedEvent[]) {
  const months = new Map<string, string[]>();
  for (const { userId, month, event } of events)
    if (PLAN_EVENTS.has(event.type)) months.set(key(userId, month), [userId, month]);
  const rows = await rowsByKeys<{
    user_id: string;
    month: string;
    currency: string;
    split_algorithm: string;
    plan: StoredPlan;
    planned: boolean;
  }>(
    client,
    sql('SELECT t.user_id, t.month, t.currency, t.split_algorithm, t.plan, t.planned FROM $.months t'),
    ['user_id', 'month'],
    ['uuid', 'text'],
    [...months.values()],
  );
  return new Map<string, PlanRow>(
    rows.map((r) => [
      key(r.user_id, r.month),
      {
        currency: r.currency,
        splitAlgorithm: r.split_algorithm,
        plan: parsePlan(r.plan),
        planned: r.planned,
      },
    ]),
  );
}

const user = ['user_id', 'uuid', (r: { user: string }) => r.user] as const;
const month = ['month', 'text', (r: { month: string }) => r.month] as const;
const day = ['day', 'date', (r: { day: string }) => r.day] as const;

/** One statement per table: cells and savings add the batch's deltas, the rest is replaced. */
async function write(client: PoolClient, sql: (text: string) => string, batch: DailyAllocationBatch) {
  await insertRows<CellDelta>(
    client,
    sql('$.cells'),
    [
      user,
      day,
      ['category', 'text', (c) => c.category],
      ['allocated', 'bigint', (c) => c.allocated.toString()],
      ['spent', 'bigint', (c) => c.spent.toString()],
      ['overdrawn', 'bigint', (c) => c.overdrawn.toString()],
    ],
    [...batch.cells.values()],
    `(user_id, day, category) DO UPDATE SET ${addTo('allocated', 'spent', 'overdrawn')}`,
  );
  await insertRows<MonthWrite>(
    client,
    sql('$.months'),
    [
      user,
      month,
      ['currency', 'text', (m) => m.currency],
      ['split_algorithm', 'text', (m) => m.splitAlgorithm],
      ['plan', 'jsonb', (m) => planJson(m.plan)],
      ['saved', 'bigint', (m) => m.savedDelta.toString()],
      ['planned', 'boolean', (m) => m.planned],
    ],
    [...batch.months.values()],
    `(user_id, month) DO UPDATE SET ${replace('currency', 'split_algorithm', 'plan', 'planned')}, ${addTo('saved')}`,
  );
  const expenseColumns: Column<ExpenseWrite>[] = [
    user,
    month,
    ['transaction_id', 'text', (e) => e.transactionId],
    day,
    ['category', 'text', (e) => e.category],
    ['amount', 'bigint', (e) => e.amount.toString()],
    ['voided', 'boolean', (e) => e.voided],
  ];
  await insertRows(
    client,
    sql('$.expenses'),
    expenseColumns,
    [...batch.expenses.values()],
    `(user_id, month, transaction_id) DO UPDATE SET ${replace('day', 'category', 'amount', 'voided')}`,
  );
  await insertRows(
    client,
    sql('$.closed_days'),
    [user, day],
    [...batch.closedDays.values()].map(([u, d]) => ({ user: u, day: d })),
    'DO NOTHING',
  );
}

export const dailyAllocation: Projection = {
  name: 'daily-allocation',
  // 2: months without a plan (expenses first), joined categories, re-plans and reduced shortfalls.
  version: 2,
  eventTypes: new Set(budgetMonthCodec.types),
  publishedTables: ['cells', 'months', 'closed_days'],
  ddl: (schema) => SCHEMA_SQL.replaceAll('{{schema}}', schema),

  async applyBatch(client: PoolClient, schema: string, recorded: readonly RecordedEvent[]) {
    const sql = sqlFor(schema);
    const events = budgetEvents(recorded);
    if (events.length === 0) return;
    const knownPlans = await loadMonths(client, sql, events);
    const knownExpenses = await loadExpenses(client, sql, changedExpenseKeys(events), (r) => ({
      day: r.day,
      category: r.category,
      amount: BigInt(r.amount),
      voided: r.voided,
    }));
    const batch = new DailyAllocationBatch(knownPlans, knownExpenses);
    for (const { userId, month, event } of events) batch.apply(userId, month, event);
    await write(client, sql, batch);
  },
};
