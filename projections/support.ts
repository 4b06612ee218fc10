import type { Pool, PoolClient } from 'pg';
import { comparePositions, type GlobalPosition } from '../src/application/ports/event-store.port.js';

export { budgetStreamOwner } from '../src/domain/budget-month/stream-name.js';

/** Replaces `$.` with the generation's schema: `sql('SELECT * FROM $.cells')`. */
export const sqlFor =
  (schema: string) =>
  (text: string): string =>
    text.replaceAll('$.', `${schema}.`);

/** Columns for `unnest`: one array per field, in the order given. */
export const columns = <R>(rows: readonly R[], ...fields: ((row: R) => unknown)[]): unknown[][] =>
  fields.map((field) => rows.map(field));

/**
 * The rows of `from` (a table aliased `t`) whose key columns match one of `keys`, in one query: the
 * rows a batch must read before it changes them. `keyTypes` are the key columns' SQL types, in order.
 */
export async function rowsByKeys<R extends object>(
  client: PoolClient,
  select: string,
  keyColumns: readonly string[],
  keyTypes: readonly string[],
  keys: readonly (readonly string[])[],
): Promise<R[]> {
  if (keys.length === 0) return [];
  const unnest = keyTypes.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
  const on = keyColumns.map((c) => `t.${c} = k.${c}`).join(' AND ');
  const { rows } = await client.query<R>(
    `${select} JOIN unnest(${unnest}) AS k(${keyColumns.join(', ')}) ON ${on}`,
    keyColumns.map((_, i) => keys.map((k) => k[i])),
  );
  return rows;
}

const POLL_MS = 25;

/** Whether the projection's live generation reaches `position` within `timeoutMs` (read-your-writes). */
export async function waitForLive(
  pool: Pool,
  projection: string,
  position: GlobalPosition,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ position: string }>(
      `SELECT position FROM projection_generations WHERE name = $1 AND status = 'live'`,
      [projection],
    );
    const at = rows[0]?.position;
    if (at && comparePositions(at, position) >= 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A column of an `insertRows` statement: its name, its SQL type and its value in a row. */
export type Column<R> = readonly [name: string, type: string, value: (row: R) => unknown];

/**
 * Writes a batch's rows of a table (aliased `t`) in one statement, `INSERT … SELECT * FROM unnest(…)`;
 * `onConflict` is what follows `ON CONFLICT` (see `addTo` and `replace`).
 */
export async function insertRows<R>(
  client: PoolClient,
  table: string,
  cols: readonly Column<R>[],
  rows: readonly R[],
  onConflict: string,
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ${table} AS t (${cols.map(([name]) => name).join(', ')})
     SELECT * FROM unnest(${cols.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
     ON CONFLICT ${onConflict}`,
    cols.map(([, , value]) => rows.map(value)),
  );
}

/** `SET` clauses of totals that only ever receive deltas. */
export const addTo = (...names: string[]) => names.map((n) => `${n} = t.${n} + EXCLUDED.${n}`).join(', ');
/** `SET` clauses of values a batch replaces. */
export const replace = (...names: string[]) => names.map((n) => `${n} = EXCLUDED.${n}`).join(', ');
