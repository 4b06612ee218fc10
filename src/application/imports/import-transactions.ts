import { createHash } from 'node:crypto';
import type { YearMonth } from '../../domain/shared/local-date.js';
import { monthOf } from '../../domain/shared/local-date.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import type { BudgetMonthHandler } from '../budget/budget-handler.js';
import {
  categorized,
  latestPosition,
  type RecordExpensesDeps,
  recordMonth,
  type Uncategorized,
} from '../budget/record-expenses.js';
import type { CommandContext } from '../command-handler.js';
import { derivedUuid } from '../derived-id.js';
import type { Clock } from '../ports/clock.port.js';
import type { GlobalPosition, JsonObject, JsonValue } from '../ports/event-store.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import {
  type ImportProgress,
  type ImportTask,
  type ImportTaskStore,
  MAX_REPORTED_ROW_ERRORS,
  type RowError,
} from '../ports/import-task-store.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { TransactionMonths } from '../ports/transaction-months.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import { type CsvRow, ImportFileError, type ImportMapping, readCsv } from './csv-rows.js';

export interface ImportDeps {
  readonly users: UserHandler;
  readonly budgets: BudgetMonthHandler;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly jobs: JobQueue;
  readonly imports: ImportTaskStore;
  readonly transactionMonths: TransactionMonths;
  readonly categorizer?: RecordExpensesDeps['categorizer'];
}

/** Files with at most this many data rows are imported within the request; larger ones by a job. */
export const SYNC_IMPORT_MAX_ROWS = 200;
/** Expenses decided (and appended) together, per month: one decision, one progress step. */
const CHUNK = 250;

export interface ImportSummary {
  readonly progress: ImportProgress;
  /** The first MAX_REPORTED_ROW_ERRORS row errors, in row order. */
  readonly errors: readonly RowError[];
  readonly position?: GlobalPosition;
}

export type ImportOutcome =
  | ({ readonly status: 'done' } & ImportSummary)
  | { readonly status: 'queued'; readonly taskId: string; readonly rows: number };

export interface ImportInput {
  readonly userId: string;
  /** The file, decoded as UTF-8. */
  readonly content: string;
  readonly mapping: ImportMapping;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const firstErrors = (errors: readonly RowError[]): RowError[] =>
  [...errors].sort((a, b) => a.row - b.row).slice(0, MAX_REPORTED_ROW_ERRORS);

/**
 * Records a file's rows. Each row's transaction id is derived from the user, the file's SHA-256 and the
 * row number, so importing the same file again records nothing new (`unchanged`). A month's rows are
 * decided a chunk at a time in one decision each; a row the month refuses (an id another month holds,
 * another currency, …) is reported and the others still land. A month without a plan gets its
 * automatic one (or keeps the rows unallocated when the user wants none).
 */
async function importRows(
  deps: Pick<ImportDeps, 'budgets' | 'clock' | 'transactionMonths' | 'categorizer'>,
  user: RegisteredUser,
  fileSha256: string,
  rows: readonly CsvRow[],
  context: CommandContext,
  onStep: (summary: ImportSummary) => Promise<void> = async () => undefined,
): Promise<ImportSummary> {
  const errors: RowError[] = [];
  let { processed, imported, unchanged, skipped, rejected } = {
    processed: 0,
    imported: 0,
    unchanged: 0,
    skipped: 0,
    rejected: 0,
  };
  let position: GlobalPosition | undefined;
  const byMonth = new Map<YearMonth, Uncategorized[]>();
  for (const row of rows) {
    if (row.kind === 'expense') {
      const month = monthOf(row.expense.day);
      const group = byMonth.get(month) ?? [];
      byMonth.set(month, group);
      group.push({
        index: row.row,
        transactionId: derivedUuid('import', user.userId, fileSha256, String(row.row)),
        ...row.expense,
      });
      continue;
    }
    processed += 1;
    if (row.kind === 'skipped') skipped += 1;
    else {
      rejected += 1;
      errors.push({ row: row.row, message: row.message });
    }
  }
  const summary = (): ImportSummary => ({
    progress: { rows: rows.length, processed, imported, unchanged, skipped, rejected },
    errors: firstErrors(errors),
    ...(position ? { position } : {}),
  });
  await onStep(summary());
  for (const [month, expenses] of [...byMonth.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let start = 0; start < expenses.length; start += CHUNK) {
      const chunk = expenses.slice(start, start + CHUNK);
      const outcome = await recordMonth(
        deps,
        user,
        month,
        await categorized(deps, user, chunk),
        { mode: 'skip-rejected', source: 'import' },
        context,
      );
      if (outcome.status === 'rejected') {
        rejected += chunk.length;
        const message = outcome.error?.message ?? 'rejected';
        for (const e of chunk) errors.push({ row: e.index, message });
      } else {
        for (const t of outcome.transactions) {
          if (t.error) {
            rejected += 1;
            errors.push({ row: t.index, message: t.error.message });
          } else if (t.created) imported += 1;
          else unchanged += 1;
        }
      }
      processed += chunk.length;
      position = latestPosition([position, outcome.position]);
      await onStep(summary());
    }
  }
  return summary();
}

/**
 * POST /api/transactions/import: a CSV file and its column mapping. Small files are imported at once;
 * larger ones are kept in an import task (the file in PostgreSQL, not in the job) and run by the
 * `import` job, whose progress `getImportTask` reports. The file is read (and its mapping checked)
 * before anything is queued, so a broken file is refused at once (ImportFileError).
 */
export const importTransactions =
  (deps: ImportDeps) =>
  async (input: ImportInput, context: CommandContext): Promise<ImportOutcome> => {
    const user = await requireUser(deps.users, input.userId);
    const rows = await readCsv(input.content, input.mapping, user.currency);
    const fileSha256 = sha256(input.content);
    if (rows.length <= SYNC_IMPORT_MAX_ROWS) {
      const summary = await importRows(deps, user, fileSha256, rows, { ...context, actor: user.userId });
      return { status: 'done', ...summary };
    }
    const taskId = deps.ids.uuid();
    await deps.imports.create({
      id: taskId,
      userId: user.userId,
      fileSha256,
      content: input.content,
      mapping: toJson(input.mapping),
      rows: rows.length,
    });
    await deps.jobs.send('import', { taskId, correlationId: context.correlationId }, taskId);
    return { status: 'queued', taskId, rows: rows.length };
  };

const toJson = (mapping: ImportMapping): JsonObject =>
  Object.fromEntries(Object.entries(mapping).filter(([, v]) => v !== undefined)) as Record<string, JsonValue>;

export interface ImportJob {
  readonly taskId: string;
  readonly correlationId?: string;
}

export function parseImportJob(payload: JsonObject): ImportJob {
  const { taskId, correlationId } = payload;
  if (typeof taskId !== 'string') throw new Error('import job without a taskId');
  return { taskId, ...(typeof correlationId === 'string' ? { correlationId } : {}) };
}

/**
 * The `import` job: runs an import task, writing its progress after each chunk. A retry (pg-boss
 * delivers at least once) starts the task over; the rows already recorded come out `unchanged`, since
 * their ids are derived from the file. A file that cannot be read fails the task without a retry.
 */
export const runImportTask =
  (deps: ImportDeps) =>
  async (job: ImportJob): Promise<void> => {
    const input = await deps.imports.input(job.taskId);
    if (!input || input.status === 'done') return;
    await deps.imports.update(job.taskId, {
      status: 'running',
      progress: { processed: 0, imported: 0, unchanged: 0, skipped: 0, rejected: 0 },
      errors: [],
      failure: null,
    });
    try {
      const user = await requireUser(deps.users, input.userId);
      const rows = await readCsv(input.content, input.mapping as unknown as ImportMapping, user.currency);
      const context: CommandContext = {
        correlationId: job.correlationId ?? job.taskId,
        causationId: job.taskId,
        actor: user.userId,
      };
      const step = async ({ progress, errors, position }: ImportSummary) => {
        const { rows: _rows, ...counts } = progress;
        await deps.imports.update(job.taskId, {
          progress: counts,
          errors,
          ...(position ? { position } : {}),
        });
      };
      const summary = await importRows(deps, user, input.fileSha256, rows, context, step);
      await step(summary);
      await deps.imports.update(job.taskId, { status: 'done' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await deps.imports.update(job.taskId, { status: 'failed', failure: message.slice(0, 500) });
      if (error instanceof ImportFileError) return;
      throw error;
    }
  };

/** An import task of the user's; another user's task is not found (undefined). */
export const getImportTask =
  (deps: Pick<ImportDeps, 'imports'>) =>
  (userId: string, taskId: string): Promise<ImportTask | undefined> =>
    deps.imports.get(userId, taskId);
