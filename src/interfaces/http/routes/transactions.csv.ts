import type { Request, Response } from 'express';
import type { TransactionItem } from '../../../application/ports/transaction-read-model.port.js';
import { amount } from '../views.js';

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
export async function sendCsv(
  req: Request,
  res: Response,
  items: AsyncIterable<TransactionItem>,
): Promise<void> {
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
