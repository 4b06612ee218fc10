import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type {
  ClaimResult,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '../../application/ports/idempotency-store.port.js';

export interface PostgresIdempotencyStoreOptions {
  /** How long a key and its stored response live. The draft suggests at least a day. */
  readonly retentionSeconds?: number;
  /**
   * How long a claim may stay in flight before another request may take it over: the owner's process
   * died without answering. Longer than any request takes.
   */
  readonly leaseSeconds?: number;
  /** At most one sweep of expired keys per this many ms (per process), piggybacked on claims. */
  readonly sweepEveryMs?: number;
}

interface Row {
  fingerprint: string;
  state: 'in-flight' | 'done';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
}

/** Idempotency keys in table `idempotency_keys` (migration 006). */
export class PostgresIdempotencyStore implements IdempotencyStore {
  private readonly retentionSeconds: number;
  private readonly leaseSeconds: number;
  private readonly sweepEveryMs: number;
  private lastSweep = 0;

  constructor(
    private readonly pool: Pool,
    options: PostgresIdempotencyStoreOptions = {},
  ) {
    this.retentionSeconds = options.retentionSeconds ?? 24 * 60 * 60;
    this.leaseSeconds = options.leaseSeconds ?? 60;
    this.sweepEveryMs = options.sweepEveryMs ?? 60_000;
  }

  async claim(userId: string, key: string, fingerprint: string): Promise<ClaimResult> {
    this.sweep();
    // A row that is released between our failed insert and our read is simply claimed on the next try.
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = randomUUID();
      // One statement: of any number of concurrent claims, exactly one inserts (or takes over an expired
      // or abandoned row); the others wait on the unique index and then find the row taken.
      const claimed = await this.pool.query<{ token: string }>(
        `INSERT INTO idempotency_keys AS k (user_id, key, fingerprint, state, token)
         VALUES ($1, $2, $3, 'in-flight', $4)
         ON CONFLICT (user_id, key) DO UPDATE
           SET fingerprint = EXCLUDED.fingerprint, state = 'in-flight', token = EXCLUDED.token,
               response_status = NULL, response_headers = NULL, response_body = NULL,
               created_at = now(), updated_at = now()
           WHERE k.created_at < now() - make_interval(secs => $5)
              OR (k.state = 'in-flight' AND k.updated_at < now() - make_interval(secs => $6))
         RETURNING token::text`,
        [userId, key, fingerprint, token, this.retentionSeconds, this.leaseSeconds],
      );
      if (claimed.rowCount === 1) return { claimed: true, token };
      const { rows } = await this.pool.query<Row>(
        `SELECT fingerprint, state, response_status, response_headers, response_body
         FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
        [userId, key],
      );
      const row = rows[0];
      if (row) return { claimed: false, existing: toRecord(row) };
    }
    return { claimed: false, existing: { state: 'in-flight', fingerprint } };
  }

  async complete(userId: string, key: string, token: string, response: StoredResponse): Promise<void> {
    await this.pool.query(
      `UPDATE idempotency_keys SET state = 'done', response_status = $4, response_headers = $5::jsonb,
         response_body = $6, updated_at = now()
       WHERE user_id = $1 AND key = $2 AND token = $3 AND state = 'in-flight'`,
      [userId, key, token, response.status, JSON.stringify(response.headers), response.body],
    );
  }

  async release(userId: string, key: string, token: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND token = $3 AND state = 'in-flight'`,
      [userId, key, token],
    );
  }

  /** Deletes expired keys, at most once per `sweepEveryMs`, without holding up the claim. */
  private sweep(): void {
    const now = Date.now();
    if (now - this.lastSweep < this.sweepEveryMs) return;
    this.lastSweep = now;
    this.pool
      .query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)`, [
        this.retentionSeconds,
      ])
      .catch(() => undefined);
  }
}

function toRecord(row: Row): IdempotencyRecord {
  if (row.state === 'in-flight' || row.response_status === null || row.response_body === null) {
    return { state: 'in-flight', fingerprint: row.fingerprint };
  }
  return {
    state: 'done',
    fingerprint: row.fingerprint,
    response: { status: row.response_status, headers: row.response_headers ?? {}, body: row.response_body },
  };
}
