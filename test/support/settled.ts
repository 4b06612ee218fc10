import type pg from 'pg';
import { PROJECTIONS } from '../../projections/index.js';
import {
  comparePositions,
  formatPosition,
  type GlobalPosition,
  START,
} from '../../src/application/ports/event-store.port.js';
import type { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

/**
 * The source is quiet: the reaction runner has read the whole log, no rebalance job is waiting or
 * running, every projection generation has applied the head, and the head stayed put meanwhile.
 */
export async function settled(
  pool: pg.Pool,
  store: PostgresEventStore,
  timeoutMs = 20_000,
): Promise<GlobalPosition> {
  let previous = '';
  let quietRounds = 0;
  return until(
    async () => {
      const head = await store.headPosition();
      const reactions = await pool.query<{ position: string }>(
        `SELECT position FROM subscription_checkpoints WHERE name = 'reactions'`,
      );
      const jobs = await pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM pgboss.job WHERE name = 'rebalance' AND state IN ('created', 'retry', 'active')`,
      );
      const generations = await pool.query<{ position: string }>(
        `SELECT position FROM projection_generations WHERE status IN ('live', 'building')`,
      );
      const quiet =
        comparePositions(reactions.rows[0]?.position ?? '0.0', head) >= 0 &&
        jobs.rows[0]?.n === '0' &&
        generations.rows.length === PROJECTIONS.length &&
        generations.rows.every((g) => comparePositions(g.position, head) >= 0) &&
        head === previous;
      quietRounds = quiet ? quietRounds + 1 : 0;
      previous = head;
      return { head, quietRounds };
    },
    (v) => v.quietRounds >= 3,
    'a quiet source',
    timeoutMs,
  ).then((v) => v.head);
}

/** Every published read-model view, row by row, in a stable order. */
export async function readModels(pool: pg.Pool): Promise<Record<string, string[]>> {
  const { rows: views } = await pool.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.views WHERE table_schema = 'read' ORDER BY 1`,
  );
  const result: Record<string, string[]> = {};
  for (const { name } of views) {
    const { rows } = await pool.query<{ row: string }>(
      `SELECT to_jsonb(v)::text AS row FROM read."${name}" v ORDER BY 1`,
    );
    result[name] = rows.map((r) => r.row);
  }
  return result;
}

/**
 * The position of the last event committed to this database. `headPosition` stops at the cluster-wide
 * read horizon, so a long transaction in another test file's database would make a wait on it return
 * before this file's own writes are projected; a wait on this one waits for them.
 */
export async function committedHead(pool: pg.Pool): Promise<GlobalPosition> {
  const { rows } = await pool.query<{ tx: string; position: string }>(
    `SELECT transaction_id::text AS tx, global_position::text AS position FROM event_log
     ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  const row = rows[0];
  return row ? formatPosition(BigInt(row.tx), BigInt(row.position)) : START;
}
