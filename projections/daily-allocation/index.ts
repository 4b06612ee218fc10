import { readFileSync } from 'node:fs';
import type { PoolClient } from 'pg';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import type { BudgetMonthEventType } from '../../src/domain/budget-month/events.js';
import { budgetEvents, changedExpenseKeys, monthKeys } from '../budget-events.js';
import { loadExpenses, loadPlans, PLAN_COLUMNS, writeExpenses } from '../ledger-rows.js';
import { addTo, insertRows, replace, sqlFor } from '../support.js';
import { type CellDelta, DailyAllocationBatch, type MonthRow, type PlanRow } from './batch.js';

const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');
/** Events that read or change a month's row (its plan, or the categories its expenses brought in). */
const PLAN_EVENTS: ReadonlySet<BudgetMonthEventType> = new Set([
  'BudgetPlanned',
  'BudgetReplanned',
  'DayClosed',
  'ExpenseRecorded',
  'ExpenseAmended',
]);

const user = ['user_id', 'uuid', (r: { user: string }) => r.user] as const;
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
  await insertRows<MonthRow>(
    client,
    sql('$.months'),
    [
      ...PLAN_COLUMNS,
      ['currency', 'text', (m) => m.currency],
      ['saved', 'bigint', (m) => m.savedDelta.toString()],
      ['planned', 'boolean', (m) => m.planned],
    ],
    [...batch.months.values()],
    `(user_id, month) DO UPDATE SET ${replace('currency', 'split_algorithm', 'plan', 'planned')}, ${addTo('saved')}`,
  );
  await writeExpenses(client, sql, [...batch.expenses.values()]);
  const closed = [...batch.closedDays.values()].map(([user, d]) => ({ user, day: d }));
  await insertRows(client, sql('$.closed_days'), [user, day], closed, 'DO NOTHING');
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
    const knownPlans = await loadPlans(
      client,
      sql('$.months'),
      monthKeys(events, PLAN_EVENTS),
      (r, plan): PlanRow => ({ ...plan, currency: r.currency as string, planned: r.planned as boolean }),
      ', t.currency, t.planned',
    );
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
