import type { Pool } from 'pg';
import type { AiUsage } from '../../application/ports/chat-model.port.js';

/** `ai_usage`: one row per user and day; the count only moves while it is under the limit. */
export class PostgresAiUsage implements AiUsage {
  constructor(private readonly pool: Pool) {}

  async take(userId: string, day: string, limit: number): Promise<boolean> {
    if (limit <= 0) return false;
    const { rowCount } = await this.pool.query(
      `INSERT INTO ai_usage (user_id, day, calls) VALUES ($1, $2::date, 1)
       ON CONFLICT (user_id, day) DO UPDATE SET calls = ai_usage.calls + 1 WHERE ai_usage.calls < $3
       RETURNING calls`,
      [userId, day, limit],
    );
    return rowCount === 1;
  }
}
