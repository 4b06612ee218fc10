import type { Pool } from 'pg';
import type { JsonObject } from '../../application/ports/event-store.port.js';
import type {
  ImportTask,
  ImportTaskStatus,
  ImportTaskStore,
  ImportTaskUpdate,
  NewImportTask,
  RowError,
} from '../../application/ports/import-task-store.port.js';

interface TaskRow {
  id: string;
  user_id: string;
  status: ImportTaskStatus;
  rows: number;
  processed: number;
  imported: number;
  unchanged: number;
  skipped: number;
  rejected: number;
  errors: RowError[];
  failure: string | null;
  position: string | null;
  created_at: Date;
  updated_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Import tasks in table `import_tasks` (migration 006). */
export class PostgresImportTaskStore implements ImportTaskStore {
  constructor(private readonly pool: Pool) {}

  async create(task: NewImportTask): Promise<void> {
    await this.pool.query(
      `INSERT INTO import_tasks (id, user_id, status, file_sha256, content, mapping, rows)
       VALUES ($1, $2, 'queued', $3, $4, $5::jsonb, $6)`,
      [task.id, task.userId, task.fileSha256, task.content, JSON.stringify(task.mapping), task.rows],
    );
  }

  async get(userId: string, id: string): Promise<ImportTask | undefined> {
    if (!UUID.test(id) || !UUID.test(userId)) return undefined;
    const { rows } = await this.pool.query<TaskRow>(
      `SELECT id, user_id, status, rows, processed, imported, unchanged, skipped, rejected, errors, failure,
         position, created_at, updated_at
       FROM import_tasks WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      userId: row.user_id,
      status: row.status,
      progress: {
        rows: row.rows,
        processed: row.processed,
        imported: row.imported,
        unchanged: row.unchanged,
        skipped: row.skipped,
        rejected: row.rejected,
      },
      errors: row.errors,
      ...(row.failure === null ? {} : { failure: row.failure }),
      ...(row.position === null ? {} : { position: row.position }),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  async input(id: string) {
    if (!UUID.test(id)) return undefined;
    const { rows } = await this.pool.query<{
      user_id: string;
      status: ImportTaskStatus;
      file_sha256: string;
      content: string;
      mapping: JsonObject;
    }>('SELECT user_id, status, file_sha256, content, mapping FROM import_tasks WHERE id = $1', [id]);
    const row = rows[0];
    return (
      row && {
        userId: row.user_id,
        status: row.status,
        fileSha256: row.file_sha256,
        content: row.content,
        mapping: row.mapping,
      }
    );
  }

  async update(id: string, update: ImportTaskUpdate): Promise<void> {
    const sets: string[] = ['updated_at = now()'];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown, cast = '') => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (update.status !== undefined) set('status', update.status);
    if (update.progress !== undefined) {
      set('processed', update.progress.processed);
      set('imported', update.progress.imported);
      set('unchanged', update.progress.unchanged);
      set('skipped', update.progress.skipped);
      set('rejected', update.progress.rejected);
    }
    if (update.errors !== undefined) set('errors', JSON.stringify(update.errors), '::jsonb');
    if (update.failure !== undefined) set('failure', update.failure);
    if (update.position !== undefined) set('position', update.position);
    await this.pool.query(`UPDATE import_tasks SET ${sets.join(', ')} WHERE id = $1`, params);
  }
}
