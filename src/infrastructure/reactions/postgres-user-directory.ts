import type { Pool, PoolClient } from 'pg';
import type { RecordedEvent } from '../../application/ports/event-store.port.js';
import type { DirectoryEntry, UserDirectory } from '../../application/ports/user-directory.port.js';
import { type LocalDate, localDateAt } from '../../domain/shared/local-date.js';

export class PostgresUserDirectory implements UserDirectory {
  constructor(private readonly pool: Pool) {}

  async dueForDayClose(now: Date, limit: number): Promise<DirectoryEntry[]> {
    const { rows } = await this.pool.query<{ user_id: string; timezone: string; next: string }>(
      `SELECT user_id, timezone, to_char(next_day_to_close, 'YYYY-MM-DD') AS next FROM user_directory
       WHERE ($1::timestamptz AT TIME ZONE timezone)::date > next_day_to_close
       ORDER BY user_id LIMIT $2`,
      [now.toISOString(), limit],
    );
    return rows.map((r) => ({
      userId: r.user_id,
      timezone: r.timezone,
      nextDayToClose: r.next as LocalDate,
    }));
  }

  async markClosedBefore(userId: string, day: LocalDate): Promise<void> {
    await this.pool.query('UPDATE user_directory SET next_day_to_close = $2 WHERE user_id = $1', [
      userId,
      day,
    ]);
  }
}

/** Keeps the directory in step with the user streams; runs in the follower's checkpoint transaction. */
export async function applyToUserDirectory(client: PoolClient, event: RecordedEvent): Promise<void> {
  if (event.type === 'UserRegistered') {
    const { userId, timezone, registeredAt } = event.data as {
      userId: string;
      timezone: string;
      registeredAt: string;
    };
    await client.query(
      `INSERT INTO user_directory (user_id, timezone, next_day_to_close) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO NOTHING`,
      [userId, timezone, localDateAt(new Date(registeredAt), timezone)],
    );
  } else if (event.type === 'UserErased') {
    await client.query('DELETE FROM user_directory WHERE user_id = $1', [
      event.streamName.slice('user-'.length),
    ]);
  } else if (event.type === 'ProfileUpdated' && typeof event.data.timezone === 'string') {
    await client.query('UPDATE user_directory SET timezone = $2 WHERE user_id = $1', [
      event.streamName.slice('user-'.length),
      event.data.timezone,
    ]);
  }
}
