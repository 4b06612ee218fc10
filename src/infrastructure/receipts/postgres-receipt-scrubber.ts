import type { Pool } from 'pg';
import type { PersonalDataScrubber } from '../../application/ports/personal-data-scrubber.port.js';

/** Statements that remove an erased user's receipt photos, notifications, settings and device tokens. */
const DELETES = [
  'DELETE FROM receipt_images WHERE user_id = $1::uuid',
  'DELETE FROM notifications WHERE user_id = $1::uuid',
  'DELETE FROM notification_devices WHERE user_id = $1::uuid',
  'DELETE FROM notification_settings WHERE user_id = $1::uuid',
];

/** Erasure of what receipts and notifications copied outside the log (migration 016's tables). */
export const postgresReceiptScrubber = (pool: Pool): PersonalDataScrubber => ({
  name: 'receipts-and-notifications',
  scrub: async (userId) => {
    let rows = 0;
    for (const sql of DELETES) rows += (await pool.query(sql, [userId])).rowCount ?? 0;
    return { rows, settled: true };
  },
});
