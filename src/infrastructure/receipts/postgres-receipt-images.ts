import type { Pool } from 'pg';
import type { ReceiptImage, ReceiptImages } from '../../application/ports/receipt-images.port.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Receipt images in table `receipt_images` (migration 016). */
export class PostgresReceiptImages implements ReceiptImages {
  constructor(private readonly pool: Pool) {}

  async save(image: ReceiptImage): Promise<void> {
    await this.pool.query(
      `INSERT INTO receipt_images (receipt_id, user_id, content_type, content) VALUES ($1, $2, $3, $4)
       ON CONFLICT (receipt_id) DO NOTHING`,
      [image.receiptId, image.userId, image.contentType, Buffer.from(image.content)],
    );
  }

  async load(receiptId: string): Promise<ReceiptImage | undefined> {
    if (!UUID.test(receiptId)) return undefined;
    const { rows } = await this.pool.query<{ user_id: string; content_type: string; content: Buffer }>(
      'SELECT user_id, content_type, content FROM receipt_images WHERE receipt_id = $1',
      [receiptId],
    );
    const row = rows[0];
    return row && { receiptId, userId: row.user_id, contentType: row.content_type, content: row.content };
  }

  async list(userId: string, options: { limit: number; before?: string }): Promise<string[]> {
    if (!UUID.test(userId) || (options.before !== undefined && !UUID.test(options.before))) return [];
    const { rows } = await this.pool.query<{ receipt_id: string }>(
      `SELECT receipt_id FROM receipt_images
       WHERE user_id = $1 AND ($2::uuid IS NULL OR (created_at, receipt_id) <
         (SELECT created_at, receipt_id FROM receipt_images WHERE receipt_id = $2 AND user_id = $1))
       ORDER BY created_at DESC, receipt_id DESC LIMIT $3`,
      [userId, options.before ?? null, options.limit],
    );
    return rows.map((r) => r.receipt_id);
  }
}
