import type { Pool } from 'pg';
import type {
  CredentialRecord,
  InstallationSecrets,
  SubjectKeyRecord,
} from '../../application/ports/installation-secrets.port.js';

const PAGE = 1000;

/** Tables `subject_keys` (migration 009) and `credentials` (migration 002), keyset-paged. */
export class PostgresInstallationSecrets implements InstallationSecrets {
  constructor(private readonly pool: Pool) {}

  async *subjectKeys(): AsyncIterable<SubjectKeyRecord> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await this.pool.query<{
        user_id: string;
        key: Buffer | null;
        created_at: Date;
        erased_at: Date | null;
      }>(
        `SELECT user_id::text, key, created_at, erased_at FROM subject_keys WHERE user_id > $1::uuid
         ORDER BY user_id LIMIT $2`,
        [after, PAGE],
      );
      for (const r of rows) {
        yield {
          userId: r.user_id,
          key: r.key ? r.key.toString('base64') : null,
          createdAt: r.created_at.toISOString(),
          erasedAt: r.erased_at ? r.erased_at.toISOString() : null,
        };
      }
      if (rows.length < PAGE) return;
      after = (rows[rows.length - 1] as { user_id: string }).user_id;
    }
  }

  async *credentials(): AsyncIterable<CredentialRecord> {
    let after = '';
    for (;;) {
      const { rows } = await this.pool.query<{
        email: string;
        user_id: string;
        password_hash: string;
        created_at: Date;
      }>(
        `SELECT email, user_id::text, password_hash, created_at FROM credentials WHERE email COLLATE "C" > $1
         ORDER BY email COLLATE "C" LIMIT $2`,
        [after, PAGE],
      );
      for (const r of rows) {
        yield {
          email: r.email,
          userId: r.user_id,
          passwordHash: r.password_hash,
          createdAt: r.created_at.toISOString(),
        };
      }
      if (rows.length < PAGE) return;
      after = (rows[rows.length - 1] as { email: string }).email;
    }
  }

  async isEmpty(): Promise<boolean> {
    const { rows } = await this.pool.query<{ empty: boolean }>(
      'SELECT NOT EXISTS (SELECT 1 FROM subject_keys) AND NOT EXISTS (SELECT 1 FROM credentials) AS empty',
    );
    return rows[0]?.empty === true;
  }

  async restoreSubjectKeys(records: readonly SubjectKeyRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.pool.query(
      `INSERT INTO subject_keys (user_id, key, created_at, erased_at)
       SELECT (r->>'userId')::uuid, decode(r->>'key', 'base64'), (r->>'createdAt')::timestamptz, (r->>'erasedAt')::timestamptz
       FROM jsonb_array_elements($1::jsonb) AS r`,
      [JSON.stringify(records)],
    );
  }

  async restoreCredentials(records: readonly CredentialRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.pool.query(
      `INSERT INTO credentials (email, user_id, password_hash, created_at)
       SELECT r->>'email', (r->>'userId')::uuid, r->>'passwordHash', (r->>'createdAt')::timestamptz
       FROM jsonb_array_elements($1::jsonb) AS r`,
      [JSON.stringify(records)],
    );
  }
}
