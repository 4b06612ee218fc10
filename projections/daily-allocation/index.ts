import { readFileSync } from 'node:fs';
import type { PoolClient } from 'pg';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import type { BudgetMonthEvent, PlannedCategory } from '../../src/domain/budget-month/events.js';
import { withCategory } from '../../src/domain/budget-month/state.js';
import type { Category } from '../../src/domain/shared/category.js';
import type { YearMonth } from '../../src/domain/shared/local-date.js';
import { applyMoves, budgetEvents, changeExpense, type LedgerSink, replacePlan } from '../month-ledger.js';
import { sqlFor } from '../support.js';

const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');
/** Events that read or change a month's row (its plan, or the categories its expenses brought in). */
const PLAN_EVENTS = new Set([
  'BudgetPlanned',
  'BudgetReplanned',
  'DayClosed',
  'ExpenseRecorded',
  'ExpenseAmended',
]);

interface PlanRow {
  readonly currency: string;
  readonly splitAlgorithm: string;
  readonly plan: readonly PlannedCategory[];
  /** False for a month that has expenses but no plan yet (its `plan` lists the spent categories). */
  readonly planned: boolean;
}
interface ExpenseRow {
  day: string;
  category: string;
  amount: bigint;
  voided: boolean;
}
interface CellDelta {
  allocated: bigint;
  spent: bigint;
  overdrawn: bigint;
}

/**
 * One batch's changes, accumulated in memory and written with one statement per table. Cells only ever
 * receive deltas: a replaced plan (only before anything else happened in the month) is the difference
 * between the new and the old split, a mid-month re-plan its recorded moves, so the result matches the
 * aggregate's fold exactly.
 */
class Batch implements LedgerSink<ExpenseRow> {
  readonly cells = new Map<string, CellDelta>();
  /** The user whose event is being applied: where the ledger's deltas go. */
  private user = '';
  readonly months = new Map<string, PlanRow & { savedDelta: bigint }>();
  readonly expenses = new Map<string, ExpenseRow>();
  readonly closedDays = new Set<string>();

  constructor(
    private readonly knownPlans: Map<string, PlanRow>,
    private readonly knownExpenses: Map<string, ExpenseRow>,
  ) {}

  cell(user: string, day: string, category: string): CellDelta {
    const key = `${user}|${day}|${category}`;
    let delta = this.cells.get(key);
    if (!delta) {
      delta = { allocated: 0n, spent: 0n, overdrawn: 0n };
      this.cells.set(key, delta);
    }
    return delta;
  }

  allocate(day: string, category: string, amount: bigint): void {
    this.cell(this.user, day, category).allocated += amount;
  }

  spend(expense: ExpenseRow, sign: 1 | -1): void {
    this.cell(this.user, expense.day, expense.category).spent +=
      sign === 1 ? expense.amount : -expense.amount;
  }

  apply(user: string, month: YearMonth, event: BudgetMonthEvent): void {
    const monthKey = `${user}|${month}`;
    this.user = user;
    switch (event.type) {
      case 'BudgetPlanned': {
        const { categories, splitAlgorithm: split, currency } = event.data;
        const previous = this.plan(monthKey);
        replacePlan(this, month, previous?.planned ? previous : undefined, {
          splitAlgorithm: split,
          plan: categories,
        });
        this.setPlan(monthKey, { currency, splitAlgorithm: split, plan: categories, planned: true });
        return;
      }
      case 'BudgetReplanned': {
        const { categories, splitAlgorithm: split, moves } = event.data;
        const previous = this.plan(monthKey);
        if (!previous) throw new Error(`BudgetReplanned before BudgetPlanned for ${monthKey}`);
        applyMoves(this, moves);
        this.setPlan(monthKey, { ...previous, splitAlgorithm: split, plan: categories });
        return;
      }
      case 'ExpenseRecorded': {
        const { transactionId, day, category, amount } = event.data;
        this.joinCategory(monthKey, category, event.data.currency);
        this.cell(user, day, category).spent += amount;
        this.expenses.set(`${monthKey}|${transactionId}`, { day, category, amount, voided: false });
        return;
      }
      case 'ExpenseAmended':
      case 'ExpenseVoided': {
        const key = `${monthKey}|${event.data.transactionId}`;
        const before = this.expenses.get(key) ?? this.knownExpenses.get(key);
        if (!before) throw new Error(`${event.type} for unknown transaction ${event.data.transactionId}`);
        if (event.type === 'ExpenseVoided') {
          changeExpense(this, before);
          this.expenses.set(key, { ...before, voided: true });
          return;
        }
        const { day, category, amount } = event.data;
        const after = { day, category, amount, voided: false };
        this.joinCategory(monthKey, category);
        changeExpense(this, before, after);
        this.expenses.set(key, after);
        return;
      }
      case 'BudgetRebalanced':
        applyMoves(this, event.data.moves);
        this.cell(user, event.data.coveredDay, event.data.category).allocated += event.data.amount;
        return;
      case 'MonthOverdrawn':
        this.cell(user, event.data.day, event.data.category).overdrawn += event.data.shortfall;
        return;
      case 'ShortfallReduced':
        this.cell(user, event.data.day, event.data.category).overdrawn -= event.data.amount;
        return;
      case 'AllocationAdjusted':
        this.cell(user, event.data.from.day, event.data.from.category).allocated -= event.data.amount;
        this.cell(user, event.data.to.day, event.data.to.category).allocated += event.data.amount;
        return;
      case 'DayClosed': {
        applyMoves(this, event.data.moves);
        const month = this.months.get(monthKey);
        if (month) month.savedDelta += event.data.saved;
        else {
          const known = this.knownPlans.get(monthKey);
          if (!known) throw new Error(`DayClosed before BudgetPlanned for ${monthKey}`);
          this.months.set(monthKey, { ...known, savedDelta: event.data.saved });
        }
        this.closedDays.add(`${user}|${event.data.day}`);
        return;
      }
      case 'OverspendDetected':
        return;
    }
  }

  private plan(monthKey: string): PlanRow | undefined {
    return this.months.get(monthKey) ?? this.knownPlans.get(monthKey);
  }

  private setPlan(monthKey: string, plan: PlanRow): void {
    const savedDelta = this.months.get(monthKey)?.savedDelta ?? 0n;
    this.months.set(monthKey, { ...plan, savedDelta });
    this.knownPlans.set(monthKey, plan);
  }

  /** As the aggregate does: an expense's category joins its month's plan (a month without a plan gets a row). */
  private joinCategory(monthKey: string, category: string, currency?: string): void {
    const current = this.plan(monthKey);
    const plan = withCategory(current?.plan ?? [], category as Category);
    if (current && plan === current.plan) return;
    this.setPlan(
      monthKey,
      current ? { ...current, plan } : { currency: currency ?? '', splitAlgorithm: '', plan, planned: false },
    );
  }
}

const planJson = (plan: readonly PlannedCategory[]) =>
  JSON.stringify(plan.map((c) => ({ ...c, amount: c.amount.toString() })));

const parsePlan = (
  json: { category: string; amount: string; kind: 'flexible' | 'fixed'; dueDay?: number }[],
) => json.map((c) => ({ ...c, amount: BigInt(c.amount) }) as PlannedCategory);

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

    const planKeys = [
      ...new Set(events.filter((e) => PLAN_EVENTS.has(e.event.type)).map((e) => `${e.userId}|${e.month}`)),
    ];
    const knownPlans = new Map<string, PlanRow>();
    if (planKeys.length > 0) {
      const { rows } = await client.query<{
        user_id: string;
        month: string;
        currency: string;
        split_algorithm: string;
        plan: never;
        planned: boolean;
      }>(
        sql(`SELECT m.user_id, m.month, m.currency, m.split_algorithm, m.plan, m.planned FROM $.months m
             JOIN unnest($1::uuid[], $2::text[]) AS k(user_id, month) USING (user_id, month)`),
        [planKeys.map((k) => k.split('|')[0]), planKeys.map((k) => k.split('|')[1])],
      );
      for (const r of rows) {
        knownPlans.set(`${r.user_id}|${r.month}`, {
          currency: r.currency,
          splitAlgorithm: r.split_algorithm,
          plan: parsePlan(r.plan),
          planned: r.planned,
        });
      }
    }
    const expenseKeys = events.flatMap((e) =>
      e.event.type === 'ExpenseAmended' || e.event.type === 'ExpenseVoided'
        ? [[e.userId, e.month, e.event.data.transactionId]]
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
        amount: string;
        voided: boolean;
      }>(
        sql(`SELECT e.user_id, e.month, e.transaction_id, to_char(e.day, 'YYYY-MM-DD') AS day, e.category, e.amount::text, e.voided
             FROM $.expenses e JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS k(user_id, month, transaction_id)
             USING (user_id, month, transaction_id)`),
        [expenseKeys.map((k) => k[0]), expenseKeys.map((k) => k[1]), expenseKeys.map((k) => k[2])],
      );
      for (const r of rows) {
        knownExpenses.set(`${r.user_id}|${r.month}|${r.transaction_id}`, {
          day: r.day,
          category: r.category,
          amount: BigInt(r.amount),
          voided: r.voided,
        });
      }
    }

    const batch = new Batch(knownPlans, knownExpenses);
    for (const { userId, month, event } of events) batch.apply(userId, month, event);

    if (batch.cells.size > 0) {
      const users: string[] = [];
      const days: string[] = [];
      const categories: string[] = [];
      const allocated: string[] = [];
      const spent: string[] = [];
      const overdrawn: string[] = [];
      for (const [key, d] of batch.cells) {
        const [user, day, category] = key.split('|') as [string, string, string];
        users.push(user);
        days.push(day);
        categories.push(category);
        allocated.push(d.allocated.toString());
        spent.push(d.spent.toString());
        overdrawn.push(d.overdrawn.toString());
      }
      await client.query(
        sql(`INSERT INTO $.cells AS c (user_id, day, category, allocated, spent, overdrawn)
             SELECT * FROM unnest($1::uuid[], $2::date[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
             ON CONFLICT (user_id, day, category) DO UPDATE SET allocated = c.allocated + EXCLUDED.allocated,
               spent = c.spent + EXCLUDED.spent, overdrawn = c.overdrawn + EXCLUDED.overdrawn`),
        [users, days, categories, allocated, spent, overdrawn],
      );
    }
    if (batch.months.size > 0) {
      const rows = [...batch.months].map(([key, m]) => [
        ...key.split('|'),
        m.currency,
        m.splitAlgorithm,
        planJson(m.plan),
        m.savedDelta.toString(),
        m.planned,
      ]);
      await client.query(
        sql(`INSERT INTO $.months AS m (user_id, month, currency, split_algorithm, plan, saved, planned)
             SELECT u, mo, cu, sa, p::jsonb, s, pl FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::boolean[]) AS x(u, mo, cu, sa, p, s, pl)
             ON CONFLICT (user_id, month) DO UPDATE SET currency = EXCLUDED.currency, split_algorithm = EXCLUDED.split_algorithm,
               plan = EXCLUDED.plan, saved = m.saved + EXCLUDED.saved, planned = EXCLUDED.planned`),
        [0, 1, 2, 3, 4, 5, 6].map((i) => rows.map((r) => r[i])),
      );
    }
    if (batch.expenses.size > 0) {
      const rows = [...batch.expenses].map(([key, e]) => [
        ...key.split('|'),
        e.day,
        e.category,
        e.amount.toString(),
        e.voided,
      ]);
      await client.query(
        sql(`INSERT INTO $.expenses (user_id, month, transaction_id, day, category, amount, voided)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::text[], $6::bigint[], $7::boolean[])
             ON CONFLICT (user_id, month, transaction_id) DO UPDATE SET day = EXCLUDED.day, category = EXCLUDED.category,
               amount = EXCLUDED.amount, voided = EXCLUDED.voided`),
        [0, 1, 2, 3, 4, 5, 6].map((i) => rows.map((r) => r[i])),
      );
    }
    if (batch.closedDays.size > 0) {
      const pairs = [...batch.closedDays].map((k) => k.split('|'));
      await client.query(
        sql(
          `INSERT INTO $.closed_days (user_id, day) SELECT * FROM unnest($1::uuid[], $2::date[]) ON CONFLICT DO NOTHING`,
        ),
        [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      );
    }
  },
};
