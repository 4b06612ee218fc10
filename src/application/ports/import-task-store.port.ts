import type { JsonObject } from './event-store.port.js';

export type ImportTaskStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ImportProgress {
  /** Data rows in the file (the header row not counted). */
  readonly rows: number;
  /** Rows looked at so far. */
  readonly processed: number;
  /** Rows recorded as new expenses. */
  readonly imported: number;
  /** Rows already recorded by an earlier upload of the same file: nothing changed. */
  readonly unchanged: number;
  /** Rows that are not expenses (credits, when negative amounts are the expenses). */
  readonly skipped: number;
  /** Rows refused: unreadable date or amount, unknown category, month without a plan, … */
  readonly rejected: number;
}

/** A refused row: `row` counts the file's records with the header as row 1, as a spreadsheet shows it. */
export interface RowError {
  readonly row: number;
  readonly message: string;
}

export interface ImportTask {
  readonly id: string;
  readonly userId: string;
  readonly status: ImportTaskStatus;
  readonly progress: ImportProgress;
  /** The first MAX_REPORTED_ROW_ERRORS row errors. */
  readonly errors: readonly RowError[];
  /** Why the whole task failed (it is retried). */
  readonly failure?: string;
  /** Position of the task's last write, for read-your-writes. */
  readonly position?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const MAX_REPORTED_ROW_ERRORS = 100;

export interface NewImportTask {
  readonly id: string;
  readonly userId: string;
  readonly fileSha256: string;
  /** The CSV text, kept here rather than in the job payload. */
  readonly content: string;
  readonly mapping: JsonObject;
  readonly rows: number;
}

export interface ImportTaskUpdate {
  readonly status?: ImportTaskStatus;
  readonly progress?: Omit<ImportProgress, 'rows'>;
  readonly errors?: readonly RowError[];
  readonly failure?: string | null;
  readonly position?: string;
}

/** Large CSV imports waiting for, or being run by, the `import` job. */
export interface ImportTaskStore {
  create(task: NewImportTask): Promise<void>;
  /** The task if it is `userId`'s; another user's task is not found. */
  get(userId: string, id: string): Promise<ImportTask | undefined>;
  /** What the worker needs to run the task. */
  input(id: string): Promise<
    | {
        userId: string;
        status: ImportTaskStatus;
        fileSha256: string;
        content: string;
        mapping: JsonObject;
      }
    | undefined
  >;
  update(id: string, update: ImportTaskUpdate): Promise<void>;
}
