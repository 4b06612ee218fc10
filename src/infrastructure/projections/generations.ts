import type { Pool, PoolClient } from 'pg';
import {
  comparePositions,
  type GlobalPosition,
  parsePosition,
} from '../../application/ports/event-store.port.js';
import type { ProjectionStatus } from '../../application/ports/projection-admin.port.js';

/** A row of `projection_generations`: one generation of a read model, with its checkpoint. */
export interface Generation extends Omit<ProjectionStatus, 'lag'> {
  readonly schema: string;
}

interface GenerationRow {
  name: string;
  generation: number;
  version: number;
  schema_name: string;
  status: Generation['status'];
  position: string;
  events_applied: string;
  error: string | null;
  failed_event: Generation['failedEvent'] | null;
  updated_at: Date;
}

const toGeneration = (r: GenerationRow): Generation => ({
  name: r.name,
  generation: r.generation,
  version: r.version,
  schema: r.schema_name,
  status: r.status,
  position: r.position,
  eventsApplied: Number(r.events_applied),
  ...(r.error ? { error: r.error } : {}),
  ...(r.failed_event ? { failedEvent: r.failed_event } : {}),
  updatedAt: r.updated_at.toISOString(),
});

export const schemaName = (name: string, generation: number) =>
  `proj_${name.replaceAll('-', '_')}_g${generation}`;

export async function listGenerations(db: Pool | PoolClient, name?: string): Promise<Generation[]> {
  const { rows } = await db.query<GenerationRow>(
    `SELECT * FROM projection_generations WHERE $1::text IS NULL OR name = $1 ORDER BY name, generation`,
    [name ?? null],
  );
  return rows.map(toGeneration);
}

export async function findGeneration(
  db: Pool | PoolClient,
  name: string,
  generation: number,
): Promise<Generation | undefined> {
  const { rows } = await db.query<GenerationRow>(
    'SELECT * FROM projection_generations WHERE name = $1 AND generation = $2',
    [name, generation],
  );
  return rows[0] && toGeneration(rows[0]);
}

/** The current rows of the generations with these schemas (one query for all a runner drives). */
export async function generationsBySchema(db: Pool, schemas: readonly string[]): Promise<Generation[]> {
  const { rows } = await db.query<GenerationRow>(
    'SELECT * FROM projection_generations WHERE schema_name = ANY($1::text[])',
    [schemas],
  );
  return rows.map(toGeneration);
}

/** How far `position` is behind `head`, in sequence numbers (exact on PostgreSQL, an estimate elsewhere). */
export function lag(position: GlobalPosition, head: GlobalPosition): number {
  if (comparePositions(position, head) >= 0) return 0;
  return Math.max(0, Number(parsePosition(head)[1] - parsePosition(position)[1]));
}
