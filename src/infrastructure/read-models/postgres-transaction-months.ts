import type { Pool } from 'pg';
import { viewName } from '../../application/ports/projection.port.js';
import type { MonthClaim, TransactionMonths } from '../../application/ports/transaction-months.port.js';
import type { YearMonth } from '../../domain/shared/local-date.js';

const TRANSACTIONS = viewName('transactions', 'transactions');

/**
 * Claims in `transaction_months`. History recorded before claims existed (or restored from a backup)
 * has no claim: the transactions read model, rebuilt from the log, answers for it, and its answer becomes
 * the claim (a recorded row wins over voided ones, the latest day among equals).
 */
export class PostgresTransactionMonths implements TransactionMonths {
  constructor(private readonly pool: Pool) {}

  /**
   * One statement: the claim each id already has, else the month the read model holds it in (history
   * from before claims), else the month asked for, which is then claimed. Answers the ids held elsewhere.
   */
  async claim(userId: string, claims: readonly MonthClaim[]): Promise<ReadonlyMap<string, YearMonth>> {
    if (claims.length === 0) return new Map();
    const { rows } = await this.pool.query<{ transaction_id: string; month: string }>(
      `WITH input AS (
         SELECT DISTINCT ON (transaction_id) transaction_id, month
         FROM unnest($2::text[], $3::text[]) AS i(transaction_id, month)),
       recorded AS (
         SELECT DISTINCT ON (t.transaction_id) t.transaction_id, t.month FROM ${TRANSACTIONS} t
         WHERE t.user_id = $1::text::uuid AND t.transaction_id = ANY($2::text[])
         ORDER BY t.transaction_id, (t.status = 'recorded') DESC, t.day DESC),
       held AS (
         SELECT i.transaction_id, i.month AS asked, COALESCE(c.month, r.month, i.month) AS month
         FROM input i
         LEFT JOIN transaction_months c ON c.user_id = $1 AND c.transaction_id = i.transaction_id
         LEFT JOIN recorded r ON r.transaction_id = i.transaction_id),
       claimed AS (
         INSERT INTO transaction_months (user_id, transaction_id, month)
         SELECT $1, transaction_id, month FROM held ON CONFLICT DO NOTHING)
       SELECT transaction_id, month FROM held WHERE month <> asked`,
      [userId, claims.map((c) => c.transactionId), claims.map((c) => c.month)],
    );
    return new Map(rows.map((r) => [r.transaction_id, r.month as YearMonth]));
  }

  async monthOf(userId: string, transactionId: string): Promise<YearMonth | undefined> {
    const { rows } = await this.pool.query<{ month: string }>(
      'SELECT month FROM transaction_months WHERE user_id = $1 AND transaction_id = $2',
      [userId, transactionId],
    );
    return rows[0]?.month as YearMonth | undefined;
  }

  async assign(userId: string, transactionId: string, month: YearMonth): Promise<void> {
    await this.pool.query(
      `INSERT INTO transaction_months (user_id, transaction_id, month) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, transaction_id) DO UPDATE SET month = EXCLUDED.month`,
      [userId, transactionId, month],
    );
  }
}
