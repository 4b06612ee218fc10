import type { Pool } from 'pg';
import type { Credential, CredentialStore } from '../../application/ports/credential-store.port.js';

export class PostgresCredentialStore implements CredentialStore {
  constructor(private readonly pool: Pool) {}

  async create({ email, userId, passwordHash }: Credential): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'INSERT INTO credentials (email, user_id, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING',
      [email, userId, passwordHash],
    );
    return rowCount === 1;
  }

  async findByEmail(email: string): Promise<Credential | undefined> {
    const { rows } = await this.pool.query<{ email: string; user_id: string; password_hash: string }>(
      'SELECT email, user_id, password_hash FROM credentials WHERE email = $1',
      [email],
    );
    const row = rows[0];
    return row && { email: row.email, userId: row.user_id, passwordHash: row.password_hash };
  }

  async remove(userId: string): Promise<void> {
    await this.pool.query('DELETE FROM credentials WHERE user_id = $1', [userId]);
  }
}
