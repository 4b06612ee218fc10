import type { Pool } from 'pg';
import type { JsonObject } from '../../application/ports/event-store.port.js';
import {
  DEFAULT_NOTIFICATION_SETTINGS,
  type Device,
  type NotificationKind,
  type NotificationRecord,
  type NotificationSettings,
  type NotificationStore,
} from '../../application/ports/notification-store.port.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Row {
  id: string;
  user_id: string;
  kind: NotificationKind;
  text: string;
  data: JsonObject;
  created_at: Date;
  read_at: Date | null;
}

/** Notification records, settings and device tokens (migration 016). */
export class PostgresNotificationStore implements NotificationStore {
  constructor(private readonly pool: Pool) {}

  async add(r: NotificationRecord): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO notifications (id, user_id, kind, text, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO NOTHING`,
      [r.id, r.userId, r.kind, r.text, JSON.stringify(r.data), r.createdAt],
    );
    return rowCount === 1;
  }

  async list(userId: string, options: { limit: number; unreadOnly: boolean }): Promise<NotificationRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT id, user_id, kind, text, data, created_at, read_at FROM notifications
       WHERE user_id = $1 AND (NOT $2 OR read_at IS NULL) ORDER BY created_at DESC, id LIMIT $3`,
      [userId, options.unreadOnly, options.limit],
    );
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      kind: r.kind,
      text: r.text,
      data: r.data,
      createdAt: r.created_at.toISOString(),
      ...(r.read_at ? { readAt: r.read_at.toISOString() } : {}),
    }));
  }

  async markRead(userId: string, id: string, at: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const { rowCount } = await this.pool.query(
      'UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2',
      [id, userId, at],
    );
    return rowCount === 1;
  }

  async settings(userId: string): Promise<NotificationSettings> {
    const { rows } = await this.pool.query<{ settings: NotificationSettings }>(
      'SELECT settings FROM notification_settings WHERE user_id = $1',
      [userId],
    );
    const saved = rows[0]?.settings;
    return saved
      ? { push: saved.push, kinds: { ...DEFAULT_NOTIFICATION_SETTINGS.kinds, ...saved.kinds } }
      : DEFAULT_NOTIFICATION_SETTINGS;
  }

  async saveSettings(userId: string, settings: NotificationSettings): Promise<void> {
    await this.pool.query(
      `INSERT INTO notification_settings (user_id, settings) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
      [userId, JSON.stringify(settings)],
    );
  }

  async addDevice(userId: string, device: Device): Promise<void> {
    await this.pool.query(
      `INSERT INTO notification_devices (token, user_id, platform, registered_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (token) DO UPDATE SET user_id = EXCLUDED.user_id, platform = EXCLUDED.platform,
         registered_at = EXCLUDED.registered_at`,
      [device.token, userId, device.platform, device.registeredAt],
    );
  }

  async removeDevice(userId: string, token: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM notification_devices WHERE token = $1 AND user_id = $2',
      [token, userId],
    );
    return rowCount === 1;
  }

  async devices(userId: string): Promise<Device[]> {
    const { rows } = await this.pool.query<{ token: string; platform: string; registered_at: Date }>(
      'SELECT token, platform, registered_at FROM notification_devices WHERE user_id = $1 ORDER BY registered_at LIMIT 50',
      [userId],
    );
    return rows.map((r) => ({
      token: r.token,
      platform: r.platform,
      registeredAt: r.registered_at.toISOString(),
    }));
  }

  async forgetToken(token: string): Promise<void> {
    await this.pool.query('DELETE FROM notification_devices WHERE token = $1', [token]);
  }
}
