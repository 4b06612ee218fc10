import { createHash } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { recordExpense } from '../../../application/budget/record-expense.js';
import {
  MAX_BULK_EXPENSES,
  type MonthOutcome,
  type RecordExpensesResult,
  type recordExpenses,
} from '../../../application/budget/record-expenses.js';
import type { Daybook } from '../../../application/daybook.js';
import {
  CSV_DELIMITERS,
  DATE_FORMATS,
  ImportFileError,
  type ImportMapping,
} from '../../../application/imports/csv-rows.js';
import type { importTransactions } from '../../../application/imports/import-transactions.js';
import type { IdempotencyStore } from '../../../application/ports/idempotency-store.port.js';
import type { AccessClaims } from '../../../application/ports/token-service.port.js';
import {
  decodeTransactionCursor,
  MAX_PAGE_SIZE,
  type TransactionItem,
} from '../../../application/ports/transaction-read-model.port.js';
import type { TransactionFilterInput } from '../../../application/transactions/list-transactions.query.js';
import { DomainError } from '../../../domain/shared/domain-error.js';
import { parseLocalDate } from '../../../domain/shared/local-date.js';
import { authOf, requireScope } from '../auth.js';
import { clientOf, commandContext, consistencyQuery, markCaughtUp, readConsistency } from '../context.js';
import { idempotency } from '../idempotency.js';
import { problem, toProblem, validationProblem } from '../problem.js';
import {
  categoryString,
  dateString,
  moneyString,
  parseBody,
  parseParams,
  parseQuery,
  text,
} from '../validate.js';
import { amount, sendRecorded } from '../views.js';

/** What the transaction routes need from the application (a subset of Daybook). */
export interface TransactionUseCases
  extends Pick<
    Daybook,
    'listTransactions' | 'getTransaction' | 'exportTransactions' | 'amendExpense' | 'voidExpense'
  > {
  readonly verifyAccessToken: (token: string) => Promise<AccessClaims | undefined>;
  readonly recordExpense: ReturnType<typeof recordExpense>;
  readonly recordExpenses: ReturnType<typeof recordExpenses>;
  readonly importTransactions: ReturnType<typeof importTransactions>;
  /** Idempotency-Key storage for the POSTs that create money facts. */
  readonly idempotencyKeys: IdempotencyStore;
}

export const transactionBody = z.strictObject({
  id: z.uuid().optional(),
  amount: moneyString,
  /** Omitted: decided by the categorization tiers. */
  category: categoryString.optional(),
  date: dateString,
  merchant: text(200).optional(),
  description: text(200).optional(),
});

const isCalendarDate = (value: string): boolean => {
  try {
    parseLocalDate(value);
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
};

const calendarDate = dateString.refine(isCalendarDate, 'must be a calendar date');

/** PUT: the fields to change; absent keeps, null clears merchant or description. */
export const amendBody = z.strictObject({
  amount: moneyString.optional(),
  category: categoryString.optional(),
  date: calendarDate.optional(),
  merchant: text(200).nullable().optional(),
  description: text(200).nullable().optional(),
});

/** Bulk: each expense's month is read from its date, so dates must be calendar dates up front. */
export const bulkBody = z.strictObject({
  transactions: z
    .array(transactionBody.extend({ date: calendarDate }))
    .min(1)
    .max(MAX_BULK_EXPENSES)
    .superRefine((items, ctx) => {
      const seen = new Map<string, number>();
      items.forEach((item, index) => {
        if (item.id === undefined) return;
        const first = seen.get(item.id);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `repeats the id of transactions[${first}]`,
          });
        } else seen.set(item.id, index);
      });
    }),
});

export const idParams = z.object({ id: text(200, 1) });

/** The column mapping of an import (multipart field `mapping`, or query `mapping` with a text/csv body). */
const mappingSchema = z.strictObject({
  date: text(100, 1),
  amount: text(100, 1),
  merchant: text(100, 1).optional(),
  description: text(100, 1).optional(),
  category: text(100, 1).optional(),
  defaultCategory: categoryString.optional(),
  dateFormat: z.enum(DATE_FORMATS as [string, ...string[]]).optional(),
  decimalSeparator: z.enum(['.', ',']).optional(),
  negativeIsExpense: z.boolean().optional(),
  delimiter: z.enum(CSV_DELIMITERS as [string, ...string[]]).optional(),
});

/** Largest CSV upload. */
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

/** The filters of the list and the export; `after` and `consistency` are read (and checked) by readConsistency. */
export const filterQuery = z.object({
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  category: categoryString.optional(),
  merchant: text(200, 1).optional(),
  minAmount: moneyString.optional(),
  maxAmount: moneyString.optional(),
  includeVoided: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  ...consistencyQuery.shape,
});

export const listQuery = filterQuery.extend({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
    .optional(),
  cursor: z
    .string()
    .max(600)
    .refine((v) => decodeTransactionCursor(v) !== undefined, 'is not a cursor this API returned')
    .optional(),
});

const DEFAULT_PAGE_SIZE = 50;

const filterOf = (q: z.infer<typeof filterQuery>): TransactionFilterInput => {
  const { after: _after, consistency: _consistency, ...filter } = q;
  return Object.fromEntries(
    Object.entries(filter).filter(([, v]) => v !== undefined),
  ) as TransactionFilterInput;
};

/** `If-Match` on PUT and DELETE: the ETag a GET of the expense returned (or `*`). */
export const ifMatchHeaders = z.object({
  'if-match': z.string().max(1000).optional().openapi({
    description: 'Change only if the expense is still as this ETag (from its GET) says: 412 otherwise',
  }),
});

/** A strong ETag of an expense as GET shows it: it changes whenever any shown field does. */
export const etagOf = (view: Readonly<Record<string, unknown>>): string =>
  `"${createHash('sha256').update(JSON.stringify(view)).digest('base64url').slice(0, 27)}"`;

const transactionView = (t: TransactionItem) => ({
  id: t.transactionId,
  amount: amount(t.amount, t.currency),
  currency: t.currency,
  category: t.category,
  date: t.day,
  ...(t.merchant === undefined ? {} : { merchant: t.merchant }),
  ...(t.note === undefined ? {} : { description: t.note }),
  source: t.source,
  status: t.status,
  recordedAt: t.recordedAt,
  ...(t.updatedAt === undefined ? {} : { updatedAt: t.updatedAt }),
});

const CSV_HEADER = [
  'id',
  'date',
  'category',
  'amount',
  'currency',
  'merchant',
  'description',
  'status',
  'recorded_at',
];
/** Rows per write: few enough syscalls, small enough chunks. */
const CSV_ROWS_PER_CHUNK = 200;

/**
 * One CSV field (RFC 4180: quoted when it holds a quote, comma or line break; quotes doubled). Text that
 * a spreadsheet would run as a formula (a leading =, +, -, @, tab or CR) gets a leading single quote.
 */
export function csvField(value: string, { text: isText = true } = {}): string {
  const safe = isText && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const csvRow = (t: TransactionItem): string =>
  [
    csvField(t.transactionId),
    csvField(t.day),
    csvField(t.category),
    // A number this API formatted, never a formula: a negative amount keeps its sign.
    csvField(amount(t.amount, t.currency), { text: false }),
    csvField(t.currency),
    csvField(t.merchant ?? ''),
    csvField(t.note ?? ''),
    csvField(t.status),
    csvField(t.recordedAt),
  ].join(',');

/** Resolves when the response can take more, or is closed. */
const writable = (res: Response): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });

/**
 * Streams the CSV with back-pressure. The first item is read before the headers go out, so a failure
 * there is still an ordinary problem response; a failure later cuts the connection, so a client never
 * mistakes a truncated file for a complete one.
 */
async function sendCsv(req: Request, res: Response, items: AsyncIterable<TransactionItem>): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  let next = await iterator.next();
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', 'attachment; filename="transactions.csv"');
  res.setHeader('Cache-Control', 'no-store');
  try {
    let chunk = `${CSV_HEADER.join(',')}\r\n`;
    let rows = 0;
    while (!next.done) {
      chunk += `${csvRow(next.value)}\r\n`;
      rows += 1;
      if (rows === CSV_ROWS_PER_CHUNK) {
        if (!res.write(chunk)) await writable(res);
        if (res.destroyed) return;
        chunk = '';
        rows = 0;
      }
      next = await iterator.next();
    }
    res.end(chunk);
  } catch (error) {
    req.log.error({ err: error }, 'transaction export failed midway');
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    await iterator.return?.();
  }
}

export function transactionRoutes(daybook: TransactionUseCases): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;
  const idempotent = idempotency(daybook.idempotencyKeys);

  router.get('/', requireScope(verify, 'read:transactions'), async (req, res) => {
    const query = parseQuery(listQuery, req.query);
    const { limit, cursor, ...filters } = query;
    const page = await daybook.listTransactions({
      userId: authOf(req).userId,
      filter: filterOf(filters),
      limit: limit ?? DEFAULT_PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
      ...readConsistency(req),
    });
    markCaughtUp(res, page.caughtUp);
    res.json({
      items: page.items.map(transactionView),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    });
  });

  // Before '/:id', or "export" would be taken for a transaction id.
  router.get('/export', requireScope(verify, 'read:transactions'), async (req, res) => {
    const query = parseQuery(filterQuery, req.query);
    const exported = await daybook.exportTransactions({
      userId: authOf(req).userId,
      filter: filterOf(query),
      client: clientOf(req),
      ...readConsistency(req),
    });
    markCaughtUp(res, exported.caughtUp);
    await sendCsv(req, res, exported.items);
  });

  router.get('/:id', requireScope(verify, 'read:transactions'), async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const { item, caughtUp } = await daybook.getTransaction({
      userId: authOf(req).userId,
      transactionId: id,
      ...readConsistency(req),
    });
    markCaughtUp(res, caughtUp);
    const view = transactionView(item);
    res.setHeader('ETag', etagOf(view));
    res.json(view);
  });

  /**
   * `If-Match` (RFC 9110, strong comparison): the expense as the caller's reads now show it must have
   * that ETag, else 412. Checked against the read model after the caller's own writes, just before the
   * command; a concurrent writer in between is not caught here (the month stream's revision is shared by
   * all of the month's expenses, so it cannot serve as one expense's version).
   */
  const requireMatch = async (req: Request, transactionId: string): Promise<void> => {
    const ifMatch = req.get('if-match');
    if (ifMatch === undefined) return;
    const { item } = await daybook.getTransaction({
      userId: authOf(req).userId,
      transactionId,
      ...readConsistency(req),
    });
    const tags = ifMatch.split(',').map((tag) => tag.trim());
    if (!tags.includes('*') && !tags.includes(etagOf(transactionView(item)))) {
      throw problem(412, 'precondition-failed', 'Precondition failed', {
        detail: 'The expense changed since the ETag in If-Match: read it again',
      });
    }
  };

  router.post('/', requireScope(verify, 'write:transactions'), idempotent, async (req, res) => {
    const body = parseBody(transactionBody, req.body);
    const { userId } = authOf(req);
    const key = req.get('idempotency-key');
    const result = await daybook.recordExpense(
      {
        userId,
        ...(body.id ? { transactionId: body.id } : {}),
        amount: body.amount,
        ...(body.category === undefined ? {} : { category: body.category }),
        date: body.date,
        ...(body.merchant ? { merchant: body.merchant } : {}),
        ...(body.description ? { note: body.description } : {}),
        ...(key === undefined ? {} : { idempotencyKey: key }),
      },
      commandContext(req),
    );
    sendRecorded(res, result, body);
  });

  router.post('/bulk', requireScope(verify, 'write:transactions'), idempotent, async (req, res) => {
    const body = parseBody(bulkBody, req.body);
    const key = req.get('idempotency-key');
    const result = await daybook.recordExpenses(
      {
        userId: authOf(req).userId,
        expenses: body.transactions.map((t) => ({
          ...(t.id ? { transactionId: t.id } : {}),
          amount: t.amount,
          ...(t.category === undefined ? {} : { category: t.category }),
          date: t.date,
          ...(t.merchant ? { merchant: t.merchant } : {}),
          ...(t.description ? { note: t.description } : {}),
        })),
        ...(key === undefined ? {} : { idempotencyKey: key }),
      },
      commandContext(req),
    );
    const view = bulkView(result, body.transactions);
    if (view.recorded === 0) {
      throw problem(422, 'bulk-rejected', 'Unprocessable content', {
        detail: 'Every month of the request was rejected; nothing was recorded',
        months: view.months,
      });
    }
    res.status(201).json(view);
  });

  router.post('/import', requireScope(verify, 'write:transactions'), receiveCsv, async (req, res) => {
    const { content, mapping } = importRequest(req);
    let outcome: Awaited<ReturnType<TransactionUseCases['importTransactions']>>;
    try {
      outcome = await daybook.importTransactions(
        { userId: authOf(req).userId, content, mapping },
        commandContext(req),
      );
    } catch (error) {
      if (error instanceof ImportFileError) {
        throw problem(422, error.code, 'Unprocessable content', { detail: error.message, ...error.details });
      }
      throw error;
    }
    if (outcome.status === 'queued') {
      res
        .status(202)
        .location(`/api/tasks/${outcome.taskId}`)
        .json({ taskId: outcome.taskId, status: 'queued', rows: outcome.rows });
      return;
    }
    res.status(200).json({
      status: 'done',
      progress: outcome.progress,
      errors: outcome.errors,
      ...(outcome.position ? { position: outcome.position } : {}),
    });
  });

  router.put('/:id', requireScope(verify, 'write:transactions'), async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const body = parseBody(amendBody, req.body);
    const consistency = readConsistency(req);
    await requireMatch(req, id);
    const result = await daybook.amendExpense(
      {
        userId: authOf(req).userId,
        transactionId: id,
        changes: {
          ...(body.amount === undefined ? {} : { amount: body.amount }),
          ...(body.category === undefined ? {} : { category: body.category }),
          ...(body.date === undefined ? {} : { date: body.date }),
          ...(body.merchant === undefined ? {} : { merchant: body.merchant }),
          ...(body.description === undefined ? {} : { note: body.description }),
        },
        ...consistency,
      },
      commandContext(req),
    );
    const { fields } = result;
    const currency = fields.amount.currency;
    if (result.position) res.setHeader('Daybook-Position', result.position);
    res.status(200).json({
      id: result.transactionId,
      amount: amount(fields.amount.amount, currency),
      currency,
      category: fields.category,
      date: fields.day,
      ...(fields.merchant === undefined ? {} : { merchant: fields.merchant }),
      ...(fields.note === undefined ? {} : { description: fields.note }),
      source: result.source,
      status: 'recorded',
      changed: result.changed,
      ...(result.moved ? { moved: result.moved } : {}),
      ...(result.overspentBy ? { overspentBy: amount(result.overspentBy.amount, currency) } : {}),
      ...(result.position ? { position: result.position } : {}),
    });
  });

  router.delete('/:id', requireScope(verify, 'write:transactions'), async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    await requireMatch(req, id);
    const result = await daybook.voidExpense(
      { userId: authOf(req).userId, transactionId: id, ...readConsistency(req) },
      commandContext(req),
    );
    // 204 has no body: the write's position travels in a header.
    if (result.position) res.setHeader('Daybook-Position', result.position);
    res.status(204).end();
  });

  return router;
}

type BulkItem = z.infer<typeof bulkBody>['transactions'][number];

/** The bulk response: per month, recorded or rejected (with the problem that rejected it). */
function bulkView(result: RecordExpensesResult, items: readonly BulkItem[]) {
  const monthView = (m: MonthOutcome) => {
    if (m.status === 'recorded') {
      return {
        month: m.month,
        status: 'recorded' as const,
        ...(m.position ? { position: m.position } : {}),
        transactions: m.transactions.map((t) => ({
          index: t.index,
          id: t.transactionId,
          amount: amount(t.amount.amount, t.amount.currency),
          currency: t.amount.currency,
          category: t.category,
          ...(t.categorizedBy ? { categorizedBy: t.categorizedBy } : {}),
          date: t.day,
          ...(t.merchant ? { merchant: t.merchant } : {}),
          ...(t.note ? { description: t.note } : {}),
          created: t.created,
          ...(t.overspentBy ? { overspentBy: amount(t.overspentBy.amount, t.overspentBy.currency) } : {}),
        })),
      };
    }
    const details = m.error ? toProblem(m.error) : undefined;
    return {
      month: m.month,
      status: 'rejected' as const,
      error: {
        ...(details ?? {
          type: '/problems/month-rejected',
          title: 'Unprocessable content',
          status: 422,
          code: 'month-rejected',
        }),
        ...(m.rejectedIndex === undefined ? {} : { index: m.rejectedIndex }),
      },
      // As sent: nothing of this month was recorded.
      transactions: m.indexes.map((index) => {
        const t = items[index] as BulkItem;
        return {
          index,
          ...(t.id ? { id: t.id } : {}),
          amount: t.amount,
          ...(t.category === undefined ? {} : { category: t.category }),
          date: t.date,
          ...(t.merchant ? { merchant: t.merchant } : {}),
          ...(t.description ? { description: t.description } : {}),
        };
      }),
    };
  };
  const months = result.months.map(monthView);
  const recorded = months.filter((m) => m.status === 'recorded').length;
  return {
    months,
    recorded,
    rejected: months.length - recorded,
    ...(result.position ? { position: result.position } : {}),
  };
}

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 4, fieldSize: 16 * 1024, parts: 6 },
}).single('file');
const rawCsv = express.text({ type: ['text/csv', 'application/csv'], limit: MAX_IMPORT_BYTES });

/** multipart/form-data (field `file`, field `mapping`) through multer, or a raw text/csv body. */
const receiveCsv: RequestHandler = (req, res, next) => {
  if (req.is('multipart/form-data')) {
    upload(req, res, (error: unknown) => {
      if (!error) return next();
      const code = (error as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE') {
        return next(
          problem(413, 'file-too-large', 'Payload too large', {
            detail: `A CSV file is at most ${MAX_IMPORT_BYTES / (1024 * 1024)} MB`,
          }),
        );
      }
      next(
        problem(400, 'invalid-upload', 'Bad request', {
          detail: `The multipart upload could not be read${code ? ` (${code})` : ''}`,
        }),
      );
    });
    return;
  }
  if (req.is(['text/csv', 'application/csv'])) {
    rawCsv(req, res, next);
    return;
  }
  next(
    problem(415, 'unsupported-media-type', 'Unsupported media type', {
      detail: 'Send multipart/form-data with a `file` and a `mapping` field, or a text/csv body',
    }),
  );
};

function parseMapping(raw: unknown, where: 'body' | 'query'): ImportMapping {
  if (typeof raw !== 'string') {
    throw problem(400, 'validation-failed', 'The request is not valid', {
      detail: `Invalid ${where}`,
      errors: [{ field: `${where}.mapping`, message: 'is required: a JSON column mapping' }],
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw problem(400, 'validation-failed', 'The request is not valid', {
      detail: `Invalid ${where}`,
      errors: [{ field: `${where}.mapping`, message: 'is not JSON' }],
    });
  }
  const parsed = mappingSchema.safeParse(json);
  if (!parsed.success) {
    const invalid = validationProblem(parsed.error, where);
    throw problem(400, 'validation-failed', 'The request is not valid', {
      detail: `Invalid ${where}`,
      errors: (invalid.problem.errors ?? []).map((e) => ({
        ...e,
        field: e.field.replace(`${where}.`, `${where}.mapping.`),
      })),
    });
  }
  return parsed.data as ImportMapping;
}

function importRequest(req: Request): { content: string; mapping: ImportMapping } {
  if (req.file) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    return { content: req.file.buffer.toString('utf8'), mapping: parseMapping(body.mapping, 'body') };
  }
  if (typeof req.body === 'string') {
    return { content: req.body, mapping: parseMapping(req.query.mapping, 'query') };
  }
  throw problem(400, 'validation-failed', 'The request is not valid', {
    detail: 'Invalid body',
    errors: [{ field: 'body.file', message: 'is required: the CSV file' }],
  });
}
