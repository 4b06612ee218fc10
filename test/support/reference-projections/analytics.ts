import { readFileSync } from 'node:fs';
import type { PoolClient } from 'pg';
import { budgetStreamOwner, sqlFor } from '../../../projections/support.js';
import { budgetMonthCodec } from '../../../src/application/events/budget-month.codec.js';
import type { RecordedEvent } from '../../../src/application/ports/event-store.port.js';
import type { Projection } from '../../../src/application/ports/projection.port.js';
import { parseCellKey } from '../../../src/domain/budget-month/cells.js';
import type {
  BudgetMonthEvent,
  BudgetMonthEventType,
  CellMove,
  PlannedCategory,
} from '../../../src/domain/budget-month/events.js';
import { splitAlgorithm } from '../../../src/domain/budget-month/split-algorithms.js';
import { dateInMonth, type YearMonth } from '../../../src/domain/shared/local-date.js';

const SCHEMA_SQL = readFileSync(
  new URL('../../../projections/analytics/schema.sql', import.meta.url),
  'utf8',
);

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

/** How merchants are grouped: trimmed and lower-case; '' when the expense names none. */
export const normaliseMerchant = (merchant: string | undefined): string =>
  (merchant ?? '').trim().toLowerCase();

interface PlanRow {
  readonly splitAlgorithm: string;
  readonly plan: readonly PlannedCategory[];
}
interface ExpenseRow {
  readonly day: string;
  readonly category: string;
  readonly merchant: string;
  readonly amount: bigint;
  readonly voided: boolean;
}

interface DailyDelta {
  readonly user: string;
  readonly day: string;
  allocated: bigint;
  spent: bigint;
  transactions: number;
}
interface CategoryDelta {
  readonly user: string;
  readonly month: string;
  readonly category: string;
  allocated: bigint;
  spent: bigint;
  transactions: number;
}
interface MerchantDelta {
  readonly user: string;
  readonly month: string;
  readonly merchant: string;
  spent: bigint;
  transactions: number;
}

/** Rows of one table keyed by their primary key (any text, so separators in names cannot collide). */
class Keyed<R> {
  private readonly rows = new Map<string, R>();
  constructor(private readonly create: (key: readonly string[]) => R) {}

  at(...key: string[]): R {
    const id = JSON.stringify(key);
    let row = this.rows.get(id);
    if (!row) {
      row = this.create(key);
      this.rows.set(id, row);
    }
    return row;
  }

  get size(): number {
    return this.rows.size;
  }

  values(): R[] {
    return [...this.rows.values()];
  }
}

const key = (...parts: string[]) => JSON.stringify(parts);

/**
 * One batch's changes, accumulated in memory and written with one statement per table. Totals only
 * ever receive deltas, and every row an event touches is written even when its delta nets to zero, so
 * the rows do not depend on how the log was cut into batches. A re-plan (allowed only before anything
 * else happened in the month) adds the new split and takes the old one back out.
 */
class Batch {
  readonly daily = new Keyed<DailyDelta>(([user, day]) => ({
    user: user as string,
    day: day as string,
    allocated: 0n,
    spent: 0n,
    transactions: 0,
  }));
  readonly categories = new Keyed<CategoryDelta>(([user, month, category]) => ({
    user: user as string,
    month: month as string,
    category: category as string,
    allocated: 0n,
    spent: 0n,
    transactions: 0,
  }));
  readonly merchants = new Keyed<MerchantDelta>(([user, month, merchant]) => ({
    user: user as string,
    month: month as string,
    merchant: merchant as string,
    spent: 0n,
    transactions: 0,
  }));
  /** Plans and expenses written by this batch, by `key(user, month[, transaction])`. */
  readonly plans = new Map<string, PlanRow & { user: string; month: string }>();
  readonly expenses = new Map<string, ExpenseRow & { user: string; month: string; transactionId: string }>();

  constructor(
    private readonly knownPlans: ReadonlyMap<string, PlanRow>,
    private readonly knownExpenses: ReadonlyMap<string, ExpenseRow>,
  ) {}

  apply(user: string, month: YearMonth, event: BudgetMonthEvent): void {
    switch (event.type) {
      case 'BudgetPlanned': {
        const planKey = key(user, month);
        const previous = this.plans.get(planKey) ?? this.knownPlans.get(planKey);
        if (previous) this.addSplit(user, month, previous, -1n);
        const next = { splitAlgorithm: event.data.splitAlgorithm, plan: event.data.categories };
        this.addSplit(user, month, next, 1n);
        this.plans.set(planKey, { user, month, ...next });
        return;
      }
      case 'ExpenseRecorded': {
        const { transactionId, day, category, amount, merchant } = event.data;
        const expense = { day, category, merchant: normaliseMerchant(merchant), amount, voided: false };
        this.addExpense(user, month, expense, 1);
        this.expenses.set(key(user, month, transactionId), { user, month, transactionId, ...expense });
        return;
      }
      case 'ExpenseAmended':
      case 'ExpenseVoided': {
        const { transactionId } = event.data;
        const expenseKey = key(user, month, transactionId);
        const before = this.expenses.get(expenseKey) ?? this.knownExpenses.get(expenseKey);
        if (!before) throw new Error(`${event.type} for unknown transaction ${transactionId}`);
        if (before.voided) throw new Error(`${event.type} for voided transaction ${transactionId}`);
        this.addExpense(user, month, before, -1);
        if (event.type === 'ExpenseVoided') {
          this.expenses.set(expenseKey, { user, month, transactionId, ...before, voided: true });
          return;
        }
        const { day, category, amount, merchant } = event.data;
        const after = { day, category, merchant: normaliseMerchant(merchant), amount, voided: false };
        this.addExpense(user, month, after, 1);
        this.expenses.set(expenseKey, { user, month, transactionId, ...after });
        return;
      }
      case 'BudgetReplanned':
        this.addMoves(user, month, event.data.moves);
        return;
      case 'BudgetRebalanced':
        this.addMoves(user, month, event.data.moves);
        this.addAllocation(user, month, event.data.coveredDay, event.data.category, event.data.amount);
        return;
      case 'AllocationAdjusted': {
        const { from, to, amount } = event.data;
        this.addAllocation(user, month, from.day, from.category, -amount);
        this.addAllocation(user, month, to.day, to.category, amount);
        return;
      }
      case 'DayClosed':
        this.addMoves(user, month, event.data.moves);
        return;
      case 'OverspendDetected':
      case 'MonthOverdrawn':
      case 'ShortfallReduced':
        return;
    }
  }

  private addAllocation(user: string, month: string, day: string, category: string, amount: bigint) {
    this.daily.at(user, day).allocated += amount;
    this.categories.at(user, month, category).allocated += amount;
  }

  private addSplit(user: string, month: YearMonth, plan: PlanRow, sign: bigint) {
    for (const [cell, amount] of splitAlgorithm(plan.splitAlgorithm)(plan.plan, month)) {
      const { day, category } = parseCellKey(cell);
      this.addAllocation(user, month, dateInMonth(month, day), category, sign * amount);
    }
  }

  private addMoves(user: string, month: string, moves: readonly CellMove[]) {
    for (const move of moves) this.addAllocation(user, month, move.day, move.category, move.amount);
  }

  private addExpense(user: string, month: string, expense: ExpenseRow, sign: 1 | -1) {
    const amount = sign === 1 ? expense.amount : -expense.amount;
    const daily = this.daily.at(user, expense.day);
    daily.spent += amount;
    daily.transactions += sign;
    const category = this.categories.at(user, month, expense.category);
    category.spent += amount;
    category.transactions += sign;
    const merchant = this.merchants.at(user, month, expense.merchant);
    merchant.spent += amount;
    merchant.transactions += sign;
  }
}

type StoredPlan = { category: string; amount: string; kind: 'flexible' | 'fixed'; dueDay?: number }[];

const planJson = (plan: readonly PlannedCategory[]) =>
  JSON.stringify(plan.map((c) => ({ ...c, amount: c.amount.toString() })));

const parsePlan = (json: StoredPlan): PlannedCategory[] =>
  json.map((c) => ({ ...c, amount: BigInt(c.amount) }) as PlannedCategory);

/** Columns for `unnest`: one array per field, in the order given. */
const columns = <R>(rows: readonly R[], ...fields: ((row: R) => unknown)[]): unknown[][] =>
  fields.map((field) => rows.map(field));

export const analyticsProjection: Projection = {
  name: 'analytics',
  // 2: re-plans (BudgetReplanned) move allocations.
  version: 2,
  eventTypes: new Set<string>(EVENT_TYPES),
  publishedTables: ['daily_totals', 'category_months', 'merchant_months'],
  ddl: (schema) => SCHEMA_SQL.replaceAll('{{schema}}', schema),

  async applyBatch(client: PoolClient, schema: string, recorded: readonly RecordedEvent[]) {
    const sql = sqlFor(schema);
    const events = recorded.flatMap((r) => {
      if (!EVENT_TYPES.includes(r.type as BudgetMonthEventType)) return [];
      const owner = budgetStreamOwner(r.streamName);
      return owner ? [{ ...owner, event: budgetMonthCodec.decode(r) }] : [];
    });
    if (events.length === 0) return;

    const planKeys = [
      ...new Map(
        events
          .filter((e) => e.event.type === 'BudgetPlanned')
          .map((e) => [key(e.userId, e.month), [e.userId, e.month]] as const),
      ).values(),
    ];
    const knownPlans = new Map<string, PlanRow>();
    if (planKeys.length > 0) {
      const { rows } = await client.query<{
        user_id: string;
        month: string;
        split_algorithm: string;
        plan: StoredPlan;
      }>(
        sql(`SELECT p.user_id, p.month, p.split_algorithm, p.plan FROM $.plans p
             JOIN unnest($1::uuid[], $2::text[]) AS k(user_id, month) USING (user_id, month)`),
        columns(
          planKeys,
          (k) => k[0],
          (k) => k[1],
        ),
      );
      for (const r of rows) {
        knownPlans.set(key(r.user_id, r.month), {
          splitAlgorithm: r.split_algorithm,
          plan: parsePlan(r.plan),
        });
      }
    }

    const expenseKeys = events.flatMap((e) =>
      e.event.type === 'ExpenseAmended' || e.event.type === 'ExpenseVoided'
        ? [[e.userId, e.month, e.event.data.transactionId] as const]
        : [],
    );
    const knownExpenses = new Map<string, ExpenseRow>();
    if (expenseKeys.length > 0) {
      const { rows } = await client.query<{
        user_id: string;
        month: string;
        transaction_id: string;
        day: string;
        category: string;
        merchant: string;
        amount: string;
        voided: boolean;
      }>(
        sql(`SELECT e.user_id, e.month, e.transaction_id, to_char(e.day, 'YYYY-MM-DD') AS day, e.category,
               e.merchant, e.amount::text AS amount, e.voided
             FROM $.expenses e
             JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS k(user_id, month, transaction_id)
               USING (user_id, month, transaction_id)`),
        columns(
          expenseKeys,
          (k) => k[0],
          (k) => k[1],
          (k) => k[2],
        ),
      );
      for (const r of rows) {
        knownExpenses.set(key(r.user_id, r.month, r.transaction_id), {
          day: r.day,
          category: r.category,
          merchant: r.merchant,
          amount: BigInt(r.amount),
          voided: r.voided,
        });
      }
    }

    const batch = new Batch(knownPlans, knownExpenses);
    for (const { userId, month, event } of events) batch.apply(userId, month, event);

    if (batch.daily.size > 0) {
      await client.query(
        sql(`INSERT INTO $.daily_totals AS t (user_id, day, allocated, spent, transactions)
             SELECT * FROM unnest($1::uuid[], $2::date[], $3::bigint[], $4::bigint[], $5::integer[])
             ON CONFLICT (user_id, day) DO UPDATE SET allocated = t.allocated + EXCLUDED.allocated,
               spent = t.spent + EXCLUDED.spent, transactions = t.transactions + EXCLUDED.transactions`),
        columns(
          batch.daily.values(),
          (d) => d.user,
          (d) => d.day,
          (d) => d.allocated.toString(),
          (d) => d.spent.toString(),
          (d) => d.transactions,
        ),
      );
    }
    if (batch.categories.size > 0) {
      await client.query(
        sql(`INSERT INTO $.category_months AS t (user_id, month, category, allocated, spent, transactions)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::integer[])
             ON CONFLICT (user_id, month, category) DO UPDATE SET allocated = t.allocated + EXCLUDED.allocated,
               spent = t.spent + EXCLUDED.spent, transactions = t.transactions + EXCLUDED.transactions`),
        columns(
          batch.categories.values(),
          (c) => c.user,
          (c) => c.month,
          (c) => c.category,
          (c) => c.allocated.toString(),
          (c) => c.spent.toString(),
          (c) => c.transactions,
        ),
      );
    }
    if (batch.merchants.size > 0) {
      await client.query(
        sql(`INSERT INTO $.merchant_months AS t (user_id, month, merchant, spent, transactions)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::integer[])
             ON CONFLICT (user_id, month, merchant) DO UPDATE SET spent = t.spent + EXCLUDED.spent,
               transactions = t.transactions + EXCLUDED.transactions`),
        columns(
          batch.merchants.values(),
          (m) => m.user,
          (m) => m.month,
          (m) => m.merchant,
          (m) => m.spent.toString(),
          (m) => m.transactions,
        ),
      );
    }
    if (batch.plans.size > 0) {
      await client.query(
        sql(`INSERT INTO $.plans (user_id, month, split_algorithm, plan)
             SELECT u, m, s, p::jsonb FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS x(u, m, s, p)
             ON CONFLICT (user_id, month) DO UPDATE SET split_algorithm = EXCLUDED.split_algorithm, plan = EXCLUDED.plan`),
        columns(
          [...batch.plans.values()],
          (p) => p.user,
          (p) => p.month,
          (p) => p.splitAlgorithm,
          (p) => planJson(p.plan),
        ),
      );
    }
    if (batch.expenses.size > 0) {
      await client.query(
        sql(`INSERT INTO $.expenses (user_id, month, transaction_id, day, category, merchant, amount, voided)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], $7::bigint[], $8::boolean[])
             ON CONFLICT (user_id, month, transaction_id) DO UPDATE SET day = EXCLUDED.day, category = EXCLUDED.category,
               merchant = EXCLUDED.merchant, amount = EXCLUDED.amount, voided = EXCLUDED.voided`),
        columns(
          [...batch.expenses.values()],
          (e) => e.user,
          (e) => e.month,
          (e) => e.transactionId,
          (e) => e.day,
          (e) => e.category,
          (e) => e.merchant,
          (e) => e.amount.toString(),
          (e) => e.voided,
        ),
      );
    }
  },
};
