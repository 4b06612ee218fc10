import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import {
  decodeTransactionCursor,
  MAX_PAGE_SIZE,
  type TransactionItem,
} from '../../../application/ports/transaction-read-model.port.js';
import type { TransactionFilterInput } from '../../../application/transactions/list-transactions.query.js';
import { DomainError } from '../../../domain/shared/domain-error.js';
import { parseLocalDate } from '../../../domain/shared/local-date.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext, markCaughtUp, readAfter } from '../context.js';
import {
  categoryString,
  dateString,
  moneyString,
  parseBody,
  parseParams,
  parseQuery,
  text,
} from '../validate.js';
import { amount } from '../views.js';

const transactionBody = z.strictObject({
  id: z.uuid().optional(),
  amount: moneyString,
  category: categoryString,
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

/** The filters of the list and the export; `after` is read (and checked) by readAfter. */
const filterQuery = z.object({
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  category: categoryString.optional(),
  merchant: text(200).min(1).optional(),
  minAmount: moneyString.optional(),
  maxAmount: moneyString.optional(),
  includeVoided: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  after: z.string().optional(),
});

const listQuery = filterQuery.extend({
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
  const { after: _after, ...filter } = q;
  return Object.fromEntries(
    Object.entries(filter).filter(([, v]) => v !== undefined),
  ) as TransactionFilterInput;
};

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

export function transactionRoutes(daybook: Daybook): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.get('/', requireScope(verify, 'read:transactions'), async (req, res) => {
    const query = parseQuery(listQuery, req.query);
    const after = readAfter(req);
    const { limit, cursor, ...filters } = query;
    const page = await daybook.listTransactions({
      userId: authOf(req).userId,
      filter: filterOf(filters),
      limit: limit ?? DEFAULT_PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
      ...(after ? { after } : {}),
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
    const after = readAfter(req);
    const exported = await daybook.exportTransactions({
      userId: authOf(req).userId,
      filter: filterOf(query),
      ...(after ? { after } : {}),
    });
    markCaughtUp(res, exported.caughtUp);
    await sendCsv(req, res, exported.items);
  });

  router.get('/:id', requireScope(verify, 'read:transactions'), async (req, res) => {
    const { id } = parseParams(z.object({ id: text(200).min(1) }), req.params);
    const after = readAfter(req);
    const { item, caughtUp } = await daybook.getTransaction({
      userId: authOf(req).userId,
      transactionId: id,
      ...(after ? { after } : {}),
    });
    markCaughtUp(res, caughtUp);
    res.json(transactionView(item));
  });

  router.post('/', requireScope(verify, 'write:transactions'), async (req, res) => {
    const body = parseBody(transactionBody, req.body);
    const { userId } = authOf(req);
    const result = await daybook.recordExpense(
      {
        userId,
        ...(body.id ? { transactionId: body.id } : {}),
        amount: body.amount,
        category: body.category,
        date: body.date,
        ...(body.merchant ? { merchant: body.merchant } : {}),
        ...(body.description ? { note: body.description } : {}),
      },
      commandContext(req),
    );
    const currency = result.amount.currency;
    if (!result.created) res.setHeader('Idempotent-Replayed', 'true');
    res
      .status(201)
      .location(`/api/transactions/${result.transactionId}`)
      .json({
        id: result.transactionId,
        amount: amount(result.amount.amount, currency),
        currency,
        category: body.category,
        date: body.date,
        ...(body.merchant ? { merchant: body.merchant } : {}),
        ...(body.description ? { description: body.description } : {}),
        ...(result.overspentBy ? { overspentBy: amount(result.overspentBy.amount, currency) } : {}),
        ...(result.position ? { position: result.position } : {}),
      });
  });

  return router;
}
