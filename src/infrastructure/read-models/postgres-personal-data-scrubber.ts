import type { Pool } from 'pg';
import { comparePositions, type GlobalPosition } from '../../application/ports/event-store.port.js';
import type {
  PersonalDataScrubber,
  ScrubResult,
} from '../../application/ports/personal-data-scrubber.port.js';

/**
 * Per projection: statements that turn a user's rows into exactly what a replay of the erased log gives
 * (its personal text reads "[erased]"; blank text was never encrypted and stays). `$.` is the generation's
 * schema, `$1` the user id. Keep in step with projections/<name>/schema.sql and its handler: the
 * integration test compares a scrubbed generation with a rebuilt one.
 */
export const PROJECTION_SCRUBS: Readonly<Record<string, readonly string[]>> = {
  transactions: [
    `UPDATE $.transactions SET
       merchant = CASE WHEN merchant ~ '\\S' THEN '[erased]' ELSE merchant END,
       note = CASE WHEN note ~ '\\S' THEN '[erased]' ELSE note END
     WHERE user_id = $1::uuid
       AND ((merchant ~ '\\S' AND merchant <> '[erased]') OR (note ~ '\\S' AND note <> '[erased]'))`,
  ],
  analytics: [
    // Merchants are kept normalised (trimmed, lower-case; '' for none): "[erased]" stays "[erased]".
    `UPDATE $.expenses SET merchant = '[erased]'
     WHERE user_id = $1::uuid AND merchant NOT IN ('', '[erased]')`,
    // Every named merchant of the user collapses into one "[erased]" row per month, as a replay sums them.
    `WITH gone AS (
       DELETE FROM $.merchant_months WHERE user_id = $1::uuid AND merchant NOT IN ('', '[erased]')
       RETURNING month, spent, transactions)
     INSERT INTO $.merchant_months AS t (user_id, month, merchant, spent, transactions)
     SELECT $1::uuid, month, '[erased]', sum(spent)::bigint, sum(transactions)::integer FROM gone GROUP BY month
     ON CONFLICT (user_id, month, merchant) DO UPDATE SET spent = t.spent + EXCLUDED.spent,
       transactions = t.transactions + EXCLUDED.transactions`,
  ],
};

/**
 * Tables outside the read models that hold a user's personal data: stored responses (merchant, note),
 * uploaded CSV files, and the day-close directory (time zone; an erased user's days are no longer closed).
 */
export const SIDE_TABLES: Readonly<Record<string, string>> = {
  idempotency_keys: 'DELETE FROM idempotency_keys WHERE user_id = $1::uuid',
  import_tasks: 'DELETE FROM import_tasks WHERE user_id = $1::uuid',
  user_directory: 'DELETE FROM user_directory WHERE user_id = $1::uuid',
};

interface GenerationRow {
  name: string;
  schema_name: string;
  status: string;
  position: string;
}

/** A table or schema dropped under us (a generation retired meanwhile): nothing left to scrub there. */
const GONE = new Set(['3F000', '42P01']);

export interface ScrubberOptions {
  /** How long to wait for followers behind the erasure to commit the batch they may have read before it. */
  readonly settleMs?: number;
  readonly pollMs?: number;
}

/**
 * Overwrites an erased user's personal text in every generation of the read models (live, building and
 * failed ones) and deletes their rows in the side tables. A follower that was behind the erasure may be
 * about to commit a batch it decrypted before the key was destroyed; so each such generation is scrubbed
 * again once its checkpoint has moved (after that, everything it reads was read after the erasure).
 */
export class PostgresPersonalDataScrubber implements PersonalDataScrubber {
  readonly name = 'postgresql-read-models';
  private readonly settleMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly pool: Pool,
    options: ScrubberOptions = {},
  ) {
    this.settleMs = options.settleMs ?? 10_000;
    this.pollMs = options.pollMs ?? 50;
  }

  async scrub(userId: string, erasedAt: GlobalPosition): Promise<ScrubResult> {
    let rows = 0;
    for (const [table, sql] of Object.entries(SIDE_TABLES)) {
      const { rows: found } = await this.pool.query<{ present: boolean }>(
        'SELECT to_regclass($1) IS NOT NULL AS present',
        [`public.${table}`],
      );
      if (found[0]?.present) rows += (await this.pool.query(sql, [userId])).rowCount ?? 0;
    }
    const first = await this.generations(['live', 'building', 'failed']);
    for (const generation of first) rows += await this.scrubGeneration(generation, userId);

    let pending = first.filter((g) => g.status !== 'failed' && comparePositions(g.position, erasedAt) < 0);
    const deadline = Date.now() + this.settleMs;
    while (pending.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
      const now = new Map(
        (await this.generations(['live', 'building'])).map((g) => [g.schema_name, g] as const),
      );
      const still: GenerationRow[] = [];
      for (const generation of pending) {
        const current = now.get(generation.schema_name);
        if (!current) continue; // retired or failed: nothing more is being committed to it
        if (current.position !== generation.position) rows += await this.scrubGeneration(current, userId);
        else still.push(generation);
      }
      pending = still;
    }
    return { rows, settled: pending.length === 0 };
  }

  private async generations(statuses: readonly string[]): Promise<GenerationRow[]> {
    const { rows } = await this.pool.query<GenerationRow>(
      `SELECT name, schema_name, status, position FROM projection_generations
       WHERE name = ANY($1::text[]) AND status = ANY($2::text[])`,
      [Object.keys(PROJECTION_SCRUBS), statuses],
    );
    return rows.filter((r) => /^[a-z0-9_]+$/.test(r.schema_name));
  }

  private async scrubGeneration(generation: GenerationRow, userId: string): Promise<number> {
    const statements = PROJECTION_SCRUBS[generation.name] ?? [];
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      let rows = 0;
      for (const sql of statements) {
        const result = await client.query(sql.replaceAll('$.', `${generation.schema_name}.`), [userId]);
        rows += result.rowCount ?? 0;
      }
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (GONE.has((error as { code?: string }).code ?? '')) return 0;
      throw error;
    } finally {
      client.release();
    }
  }
}
