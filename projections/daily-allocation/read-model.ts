import type { Pool } from 'pg';
import type {
  BudgetReadModel,
  CellTotals,
  MonthView,
} from '../../src/application/ports/budget-read-model.port.js';
import type { GlobalPosition } from '../../src/application/ports/event-store.port.js';
import { viewName } from '../../src/application/ports/projection.port.js';
import type { PlannedCategory } from '../../src/domain/budget-month/events.js';
import type { LocalDate, YearMonth } from '../../src/domain/shared/local-date.js';
import type { Currency } from '../../src/domain/shared/money.js';
import { waitForLive } from '../support.js';

const CELLS = viewName('daily-allocation', 'cells');
const MONTHS = viewName('daily-allocation', 'months');
const CLOSED = viewName('daily-allocation', 'closed_days');

interface MonthRow {
  currency: string;
  split_algorithm: string;
  plan: { category: string; amount: string; kind: 'flexible' | 'fixed'; dueDay?: number }[];
  saved: string;
  planned: boolean;
}

const totals = (allocated: string, spent: string): CellTotals => ({
  allocated: BigInt(allocated),
  spent: BigInt(spent),
});

/** Reads the daily-allocation projection through the views that always point at its live generation. */
export class PostgresBudgetReadModel implements BudgetReadModel {
  constructor(private readonly pool: Pool) {}

  async month(userId: string, month: YearMonth): Promise<MonthView | undefined> {
    const [monthRows, days, categories, closed] = await Promise.all([
      this.pool.query<MonthRow>(
        `SELECT currency, split_algorithm, plan, saved::text, planned FROM ${MONTHS} WHERE user_id = $1 AND month = $2`,
        [userId, month],
      ),
      this.pool.query<{ day: string; allocated: string; spent: string }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(allocated)::text AS allocated, sum(spent)::text AS spent FROM ${CELLS}
         WHERE user_id = $1 AND day >= ($2 || '-01')::date AND day < ($2 || '-01')::date + interval '1 month' GROUP BY day`,
        [userId, month],
      ),
      this.pool.query<{ category: string; allocated: string; spent: string; overdrawn: string }>(
        `SELECT category, sum(allocated)::text AS allocated, sum(spent)::text AS spent, sum(overdrawn)::text AS overdrawn FROM ${CELLS}
         WHERE user_id = $1 AND day >= ($2 || '-01')::date AND day < ($2 || '-01')::date + interval '1 month' GROUP BY category`,
        [userId, month],
      ),
      this.pool.query<{ day: string }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM ${CLOSED}
         WHERE user_id = $1 AND day >= ($2 || '-01')::date AND day < ($2 || '-01')::date + interval '1 month'`,
        [userId, month],
      ),
    ]);
    const row = monthRows.rows[0];
    if (!row) return undefined;
    return {
      planned: row.planned,
      currency: row.currency as Currency,
      splitAlgorithm: row.split_algorithm,
      plan: row.plan.map((c) => ({ ...c, amount: BigInt(c.amount) }) as PlannedCategory),
      saved: BigInt(row.saved),
      overdrawn: categories.rows.reduce((t, r) => t + BigInt(r.overdrawn), 0n),
      byCategory: new Map(categories.rows.map((r) => [r.category, totals(r.allocated, r.spent)])),
      byDay: new Map(days.rows.map((r) => [r.day as LocalDate, totals(r.allocated, r.spent)])),
      closedDays: new Set(closed.rows.map((r) => r.day as LocalDate)),
    };
  }

  /** One statement: the month's plan and the day's cells (the hot read of the mobile app). */
  async day(userId: string, date: LocalDate) {
    const { rows } = await this.pool.query<
      Pick<MonthRow, 'currency' | 'plan' | 'planned'> & {
        cells: { category: string; allocated: string; spent: string }[];
      }
    >(
      `SELECT m.currency, m.plan, m.planned, COALESCE((
         SELECT json_agg(json_build_object('category', c.category, 'allocated', c.allocated::text, 'spent', c.spent::text))
         FROM ${CELLS} c WHERE c.user_id = $1 AND c.day = $3), '[]') AS cells
       FROM ${MONTHS} m WHERE m.user_id = $1 AND m.month = $2`,
      [userId, date.slice(0, 7), date],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      month: {
        planned: row.planned,
        currency: row.currency as Currency,
        plan: row.plan.map((c) => ({ ...c, amount: BigInt(c.amount) }) as PlannedCategory),
      },
      cells: new Map(row.cells.map((r) => [r.category, totals(r.allocated, r.spent)])),
    };
  }

  waitFor(position: GlobalPosition, timeoutMs: number): Promise<boolean> {
    return waitForLive(this.pool, 'daily-allocation', position, timeoutMs);
  }
}
