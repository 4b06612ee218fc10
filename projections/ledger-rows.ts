import type { PoolClient } from 'pg';
import type { PlannedCategory } from '../src/domain/budget-month/events.js';
import { key } from './budget-events.js';
import type { ExpenseWrite, LedgerExpense, MonthPlan, MonthWrite } from './month-ledger.js';
import { type Column, insertRows, replace, rowsByKeys } from './support.js';

/** The rows both budget read models keep for their fold: a month's plan and where each expense counts. */

type StoredPlan = { category: string; amount: string; kind: 'flexible' | 'fixed'; dueDay?: number }[];

const planJson = (plan: readonly PlannedCategory[]) =>
  JSON.stringify(plan.map((c) => ({ ...c, amount: c.amount.toString() })));

export interface StoredPlanRow {
  readonly user_id: string;
  readonly month: string;
  readonly split_algorithm: string;
  readonly plan: StoredPlan;
  readonly [extra: string]: unknown;
}

/**
 * The stored plans (`split_algorithm`, `plan`) of `months` in `table` (`$.plans`, `$.months`), by
 * `key(user, month)`; `extra` adds columns.
 */
export async function loadPlans<P extends MonthPlan>(
  client: PoolClient,
  table: string,
  months: readonly string[][],
  toPlan: (row: StoredPlanRow, plan: MonthPlan) => P,
  extra = '',
): Promise<Map<string, P>> {
  const rows = await rowsByKeys<StoredPlanRow>(
    client,
    `SELECT t.user_id, t.month, t.split_algorithm, t.plan${extra} FROM ${table} t`,
    ['user_id', 'month'],
    ['uuid', 'text'],
    months,
  );
  const parsed = (r: StoredPlanRow) =>
    r.plan.map((c) => ({ ...c, amount: BigInt(c.amount) }) as PlannedCategory);
  return new Map(
    rows.map((r) => [
      key(r.user_id, r.month),
      toPlan(r, { splitAlgorithm: r.split_algorithm, plan: parsed(r) }),
    ]),
  );
}

export const USER: Column<MonthWrite> = ['user_id', 'uuid', (r) => r.user];
export const MONTH: Column<MonthWrite> = ['month', 'text', (r) => r.month];
export const PLAN_COLUMNS: readonly Column<MonthWrite & MonthPlan>[] = [
  USER,
  MONTH,
  ['split_algorithm', 'text', (p) => p.splitAlgorithm],
  ['plan', 'jsonb', (p) => planJson(p.plan)],
];

/** Writes the batch's `$.expenses` rows (where each expense now counts); `extra` are more columns. */
export async function writeExpenses<X extends LedgerExpense>(
  client: PoolClient,
  sql: (text: string) => string,
  rows: readonly ExpenseWrite<X>[],
  extra: readonly Column<ExpenseWrite<X>>[] = [],
): Promise<void> {
  const columns: Column<ExpenseWrite<X>>[] = [
    USER,
    MONTH,
    ['transaction_id', 'text', (e) => e.transactionId],
    ['day', 'date', (e) => e.day],
    ['category', 'text', (e) => e.category],
    ...extra,
    ['amount', 'bigint', (e) => e.amount.toString()],
    ['voided', 'boolean', (e) => e.voided],
  ];
  const updated = columns.slice(3).map(([name]) => name);
  await insertRows(
    client,
    sql('$.expenses'),
    columns,
    rows,
    `(user_id, month, transaction_id) DO UPDATE SET ${replace(...updated)}`,
  );
}

/** The stored `$.expenses` rows of `keys`, by `key(user, month, transaction)`; `extra` adds columns. */
export async function loadExpenses<X extends LedgerExpense>(
  client: PoolClient,
  sql: (text: string) => string,
  keys: readonly string[][],
  toExpense: (row: ExpenseRow) => X,
  extra = '',
): Promise<Map<string, X>> {
  const rows = await rowsByKeys<ExpenseRow>(
    client,
    sql(`SELECT t.user_id, t.month, t.transaction_id, to_char(t.day, 'YYYY-MM-DD') AS day, t.category,
           t.amount::text AS amount, t.voided${extra} FROM $.expenses t`),
    ['user_id', 'month', 'transaction_id'],
    ['uuid', 'text', 'text'],
    keys,
  );
  return new Map(rows.map((r) => [key(r.user_id, r.month, r.transaction_id), toExpense(r)]));
}

export interface ExpenseRow {
  readonly user_id: string;
  readonly month: string;
  readonly transaction_id: string;
  readonly day: string;
  readonly category: string;
  readonly amount: string;
  readonly voided: boolean;
  readonly [extra: string]: unknown;
}
