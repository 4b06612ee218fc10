import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_BULK_EXPENSES } from '../../../application/budget/record-expenses.js';
import {
  decodeTransactionCursor,
  MAX_PAGE_SIZE,
} from '../../../application/ports/transaction-read-model.port.js';
import type { TransactionFilterInput } from '../../../application/transactions/list-transactions.query.js';
import { DomainError } from '../../../domain/shared/domain-error.js';
import { parseLocalDate } from '../../../domain/shared/local-date.js';
import { consistencyQuery } from '../context.js';
import { categoryString, dateString, moneyString, text } from '../validate.js';

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

export const DEFAULT_PAGE_SIZE = 50;

export const filterOf = (q: z.infer<typeof filterQuery>): TransactionFilterInput => {
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
