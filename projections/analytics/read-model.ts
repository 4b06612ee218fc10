import type { Pool } from 'pg';
import type {
  AnalyticsReadModel,
  CategoryMonthTotals,
  DayTotals,
  MerchantMonthTotals,
} from '../../src/application/ports/analytics-read-model.port.js';
import type { GlobalPosition } from '../../src/application/ports/event-store.port.js';
import { viewName } from '../../src/application/ports/projection.port.js';
import type { LocalDate, YearMonth } from '../../src/domain/shared/local-date.js';
import { waitForLive } from '../support.js';

const PROJECTION = 'analytics';
const DAILY = viewName(PROJECTION, 'daily_totals');
const CATEGORIES = viewName(PROJECTION, 'category_months');
const MERCHANTS = viewName(PROJECTION, 'merchant_months');

/** Reads the analytics projection through the views that always point at its live generation. */
export class PostgresAnalyticsReadModel implements AnalyticsReadModel {
  constructor(private readonly pool: Pool) {}

  async days(userId: string, from: YearMonth, to: YearMonth): Promise<DayTotals[]> {
    const { rows } = await this.pool.query<{
      day: string;
      allocated: string;
      spent: string;
      transactions: number;
    }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, allocated::text, spent::text, transactions FROM ${DAILY} d
       WHERE user_id = $1 AND day >= ($2 || '-01')::date AND day < ($3 || '-01')::date + interval '1 month'
       ORDER BY d.day`,
      [userId, from, to],
    );
    return rows.map((r) => ({
      day: r.day as LocalDate,
      allocated: BigInt(r.allocated),
      spent: BigInt(r.spent),
      transactions: r.transactions,
    }));
  }

  async categories(userId: string, from: YearMonth, to: YearMonth): Promise<CategoryMonthTotals[]> {
    const { rows } = await this.pool.query<{
      month: string;
      category: string;
      allocated: string;
      spent: string;
      transactions: number;
    }>(
      `SELECT month, category, allocated::text, spent::text, transactions FROM ${CATEGORIES}
       WHERE user_id = $1 AND month >= $2 AND month <= $3 ORDER BY month, category`,
      [userId, from, to],
    );
    return rows.map((r) => ({
      month: r.month as YearMonth,
      category: r.category,
      allocated: BigInt(r.allocated),
      spent: BigInt(r.spent),
      transactions: r.transactions,
    }));
  }

  async topMerchants(userId: string, month: YearMonth, limit: number): Promise<MerchantMonthTotals[]> {
    const { rows } = await this.pool.query<{ merchant: string; spent: string; transactions: number }>(
      `SELECT m.merchant, m.spent::text AS spent, m.transactions FROM ${MERCHANTS} m
       WHERE m.user_id = $1 AND m.month = $2 AND m.merchant <> '' AND m.transactions > 0
       ORDER BY m.spent DESC, m.merchant LIMIT $3`,
      [userId, month, limit],
    );
    return rows.map((r) => ({ merchant: r.merchant, spent: BigInt(r.spent), transactions: r.transactions }));
  }

  waitFor(position: GlobalPosition, timeoutMs: number): Promise<boolean> {
    return waitForLive(this.pool, PROJECTION, position, timeoutMs);
  }
}
