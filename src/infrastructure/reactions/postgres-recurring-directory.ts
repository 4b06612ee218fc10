import type { Pool, PoolClient } from 'pg';
import type { RecordedEvent } from '../../application/ports/event-store.port.js';
import type { RecurringDirectory, RecurringUser } from '../../application/ports/recurring-directory.port.js';
import { parseRecurringStream } from '../../domain/recurring/recurring-stream.js';

export class PostgresRecurringDirectory implements RecurringDirectory {
  constructor(private readonly pool: Pool) {}

  async usersWithRecurring(afterUserId: string | undefined, limit: number): Promise<RecurringUser[]> {
    const { rows } = await this.pool.query<{ user_id: string; timezone: string }>(
      `SELECT r.user_id::text AS user_id, d.timezone FROM recurring_users r
       JOIN user_directory d ON d.user_id = r.user_id
       WHERE $1::uuid IS NULL OR r.user_id > $1::uuid
       ORDER BY r.user_id LIMIT $2`,
      [afterUserId ?? null, limit],
    );
    return rows.map((r) => ({ userId: r.user_id, timezone: r.timezone }));
  }
}

/** Keeps `recurring_users` in step with the recurring streams; runs in the follower's checkpoint transaction. */
export async function applyToRecurringDirectory(client: PoolClient, event: RecordedEvent): Promise<void> {
  if (event.type === 'RecurringExpenseAdded') {
    const userId = parseRecurringStream(event.streamName);
    if (userId) {
      await client.query('INSERT INTO recurring_users (user_id) VALUES ($1) ON CONFLICT DO NOTHING', [
        userId,
      ]);
    }
  } else if (event.type === 'UserErased') {
    await client.query('DELETE FROM recurring_users WHERE user_id = $1', [
      event.streamName.slice('user-'.length),
    ]);
  }
}
